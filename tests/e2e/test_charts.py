"""Charts in the browser: updated in place by a step, a clear message if plotly.js cannot load, full screen from the toolbar."""

from __future__ import annotations

import math

import pytest

from lossviz.text import fmt
from lossviz.text.i18n import translate
from tests.e2e.conftest import assert_no_exception, open, wait_finished

pytestmark = pytest.mark.e2e

MARKER_X = """() => { const gd = document.querySelector('[data-testid=lv-chart] .js-plotly-plot');
  const m = gd && (gd.data || []).find(t => t.mode === 'markers'); return m ? Number(m.x[0]) : null; }"""


def test_a_slider_step_redraws_the_same_plot(server, page):
    """Test that an arrow-key step moves lesson 1's point on the very same plot element (not a rebuilt one), and its
    text summary below it with it."""
    open(page, f"{server.base_url}/sigmoid-bce?lang=en&sb_x=2")
    page.wait_for_selector("[data-testid=lv-chart] .main-svg")
    page.wait_for_function(f"({MARKER_X})() === 2")
    # plotly's own <svg>: Plotly.react keeps it, a remounted or newPlot-ed chart gets a new one
    svg = "document.querySelector('[data-testid=lv-chart] .js-plotly-plot .main-svg')"
    page.evaluate(f"{svg}.__lvMark = 'before'")
    caption = "document.querySelector('[data-testid=lv-chart] figcaption')"
    page.evaluate(f"{caption}.__lvMark = 'before'")
    assert page.evaluate(f"{caption}.textContent") == translate("en", "sigmoid_bce.sig_summary", x=fmt.cell(2.0), sigma=fmt.cell(1 / (1 + math.exp(-2.0))))
    page.locator(".st-key-sb_x input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"Math.abs(({MARKER_X})() - 2.1) < 1e-9")
    wait_finished(page)
    mark = page.evaluate(f"{svg}.__lvMark")
    assert mark == "before"
    assert "sb_x=2.1" in page.url
    # the text summary under the chart moved with it, in the same element
    assert page.evaluate(f"[{caption}.__lvMark, {caption}.textContent]") == [
        "before", translate("en", "sigmoid_bce.sig_summary", x=fmt.cell(2.1), sigma=fmt.cell(1 / (1 + math.exp(-2.1))))]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plotly_js_that_cannot_load_gives_a_message_not_a_blank(server, browser, lang):
    """Test that with plotly.js (static/plotly-basic.min.js) blocked every chart says so in the page's language and the rest still works."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.route("**/app/static/plotly-basic.min.js", lambda route: route.abort())
    page = ctx.new_page()
    try:
        open(page, f"{server.base_url}/softmax-ce?lang={lang}")
        want = translate(lang, "common.chart_failed")
        page.wait_for_function(
            "(want) => { const s = [...document.querySelectorAll('[data-testid=lv-chart] [role=status]')];"
            " return s.length > 0 && s.every(e => e.textContent === want); }", arg=want)
        assert page.locator("[data-testid=lv-chart] .main-svg").count() == 0
        # the text summaries still say what each chart would show
        summaries = page.locator("[data-testid=lv-chart] figcaption").all_inner_texts()
        assert len(summaries) == page.locator("[data-testid=lv-chart]").count() and all(s.strip() for s in summaries)
        assert page.locator(".lv-metrics dd").count() > 0
        assert_no_exception(page)
    finally:
        ctx.close()


POINTS_JS = """() => { const gd = document.querySelector('.st-key-bl_sweep .js-plotly-plot');
  return gd ? (gd.layout.annotations || []).filter(a => a.text === '●').map(a => Number(a.x)) : null; }"""


def test_a_scale_step_moves_the_points_and_keeps_the_curves(server, page):
    """Test that a step on lesson 2's scale moves the two points while the curves stay the very same trace objects (no replot)."""
    open(page, f"{server.base_url}/bce-vs-logits?lang=en&bl_scale=12")
    page.wait_for_function(f"JSON.stringify(({POINTS_JS})()) === '[12,12]'")
    page.evaluate("document.querySelector('.st-key-bl_sweep .js-plotly-plot').data.forEach(t => { t.__lvMark = 'before'; })")
    page.locator(".st-key-bl_scale input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"JSON.stringify(({POINTS_JS})()) === '[12.1,12.1]'")
    wait_finished(page)
    marks = page.evaluate("[...document.querySelector('.st-key-bl_sweep .js-plotly-plot').data].map(t => t.__lvMark)")
    assert marks == ["before", "before"]
    assert_no_exception(page)


FULL_JS = """() => { const r = document.querySelector('[data-testid=lv-chart]'); const svg = r.querySelector('.main-svg');
  const next = r.closest('[data-testid=stElementContainer]').nextElementSibling;
  return {full: document.fullscreenElement === r, h: svg.getBoundingClientRect().height, w: svg.getBoundingClientRect().width,
          box: r.getBoundingClientRect().height, vh: window.innerHeight, vw: window.innerWidth,
          gap: next ? next.getBoundingClientRect().top - r.getBoundingClientRect().bottom : null}; }"""


# In full screen the plot fills the screen's width, and its height down to its text summary, which
# sits at the bottom of the screen, visible.
FILLS_SCREEN_JS = """() => { const r = document.fullscreenElement; const svg = r && r.querySelector('.main-svg');
  if (!svg) return false; const b = svg.getBoundingClientRect(); const s = r.querySelector('figcaption').getBoundingClientRect();
  return b.width > window.innerWidth - 40 && b.width <= window.innerWidth && b.top >= 0 && b.top < 20
    && s.height > 10 && s.top >= b.bottom && s.bottom <= window.innerHeight && s.bottom > window.innerHeight - 30; }"""


def test_a_chart_goes_full_screen_and_back_from_its_toolbar(server, page):
    """Test that the chart toolbar's translated full-screen button shows the chart and its summary over the whole
    screen, and a second click brings it back at its own height with the page's text below it, not over it."""
    open(page, f"{server.base_url}/softmax-ce?lang=zh")
    chart = page.locator("[data-testid=lv-chart]").first
    chart.locator(".main-svg").first.wait_for()
    before = page.evaluate(FULL_JS)
    button = chart.locator(f"button[data-title='{translate('zh', 'common.chart_fullscreen')}']")
    chart.hover()
    button.click()
    page.wait_for_function(FILLS_SCREEN_JS)
    full = page.evaluate(FULL_JS)
    assert full["full"] and full["w"] > full["vw"] - 40 and full["w"] > before["w"] + 100
    chart.hover()
    button.click()
    page.wait_for_function("() => !document.fullscreenElement")
    page.wait_for_timeout(500)
    after = page.evaluate(FULL_JS)
    assert (after["h"], after["w"], after["box"]) == (before["h"], before["w"], before["box"])
    assert after["gap"] is not None and after["gap"] >= 0
    assert_no_exception(page)


def test_a_full_screen_chart_is_drawn_again_when_the_window_changes_size(server, page):
    """Test that a chart in full screen fills the screen again after the window changes size
    (a tablet turned round), without leaving full screen."""
    page.set_viewport_size({"width": 1280, "height": 800})
    open(page, f"{server.base_url}/softmax-ce?lang=en")
    chart = page.locator("[data-testid=lv-chart]").first
    chart.locator(".main-svg").first.wait_for()
    chart.hover()
    chart.locator(f"button[data-title='{translate('en', 'common.chart_fullscreen')}']").click()
    page.wait_for_function(FILLS_SCREEN_JS)
    page.set_viewport_size({"width": 800, "height": 1200})
    page.wait_for_function(FILLS_SCREEN_JS)
    full = page.evaluate(FULL_JS)
    assert full["full"] and full["vw"] == 800 and full["h"] > 1050, full
    assert_no_exception(page)
