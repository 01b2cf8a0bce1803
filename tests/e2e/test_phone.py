"""Phone width: at 375 px no page scrolls sideways, no chart's legend covers an axis title or tick label, no link label is cut off."""

from __future__ import annotations

import pytest

from lossviz.lessons.syllabus import LESSONS, START, all_pages
from tests.e2e.conftest import open

pytestmark = pytest.mark.e2e

WIDTH = 375

# the widest elements that stick out to the right (to say which table or chart is too wide)
_OFFENDERS_JS = """(w) => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid]')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 1) out.push([el.dataset.testid, Math.round(r.right), (el.innerText || '').slice(0, 60)]);
  }
  out.sort((a, b) => b[1] - a[1]);
  return out.slice(0, 8);
}"""

# every legend entry of every drawn chart that covers an axis title or tick label of the same chart
_LEGEND_CLASHES_JS = """() => {
  const box = (e) => e.getBoundingClientRect();
  const hit = (a, b) => a.width > 0 && b.width > 0 && a.left < b.right - 1 && b.left < a.right - 1
                        && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const out = [];
  for (const gd of document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')) {
    const entries = [...gd.querySelectorAll('.legend .traces')];
    const axes = gd.querySelectorAll('[class^=g-x] text, [class^=g-y] text, .xtick text, .ytick text, [class*=tick] text');
    for (const ax of axes) {
      const e = entries.find((en) => hit(box(en), box(ax)));
      if (e) out.push([gd.closest('[class*=st-key-]').className.match(/st-key-\\S+/)[0], e.textContent, ax.textContent]);
    }
  }
  return out;
}"""

# page links in the page whose label is cut off (wider than the box that shows it)
_CUT_LINKS_JS = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stPageLink] a')]
  .filter((a) => [...a.querySelectorAll('span, div, p')].some((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible'
                                                                   || e.getBoundingClientRect().right > a.getBoundingClientRect().right + 1))
  .map((a) => a.innerText.trim().slice(0, 40))"""

CASES = [(p, lang) for p in all_pages() for lang in ("en", "zh")]


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(viewport={"width": WIDTH, "height": 800})
    ctx.set_default_timeout(60_000)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


@pytest.mark.parametrize(("lesson", "lang"), CASES, ids=[f"{p.id}-{lang}" for p, lang in CASES])
def test_fits_a_375px_phone(server, phone, lesson, lang):
    """Test that the page is no wider than a 375 px phone screen, no legend entry covers an axis title or tick label,
    and no page link's label (Start's syllabus, the previous / next links) is cut off."""
    open(phone, f"{server.base_url}/{lesson.url_path}?lang={lang}")
    phone.wait_for_function("[...document.querySelectorAll('[data-testid=lv-chart]')].every(c => c.querySelector('.main-svg'))")
    phone.wait_for_timeout(500)  # charts resize after they are drawn
    assert phone.evaluate(_LEGEND_CLASHES_JS) == []
    if lesson in (START, *LESSONS):  # they end with ← previous / next →
        assert phone.locator("[data-testid=stMain] [data-testid=stPageLink]").count() > 0
    assert phone.evaluate(_CUT_LINKS_JS) == []
    scroll_width, inner_width = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width + 1, (
        f"{lesson.url_path or '/'} ({lang}) scrolls sideways: scrollWidth {scroll_width} > {inner_width}; "
        f"widest: {phone.evaluate(_OFFENDERS_JS, inner_width)}"
    )
