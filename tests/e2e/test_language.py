"""The language switch: one click turns every visible string Chinese and keeps the state."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from lossviz.lessons.syllabus import navigation_pages
from lossviz.text.i18n import catalog, translate
from tests.e2e.conftest import (
    ROOT,
    assert_no_exception,
    h1,
    nav_labels,
    open,
    selected_language,
    switch_language,
    wait_finished,
)

pytestmark = pytest.mark.e2e

CJK = re.compile(r"[\u4e00-\u9fff]")


def chart_titles(page) -> list[str]:
    """Texts of the rendered plotly chart titles."""
    return [s.strip() for s in page.locator("[data-testid=lv-chart] .gtitle").all_text_contents()]


def slider_value(page, nth: int = 0) -> float:
    return float(page.locator("[data-testid=stMain] [data-testid=stSlider] input[type=range]").nth(nth).input_value())


def main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def test_switch_to_chinese_changes_every_visible_string(server, page):
    """Test that clicking 简体中文 turns title, nav, chart titles and text Chinese and keeps ?start_x."""
    open(page, f"{server.base_url}/?lang=en&start_x=-3.5")
    page.wait_for_selector("[data-testid=lv-chart] .main-svg .gtitle")
    assert slider_value(page) == -3.5
    assert h1(page) == translate("en", "start.title")
    before_text = main_text(page)
    en, zh = catalog("en"), catalog("zh")
    # strings shown in English now that have a different Chinese translation (no placeholders: exact text)
    zh_all = "\n".join(zh.values())  # technical terms (sigmoid, logit, BCELoss) stay in Chinese text too
    shown_en = {k: v for k, v in en.items() if "{" not in v and len(v) >= 4 and v not in zh_all and v in before_text}
    assert len(shown_en) >= 5, shown_en  # the check below has teeth

    switch_language(page, "简体中文", "zh")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=lv-chart] .gtitle')].every(e => /[\\u4e00-\\u9fff]/.test(e.textContent))"
    )
    assert_no_exception(page)

    query = parse_qs(urlsplit(page.url).query)
    assert query.get("lang") == ["zh"], page.url
    assert query.get("start_x") == ["-3.5"], page.url
    assert slider_value(page) == -3.5
    assert selected_language(page) == "简体中文"
    assert h1(page) == translate("zh", "start.title")
    expected_nav = [translate("zh", f"{p.id}.nav") for p in navigation_pages() if (ROOT / p.file).is_file()]
    assert nav_labels(page) == expected_nav
    titles = chart_titles(page)
    assert titles and all(CJK.search(t) for t in titles), titles
    after_text = main_text(page)
    still_english = {k: v for k, v in shown_en.items() if v in after_text}
    assert not still_english, still_english


def test_an_open_code_panel_stays_open_through_the_switch(server, page):
    """Test that the code panel a learner opened (a click) still shows the snippet and torch's output after
    switching to Chinese, and that once closed it stays closed through a slider step."""
    open(page, f"{server.base_url}/bce-vs-logits?lang=en")
    page.locator("[data-testid=stExpander] summary", has_text=translate("en", "common.code_panel")).click()
    page.wait_for_selector("[data-testid=stExpander] [data-testid=stCode]", timeout=60_000)
    wait_finished(page)
    switch_language(page, "简体中文", "zh")
    panel = page.locator("[data-testid=stExpander]", has_text=translate("zh", "common.code_panel"))
    panel.locator("[data-testid=stCode]").first.wait_for(timeout=60_000)
    assert "import torch" in panel.locator("[data-testid=stCode]").first.inner_text()
    assert_no_exception(page)
    panel.locator("summary").click()
    wait_finished(page)
    page.locator(".st-key-bl_scale input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("location.search.includes('bl_scale=')", timeout=60_000)
    wait_finished(page)
    page.wait_for_timeout(500)
    assert page.locator("[data-testid=stExpander] [data-testid=stCode]").count() == 0
