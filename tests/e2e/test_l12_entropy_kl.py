"""Real-browser tests of lesson 12, Entropy, cross-entropy, KL: the class-bars drag moves the page's numbers,
a cold deep link with values in the URL opens that view in Chinese, and the three views (a click on the view
control, the link, the language switch, a reload, a phone's width)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import torch
import torch.nn.functional as TF

from lossviz.lessons import entropy_kl as E
from lossviz.text import fmt
from lossviz.text.i18n import translate
from tests.e2e.conftest import assert_no_exception, h1, open_app, switch_language, wait_finished


def metric(page, label: str) -> str:
    return page.locator(".lv-metrics > div").filter(has_text=label).first.locator("dd").inner_text()


def torch_ce(x, y) -> float:
    return TF.cross_entropy(torch.tensor([x], dtype=torch.float64), torch.tensor([y], dtype=torch.float64)).item()


def test_dragging_a_bar_moves_the_cross_entropy_and_the_url(server, page):
    """Test that dragging class 0's logit bar down and releasing it reaches Python: ?ek_x0= in the URL and
    F.cross_entropy(x, y) (and H + KL beside it) become torch's value for the new logit."""
    open_app(page, f"{server.base_url}/entropy-kl?lang=en")
    assert metric(page, "F.cross_entropy(x, y)") == fmt.cell(torch_ce(E.LOGITS[:4], E.TARGET[:4]))
    root = page.locator(".lv-drag[data-mode=bars]").first
    root.wait_for()
    bar = root.get_by_test_id("lv-bar-0")
    bar.scroll_into_view_if_needed()
    box = bar.locator("rect").nth(3).bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0, y0 + 40, steps=5)
    page.mouse.up()
    page.wait_for_function("() => new URL(location.href).searchParams.has('ek_x0')")
    wait_finished(page)
    assert_no_exception(page)
    new = float(parse_qs(urlparse(page.url).query)["ek_x0"][0])
    assert new < E.LOGITS[0]
    want = fmt.cell(torch_ce([new, *E.LOGITS[1:4]], E.TARGET[:4]))
    assert metric(page, "F.cross_entropy(x, y)") == want == metric(page, "H(y) + KL(y‖p)")


@pytest.mark.parametrize("lang", ["zh"])
def test_deep_link_with_a_target_that_does_not_sum_to_one(server, page, lang):
    """Test that a deep link with a target summing to 2 opens in Chinese with the normalisation note and torch's
    cross-entropy for y / 2."""
    open_app(page, f"{server.base_url}/entropy-kl?lang={lang}&ek_c=2&ek_y0=1&ek_y1=1&ek_x0=1.5")
    assert h1(page) == "熵、交叉熵与 KL 散度"
    assert page.get_by_text("除以 2").count() >= 1
    assert metric(page, "F.cross_entropy(x, y)") == fmt.cell(torch_ce([1.5, 1.0], [0.5, 0.5]))


VIEW_BUTTONS = ".st-key-ek_view [role=radiogroup] [role=radio]"


def view_states(page) -> dict[str, bool]:
    """Each button of the view control: its label → whether it is the selected one (once the control is drawn: its
    code may still be loading when a fresh tab's run has finished)."""
    buttons = page.locator(VIEW_BUTTONS)
    buttons.first.wait_for()
    return {buttons.nth(i).inner_text().strip(): buttons.nth(i).get_attribute("aria-checked") == "true"
            for i in range(buttons.count())}


def soft_summary(lang: str) -> str:
    """The soft-target chart's text for the default logits (C = 4, k = 0, ε = 0.1, T = 4), computed in torch."""
    c, eps, temp = 4, 0.1, 4.0
    smoothed = (1 - eps) * TF.one_hot(torch.tensor(0), c).double() + eps / c
    teacher = torch.softmax(torch.tensor(E.TEACHER[:c], dtype=torch.float64) / temp, 0)
    h1, h2 = (torch.special.entr(y).sum().item() for y in (smoothed, teacher))
    return translate(lang, "entropy_kl.soft_summary", h0=fmt.cell(0.0), h1=fmt.cell(h1), h2=fmt.cell(h2),
                     eps=fmt.cell(eps), temp=fmt.cell(temp))


def test_a_view_opens_on_click_keeps_through_language_and_reload_and_fits_a_phone(server, page):
    """Test that a click on the soft-target view's button puts it in the link and draws its chart with torch's
    entropies in the text beneath; that the Chinese page and a reload of its link show that view; and that the three
    buttons are inside the page at 375 px in both languages (none cut off or in a sideways scroll)."""
    open_app(page, f"{server.base_url}/entropy-kl?lang=en")
    assert view_states(page) == {translate("en", f"entropy_kl.view_{v}"): v == "split" for v in E.VIEWS}
    page.locator(VIEW_BUTTONS).filter(has_text=translate("en", "entropy_kl.view_soft")).click()
    page.wait_for_function("() => new URL(location.href).searchParams.get('ek_view') === 'soft'")
    wait_finished(page)
    caption = page.locator("[data-testid=stMain] [data-testid=lv-chart] figcaption")
    caption.first.wait_for()
    assert caption.count() == 1 and caption.first.text_content() == soft_summary("en")
    switch_language(page, "简体中文", "zh")
    assert view_states(page)[translate("zh", "entropy_kl.view_soft")] is True
    page.reload()
    wait_finished(page)
    assert_no_exception(page)
    assert view_states(page)[translate("zh", "entropy_kl.view_soft")] is True
    caption.first.wait_for()
    assert caption.first.text_content() == soft_summary("zh")
    page.set_viewport_size({"width": 375, "height": 800})
    for lang in ("zh", "en"):
        open_app(page, f"{server.base_url}/entropy-kl?lang={lang}")
        edges = page.evaluate("""(sel) => { const main = document.querySelector('[data-testid=stMainBlockContainer]');
          const r = main.getBoundingClientRect(), pad = parseFloat(getComputedStyle(main).paddingRight);
          return [r.right - pad, ...[...document.querySelectorAll(sel)].map(b => b.getBoundingClientRect().right)]; }""",
                              VIEW_BUTTONS)
        assert len(edges) == 4 and max(edges[1:]) <= edges[0] + 0.5, (lang, edges)


# The boxes of the controls, or null while any of them is missing.
BOXES = """([prefix, ids]) => { const boxes = ids.map(i => document.querySelector(`.st-key-${prefix}${i}`))
  .map(e => e && e.getBoundingClientRect()).map(r => r && {x: r.left, y: r.top, width: r.width});
  return boxes.includes(null) ? null : boxes; }"""


def same_line_groups(page, prefix: str, groups: list[list[int]]) -> list[list[dict]]:
    """The boxes of the controls ``<prefix><i>``, group by group, measured at one instant (the page may scroll
    between two separate measurements), once each group shares its top edge below the one before (up to 5 s while
    the page settles); then that is asserted."""
    ids = [i for g in groups for i in g]

    def grouped(boxes):
        it = iter(boxes)
        return [[next(it) for _ in g] for g in groups]

    def ok(boxes):
        tops = [[b["y"] for b in g] for g in grouped(boxes)]
        return (all(max(t) - min(t) < 2 for t in tops)
                and all(tops[k][0] > tops[k - 1][0] + 2 for k in range(1, len(tops))))

    boxes = None
    for _ in range(25):
        boxes = page.evaluate(BOXES, [prefix, ids])
        if boxes is not None and ok(boxes):
            break
        page.wait_for_timeout(200)
    assert boxes is not None and ok(boxes), (prefix, boxes)
    return grouped(boxes)


def test_logits_and_targets_share_one_line_each_and_go_two_a_line_on_a_phone(server, page):
    """Test the controls' rows (ui.row): with six classes at 1280 px the six logit sliders sit on one line and so do
    the six target inputs (Streamlit's own flex basis put the sixth on a line of its own); at 375 px they go two a
    line, in class order, instead of one under the other, and an odd last one keeps half the width."""
    open_app(page, f"{server.base_url}/entropy-kl?lang=en&ek_c=6")
    for prefix in ("ek_x", "ek_y"):
        same_line_groups(page, prefix, [[0, 1, 2, 3, 4, 5]])
    page.set_viewport_size({"width": 375, "height": 800})
    open_app(page, f"{server.base_url}/entropy-kl?lang=zh&ek_c=5")
    for prefix in ("ek_x", "ek_y"):
        (first, second), _, (last,) = same_line_groups(page, prefix, [[0, 1], [2, 3], [4]])
        assert last["width"] < 0.6 * (second["x"] + second["width"] - first["x"]), (prefix, first, second, last)


def test_lesson_8s_label_smoothing_link_opens_the_soft_targets_view(server, page):
    """Test that the link under lesson 8's label smoothing opens lesson 12 on its soft-targets view (the view that
    shows a smoothed target's floor), in the learner's language, with that view's chart and torch's entropies."""
    open_app(page, f"{server.base_url}/ce-weights-smoothing?lang=zh")
    link = page.locator("[data-testid=stMain] [data-testid=stPageLink] a").filter(
        has_text=translate("zh", "entropy_kl.nav"))
    link.first.scroll_into_view_if_needed()
    link.first.click()
    page.wait_for_function("() => location.pathname.endsWith('/entropy-kl')")
    wait_finished(page)
    assert_no_exception(page)
    assert h1(page) == "熵、交叉熵与 KL 散度"
    assert view_states(page)[translate("zh", "entropy_kl.view_soft")] is True
    caption = page.locator("[data-testid=stMain] [data-testid=lv-chart] figcaption")
    caption.first.wait_for()
    assert caption.first.text_content() == soft_summary("zh")
