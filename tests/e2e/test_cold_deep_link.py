"""Cold deep links: the first visit after a server restart must look exactly like a warm one.

Streamlit's legacy ``pages/`` route is taken only by the first script run after a start
(see lossviz/lessons/syllabus.py and tests/app/test_navigation.py), so every case restarts the server.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from lossviz.lessons.syllabus import by_id, navigation_pages
from lossviz.text.i18n import LANGS, translate
from tests.e2e.conftest import ROOT, h1, nav_labels, open, selected_language
from tests.e2e.conftest import switch_language as _switch

pytestmark = pytest.mark.e2e

# (page id, language): lessons in both languages, and the reference page
CASES = [("softmax_ce", "zh"), ("sigmoid_bce", "en"), ("glossary", "zh")]  # one restart each: keep it short


def snapshot(page) -> dict:
    """What a learner sees of the frame: nav labels, title, language switch, URL."""
    url = urlsplit(page.url)
    return {
        "nav": nav_labels(page),
        "h1": h1(page),
        "lang": selected_language(page),
        "url": (url.path, url.query),
        # e.g. Streamlit's "Page not found ... Running the app's main page." modal
        "dialogs": [d.strip() for d in page.locator("[data-testid=stDialog]").all_inner_texts()],
    }


def switch_language(page, lang: str) -> None:
    _switch(page, LANGS[lang], lang)


def expected_nav(lang: str) -> list[str]:
    return [translate(lang, f"{p.id}.nav") for p in navigation_pages() if (ROOT / p.file).is_file()]


@pytest.mark.parametrize(("page_id", "lang"), CASES, ids=[f"{p}-{lang}" for p, lang in CASES])
def test_cold_deep_link_looks_like_a_warm_visit(server, browser, page_id, lang):
    """Test that a deep link opened first after a server restart looks exactly like a warm visit."""
    lesson = by_id(page_id)
    url = f"{server.base_url}/{lesson.url_path}?lang={lang}"
    server.restart()

    cold_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = cold_ctx.new_page()
        open(tab, url)  # the very first session after the restart
        cold = snapshot(tab)
        if cold["dialogs"]:  # asserted below; close it to check the rest
            tab.locator("[data-testid=stDialog] button[aria-label=Close]").first.click()
            tab.locator("[data-testid=stDialog]").first.wait_for(state="detached", timeout=10_000)
        # and it behaves like a warm one: the language switch works and shows its choice
        other = "en" if lang == "zh" else "zh"
        switch_language(tab, other)
        switched = snapshot(tab)
        switch_language(tab, lang)
        back = snapshot(tab)
        later = []  # diagnostics: does a lost selection come back?
        if back["lang"] != LANGS[lang]:
            for _ in range(10):
                tab.wait_for_timeout(200)
                later.append(selected_language(tab) or "-")
        open(tab, f"{server.base_url}/?lang={lang}")
        open(tab, url)
        warm_same_tab = snapshot(tab)
    finally:
        cold_ctx.close()

    warm_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = warm_ctx.new_page()
        open(tab, url)
        warm_new_tab = snapshot(tab)
    finally:
        warm_ctx.close()

    # what it should be, from the catalogs (not raw file names like "l06 softmax ce")
    assert cold["nav"] == expected_nav(lang), cold["nav"]
    assert cold["h1"] == translate(lang, f"{page_id}.title")
    assert cold["lang"] == LANGS[lang]
    assert cold["url"] == (f"/{lesson.url_path}", f"lang={lang}")
    assert switched["lang"] == LANGS[other]
    assert switched["h1"] == translate(other, f"{page_id}.title")
    assert switched["nav"] == expected_nav(other)
    assert switched["url"] == (f"/{lesson.url_path}", f"lang={other}")
    assert {**back, "dialogs": cold["dialogs"]} == cold, f"after switching back; selection over the next 2 s: {later}"
    # and exactly what a warm visit shows
    dialogs = cold.pop("dialogs")
    for warm in (warm_same_tab, warm_new_tab):
        assert not warm.pop("dialogs")
        assert cold == warm
    assert not dialogs, (
        f"the cold deep link shows a dialog a warm visit does not: {dialogs} "
        "(Streamlit's legacy pages/ wrapper ran first and did not find the page)"
    )
