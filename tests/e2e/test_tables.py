"""Tables and metric rows in the browser (ui.table, ui.metric_row): digits right-aligned, flagged rows tinted, cells
printed as typed, a sideways scroll on a phone; metric pairs side by side, two a row on a phone."""

from __future__ import annotations

import pytest
import torch

from lossviz.text.i18n import translate
from tests.e2e.conftest import open

pytestmark = pytest.mark.e2e

# every body row of the first lv-table: [is it tinted, [[text, computed text-align] per cell]]
ROWS_JS = """() => [...document.querySelectorAll('.lv-table')[0].querySelectorAll('tbody tr')].map(tr => [
  getComputedStyle(tr.cells[0]).backgroundColor !== 'rgba(0, 0, 0, 0)',
  [...tr.cells].map(td => [td.innerText.trim(), getComputedStyle(td).textAlign])])"""


def test_parted_rows_are_tinted_and_numbers_right_aligned(server, page):
    """Test that at ×40 exactly the rows whose reason is not "same" are tinted, and number cells align right, text left."""
    open(page, f"{server.base_url}/bce-vs-logits?lang=en&bl_scale=40")
    rows = page.evaluate(ROWS_JS)
    assert len(rows) == 8
    tinted = [i for i, (hl, _) in enumerate(rows) if hl]
    assert tinted == [i for i, (_, cells) in enumerate(rows) if not cells[-1][0].startswith("same")]
    assert 7 in tinted  # element [1, 3]: x = 1.6 · 40, y = 0 → σ(x) == 1.0, the clamp
    element, x, *_, why = rows[7][1]
    assert element[0] == "[1, 3]" and element[1] in ("start", "left")
    assert x == ["64", "right"] and why[1] in ("start", "left")


def test_formula_cells_print_as_typed(server, page):
    """Test that the weights table's formula cells keep their brackets and asterisk-free text: no link, no emphasis, no math."""
    open(page, f"{server.base_url}/weights-reduction?lang=en")
    table = page.locator(".lv-table").first
    assert table.locator("a, em, strong, code, .katex").count() == 0
    first = table.locator("tbody tr").first.locator("td").nth(1).inner_text()
    assert first.startswith("2·[3·1·") and first.endswith("= 3.078")


def test_a_wide_table_scrolls_in_its_own_box_on_a_phone(server, browser):
    """Test that at 375 px the weights table keeps each cell on one line and scrolls inside its box, not the page."""
    ctx = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = ctx.new_page()
        open(page, f"{server.base_url}/weights-reduction?lang=en")
        box = page.evaluate("""() => { const d = document.querySelector('.lv-table'); const td = d.querySelector('tbody td');
          return {scroll: d.scrollWidth, client: d.clientWidth, page: document.documentElement.scrollWidth,
                  wrap: getComputedStyle(td).whiteSpace}; }""")
        assert box["scroll"] > box["client"] and box["page"] <= 375
        assert box["wrap"] == "nowrap"
    finally:
        ctx.close()


# every pair of the page's metric rows: label, value, font sizes, box, and which row (lv-metrics block) it is in
PAIRS_JS = """() => { const rows = [...document.querySelectorAll('[data-testid=stMain] .lv-metrics')];
  return rows.flatMap((dl, row) => [...dl.children].map(d => {
    const dt = d.querySelector('dt'), dd = d.querySelector('dd'), r = d.getBoundingClientRect();
    return {row, label: dt.innerText.trim(), value: dd.innerText.trim(), top: Math.round(r.top), right: r.right,
            dt: parseFloat(getComputedStyle(dt).fontSize), dd: parseFloat(getComputedStyle(dd).fontSize)}; })); }"""


def _numbers_row(page, lang: str) -> list[dict]:
    """The softmax page's row under "The numbers": the first metric row that holds the CrossEntropyLoss pair."""
    pairs = page.evaluate(PAIRS_JS)
    row = next(p["row"] for p in pairs if p["label"] == translate(lang, "softmax_ce.loss"))
    return [p for p in pairs if p["row"] == row]


def test_metric_pairs_sit_side_by_side_with_a_big_value(server, page):
    """Test that on a wide screen the softmax page's four numbers sit on one line, values larger than labels, the loss torch's."""
    open(page, f"{server.base_url}/softmax-ce?lang=en")
    row = _numbers_row(page, "en")
    assert len(row) == 4 and len({p["top"] for p in row}) == 1
    assert all(p["dd"] >= 2 * p["dt"] for p in row)
    logits = torch.tensor([[2.0, 1.0, 0.1, -1.0]])
    assert float(row[0]["value"]) == pytest.approx(torch.nn.functional.cross_entropy(logits, torch.tensor([0])).item(), rel=1e-5)


def test_metric_pairs_wrap_two_a_row_on_a_phone(server, browser):
    """Test that at 375 px the four numbers take two lines of two, and a long value (per-element losses) wraps in its box."""
    ctx = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = ctx.new_page()
        open(page, f"{server.base_url}/softmax-ce?lang=zh")
        row = _numbers_row(page, "zh")
        tops = sorted({p["top"] for p in row})
        assert len(row) == 4 and [sum(p["top"] == t for p in row) for t in tops] == [2, 2]
        open(page, f"{server.base_url}/ce-weights-smoothing?lang=en&ceo_red=none")
        loss = next(p for p in page.evaluate(PAIRS_JS) if p["label"] == translate("en", "ce_options.loss", red="none"))
        assert loss["value"].startswith("[") and loss["value"].count(",") >= 3 and loss["right"] <= 375
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        ctx.close()
