"""The syllabus against Streamlit's legacy ``pages/`` route (see lossviz/lessons/syllabus.py).

A cold deep link after a server restart takes Streamlit's legacy multipage route when its
path equals the page name Streamlit derives from a file in ``pages/``; then ``app.py`` does
not run. So no ``url_path`` may equal such a name. The browser proof is
``tests/e2e/test_cold_deep_link.py``; this is the fast check.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.source_util import page_icon_and_name
from streamlit.testing.v1 import AppTest

from lossviz.lessons.syllabus import EXTRA, LESSONS, START, all_pages

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))


def legacy_names() -> dict[str, str]:
    """Legacy page name (Streamlit's own derivation, as in ``st.Page``) → file, for pages/*.py."""
    return {page_icon_and_name(path)[1]: path.name for path in PAGE_FILES if path.name != "__init__.py"}


def _page_url_paths(files: list[str]) -> dict[str, str]:
    """``st.Page(file).url_path`` computed inside a real script run (it needs the runtime)."""

    def script(files):  # runs inside AppTest
        import streamlit as st

        st.session_state["paths"] = {f: st.Page(f).url_path for f in files}

    at = AppTest.from_function(script, args=(files,), default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state["paths"]


def test_pages_folder_is_not_empty():
    """Test that there are page files to check (the hazard exists only with a pages/ folder)."""
    assert PAGE_FILES


def test_legacy_derivation_matches_st_page():
    """Test that our use of Streamlit's name derivation equals what ``st.Page(path).url_path`` infers."""
    files = [str(p) for p in PAGE_FILES]
    paths = _page_url_paths(files)
    for path in PAGE_FILES:
        assert paths[str(path)] == page_icon_and_name(path)[1], path.name


@pytest.mark.parametrize("lesson", [p for p in all_pages() if p.url_path], ids=lambda p: p.id)
def test_url_path_is_not_a_legacy_page_name(lesson):
    """Test that no url_path equals a page name Streamlit derives from a file in pages/ (legacy route)."""
    names = legacy_names()
    assert lesson.url_path not in names, (
        f"url_path {lesson.url_path!r} of {lesson.id!r} equals the legacy page name of pages/{names[lesson.url_path]}: "
        "a cold deep link after a restart would skip app.py (raw file names in the sidebar, no language switch)"
    )
    # Streamlit compares names exactly; still refuse near-misses (case, '_' vs '-')
    normalised = {n.lower().replace("_", "-") for n in names}
    assert lesson.url_path.lower().replace("_", "-") not in normalised, lesson.url_path


def test_every_lesson_file_exists():
    """Test that every page in the syllabus has its script in pages/."""
    missing = [p.file for p in all_pages() if not (ROOT / p.file).is_file()]
    assert not missing, missing


def test_every_page_file_is_in_the_syllabus():
    """Test that no stray script in pages/ is left out of the navigation."""
    listed = {p.file for p in all_pages()}
    stray = [f"pages/{p.name}" for p in PAGE_FILES if f"pages/{p.name}" not in listed]
    assert not stray, stray


def test_url_paths_unique_and_hyphenated():
    """Test that url_paths are unique, lower-case and hyphen-only; only the Start page has ''."""
    paths = [p.url_path for p in all_pages()]
    assert len(set(paths)) == len(paths), paths
    assert START.url_path == ""
    for lesson in (*LESSONS, *EXTRA):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", lesson.url_path), lesson.url_path


def test_ids_unique():
    """Test that page ids (catalog sections, widget-key prefixes) are unique."""
    ids = [p.id for p in all_pages()]
    assert len(set(ids)) == len(ids), ids


WHY_LINKS = [  # (page, its lead-in key, the lesson it links, the link's parameters: the view that answers it)
    ("sigmoid_bce", "sigmoid_bce.see_log_odds", "log_odds", ""),
    ("ce_vs_bce", "ce_vs_bce.see_entropy_kl", "entropy_kl", ""),
    ("ce_options", "ce_options.see_entropy_kl", "entropy_kl", "ek_view=soft"),
    ("mistakes", "mistakes.see_softmax_ce", "nll_pipeline", ""),
    ("train", "train.see_why_mse", "why_mse", ""),
    ("train", "train.see_reading_loss", "reading_loss", ""),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("page", "lead", "target", "query"), WHY_LINKS, ids=[f"{p}-{t}" for p, _, t, _ in WHY_LINKS])
def test_lessons_link_the_why_lessons(page, lead, target, query, lang):
    """Test that a lesson links the "why" lesson where the learner meets its question: the lead-in sentence in
    the page's language, then a page link labelled with the target lesson's name, to that lesson's script, with
    the parameters of the view that answers it (lesson 8's label smoothing: lesson 12's soft targets)."""
    from lossviz.lessons.syllabus import by_id
    from lossviz.text.i18n import translate
    from tests.app.helpers import open_page, texts

    at = open_page(page, lang, panels=False)
    assert not at.exception
    assert translate(lang, lead) in texts(at)
    links = [(el.proto.label, el.proto.page, el.proto.query_string) for el in at.get("page_link")]
    assert (translate(lang, f"{target}.nav"), Path(by_id(target).file).stem, query) in links
