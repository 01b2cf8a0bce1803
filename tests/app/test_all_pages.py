"""AppTest: every page of the syllabus runs without exception in English and Chinese."""

from __future__ import annotations

import pytest

from lossviz.lessons.syllabus import all_pages
from lossviz.text.i18n import translate
from tests.app.helpers import open_page

CASES = [(p, lang) for p in all_pages() for lang in ("en", "zh")]


@pytest.mark.parametrize(("lesson", "lang"), CASES, ids=[f"{p.id}-{lang}" for p, lang in CASES])
def test_page_runs(lesson, lang):
    """Test that the page runs through app.py without exception and shows its translated title."""
    at = open_page(lesson.id, lang)  # asserts no exception
    assert not at.exception
    assert at.title and at.title[0].value == translate(lang, f"{lesson.id}.title")
