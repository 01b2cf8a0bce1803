"""Every page, opened cold by deep link in each language, renders without exception and shows its charts."""

from __future__ import annotations

import pytest

from lossviz.lessons.syllabus import all_pages
from lossviz.text.i18n import translate
from tests.e2e.conftest import h1, open

pytestmark = pytest.mark.e2e

NO_CHARTS = {"glossary", "doctor", "classroom"}  # pages that have no plotly chart by design
CHART_TIMEOUT = 30_000  # ms for plotly.js to draw after the script finished

CASES = [(p, lang) for p in all_pages() for lang in ("en", "zh")]


@pytest.mark.parametrize(("lesson", "lang"), CASES, ids=[f"{p.id}-{lang}" for p, lang in CASES])
def test_page_renders(server, page, lesson, lang):
    """Test that the page runs without exception, shows its translated title and, if it has charts, draws one."""
    open(page, f"{server.base_url}/{lesson.url_path}?lang={lang}")
    assert h1(page) == translate(lang, f"{lesson.id}.title")
    if lesson.id in NO_CHARTS:
        return
    page.wait_for_selector("[data-testid=lv-chart] .main-svg", timeout=CHART_TIMEOUT)
    assert page.locator("[data-testid=lv-chart] .main-svg").count() >= 1
