"""Browser tests of the learner features: shareable links, presenter mode, quizzes, code panels, dark theme."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import torch

from lossviz.text.i18n import translate
from tests.e2e.conftest import RUN_TIMEOUT, h1, open, wait_finished

pytestmark = pytest.mark.e2e


def metric_values(page) -> list[str]:
    page.wait_for_selector("[data-testid=stMain] .lv-metrics dd")
    return [s.strip() for s in page.locator("[data-testid=stMain] .lv-metrics dd").all_inner_texts()]


def slider_thumb(page, nth: int = 0):
    return page.locator("[data-testid=stMain] [data-testid=stSlider] input[type=range]").nth(nth)


def test_copied_link_reopens_the_same_view_in_a_fresh_browser(server, browser):
    """Test that 'Copy link to this view' after moving controls copies a URL that reproduces the view elsewhere."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    page = ctx.new_page()
    open(page, f"{server.base_url}/sigmoid-bce?lang=zh")
    for expected in ("1.9", "1.8", "1.7"):
        slider_thumb(page).focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(f"() => new URL(location.href).searchParams.get('sb_x') === '{expected}'")
        wait_finished(page)
    before = (h1(page), metric_values(page))
    page.evaluate("navigator.clipboard.writeText('')")  # the clipboard is shared by the whole browser
    page.locator("[data-testid=stBidiComponentIsolated]").first.locator("[data-testid=lv-copy-link]").click()
    page.get_by_text(translate("zh", "common.frame_copied")).wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    ctx.close()

    assert parse_qs(urlsplit(copied).query) == {"lang": ["zh"], "sb_x": ["1.7"]}, copied
    fresh = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page2 = fresh.new_page()
    open(page2, copied)
    after = (h1(page2), metric_values(page2))
    fresh.close()
    assert after == before
    sigma = torch.sigmoid(torch.tensor(1.7, dtype=torch.float64)).item()
    assert f"{sigma:.6g}" in before[1]


def test_presenter_mode_is_large_without_sidebar_and_arrows_change_lesson(server, page):
    """Test that ?present=1 hides the sidebar, enlarges the type, hides code and quiz, and → opens the next lesson."""
    open(page, f"{server.base_url}/softmax-ce?lang=en&present=1")
    page.wait_for_selector("[data-testid=stSidebar]", state="hidden")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "22px"
    assert page.get_by_text(translate("en", "common.code_panel")).count() == 0
    assert page.get_by_text(translate("en", "common.quiz")).count() == 0
    page.get_by_text(translate("en", "common.frame_keys")).wait_for()  # the key handler is installed
    page.locator("[data-testid=stMain] h1").click()  # focus the page, not a control
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/ce-vs-bce?**", timeout=RUN_TIMEOUT)
    wait_finished(page)
    assert parse_qs(urlsplit(page.url).query) == {"lang": ["en"], "present": ["1"]}
    assert h1(page) == translate("en", "ce_vs_bce.title")
    page.get_by_text(translate("en", "common.frame_exit")).click()
    page.wait_for_function("() => !new URL(location.href).searchParams.has('present')")
    wait_finished(page)
    assert page.locator("[data-testid=stSidebar]").is_visible()


def test_presenter_arrows_keep_the_hidden_panels(server, page):
    """Test that → in presenter mode keeps ?hide= (slides made without predict cards stay without them)."""
    open(page, f"{server.base_url}/softmax-ce?lang=en&present=1&hide=predict")
    assert page.locator("[class*=st-key-lv_predict_]").count() == 0
    page.get_by_text(translate("en", "common.frame_keys")).wait_for()
    page.locator("[data-testid=stMain] h1").click()
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/ce-vs-bce?**", timeout=RUN_TIMEOUT)
    wait_finished(page)
    assert parse_qs(urlsplit(page.url).query) == {"lang": ["en"], "present": ["1"], "hide": ["predict"]}
    assert h1(page) == translate("en", "ce_vs_bce.title")
    assert page.locator("[class*=st-key-lv_predict_]").count() == 0
    # the same lesson without the flag shows its card: the check above can fail
    open(page, f"{server.base_url}/ce-vs-bce?lang=en&present=1")
    assert page.locator("[class*=st-key-lv_predict_]").count() > 0


def test_quiz_gives_immediate_feedback(server, page):
    """Test that answering a self-check question shows feedback with an explanation at once."""
    open(page, f"{server.base_url}/ce-vs-bce?lang=en")
    page.get_by_text(translate("en", "common.quiz")).click()
    question = page.locator("[data-testid=stExpanderDetails] [data-testid=stRadio]").first
    question.locator("[data-testid=stRadioOption]").first.click()
    wait_finished(page)
    verdicts = (translate("en", "common.quiz_right"), translate("en", "common.quiz_wrong"))
    alerts = page.locator("[data-testid=stExpanderDetails] [data-testid=stAlertContainer]")
    texts = [a.strip() for a in alerts.all_inner_texts()]
    feedback = [a for a in texts if any(v in a for v in verdicts)]
    assert len(feedback) == 1, texts
    assert len(feedback[0]) > 30  # an explanation, not just a verdict


def test_code_panel_output_equals_the_page_numbers(server, page):
    """Test that the PyTorch snippet's real output shows the same seed value as the page's headline."""
    open(page, f"{server.base_url}/bce-vs-logits?lang=en")
    expected = repr(torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor([[0.4, 0.7, 1.2, 0.3], [1.1, 0.6, 0.9, 1.6]]),
        torch.tensor([[1.0, 0, 1, 0], [0, 1, 1, 0]])).item())
    assert expected == "0.8354646563529968"
    assert expected in " ".join(metric_values(page))
    page.get_by_text(translate("en", "common.code_panel")).click()
    output = page.locator("[data-testid=stExpanderDetails] [data-testid=stCode]").nth(1).inner_text()
    assert expected in output


def test_dark_theme_renders_every_chart_on_a_dark_background(server, browser):
    """Test that with a dark system theme the page is dark and its charts render."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = ctx.new_page()
    open(page, f"{server.base_url}/stability-lab?lang=zh")
    page.wait_for_selector("[data-testid=lv-chart] .main-svg")
    rgb = page.evaluate("getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor")
    # the charts' own text (tick labels, titles) must follow: light on the dark page
    fills = page.evaluate("[...document.querySelectorAll('[data-testid=lv-chart] .xtick text, "
                          "[data-testid=lv-chart] .gtitle')].map(e => getComputedStyle(e).fill)")
    ctx.close()
    r, g, b = _rgb(rgb)
    assert r + g + b < 200, rgb
    assert fills and all(sum(_rgb(f)) > 450 for f in fills), fills


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_true_class_outline_is_drawn_in_the_pages_text_colour(server, browser, scheme):
    """Test that the true class's bar outline is dark on a light page and light on a dark one
    (the figure says black; the chart draws it in the theme's text colour)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = ctx.new_page()
    open(page, f"{server.base_url}/softmax-ce?lang=en")
    page.wait_for_selector(".st-key-smx_bars .main-svg .trace.bars path")
    strokes = page.evaluate("[...document.querySelectorAll('.st-key-smx_bars .trace.bars path')]"
                            ".filter(p => parseFloat(getComputedStyle(p).strokeWidth) >= 2)"
                            ".map(p => getComputedStyle(p).stroke)")
    ctx.close()
    assert len(strokes) == 2, strokes  # class 0's probability and target bars
    for stroke in strokes:
        total = sum(_rgb(stroke))
        assert (total < 200) if scheme == "light" else (total > 450), stroke


_CHART_INK_JS = """() => { const gd = document.querySelector('.st-key-smx_bars .js-plotly-plot');
  return gd && gd._fullLayout ? [gd._fullLayout.paper_bgcolor, gd._fullLayout.font.color, gd.data[0].marker.line.color,
                                 getComputedStyle(document.querySelector('.st-key-smx_bars figcaption')).color] : null; }"""


def test_charts_follow_a_theme_switch_at_once(server, browser):
    """Test that when the system theme turns dark while a page is open, its charts (background, text, the true
    class's outline) and their summaries turn dark-theme at once, without a step."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = ctx.new_page()
    try:
        open(page, f"{server.base_url}/softmax-ce?lang=en")
        page.wait_for_selector(".st-key-smx_bars .main-svg")
        bg, ink, outline, caption = page.evaluate(_CHART_INK_JS)
        assert sum(_rgb(_css_rgb(bg))) > 600 and sum(_rgb(_css_rgb(ink))) < 200 and outline == ink, (bg, ink, outline)
        assert sum(_rgb(caption)) < 200, caption
        page.emulate_media(color_scheme="dark")
        page.wait_for_function(f"(() => {{ const v = ({_CHART_INK_JS})(); return v && v[0] !== {bg!r}; }})")
        bg, ink, outline, caption = page.evaluate(_CHART_INK_JS)
        assert sum(_rgb(_css_rgb(bg))) < 200 and sum(_rgb(_css_rgb(ink))) > 450 and outline == ink, (bg, ink, outline)
        assert sum(_rgb(caption)) > 450, caption
        assert page.url.endswith("/softmax-ce?lang=en")  # the shareable link is unchanged
    finally:
        ctx.close()


def _css_rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return f"rgb({int(h[0:2], 16)}, {int(h[2:4], 16)}, {int(h[4:6], 16)})"


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(float(v)) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])


def test_task_done_by_a_step_in_a_fragment_shows_in_the_open_quiz(server, page):
    """Test that a do-it task completed by a slider step (which reruns only the lesson's fragment)
    is shown as done at once in the open quiz below the fragment."""
    open(page, f"{server.base_url}/sigmoid-bce?lang=en&sb_y=0.5&sb_x=0.1")  # grad = σ(0.1) − 0.5 ≈ 0.025
    page.get_by_text(translate("en", "common.quiz")).click()
    done = translate("en", "sigmoid_bce.task_t1_done")
    page.get_by_text(translate("en", "sigmoid_bce.task_t1")).wait_for()
    assert page.get_by_text(done, exact=False).count() == 0
    slider_thumb(page).focus()
    page.keyboard.press("ArrowLeft")  # x = 0.0: σ(x) = 0.5 = y, the gradient vanishes
    page.wait_for_function("() => new URL(location.href).searchParams.get('sb_x') === '0'")
    page.get_by_text(done, exact=False).wait_for(timeout=RUN_TIMEOUT)
    wait_finished(page)
    assert page.get_by_text(done, exact=False).count() == 1
