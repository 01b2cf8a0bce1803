"""Real Chromium: the sidebar's syllabus (lossviz.ui.page.sidebar_nav, page links in place of st.navigation's
own menu) is a named navigation landmark that marks the current page, moves between lessons in the same
session, closes the sidebar after a tap on a phone, and is not shown to a student on the class poll."""

from __future__ import annotations

import pytest

from lossviz.lessons.syllabus import HIDDEN, by_id
from lossviz.text.i18n import translate
from tests.e2e.conftest import h1, nav_labels, open, wait_finished

NAV = "[data-testid=stSidebar] .st-key-lv_nav"
LINK = NAV + " [data-testid=stPageLink-NavLink]"


def current(page) -> list[str]:
    """Labels of the links marked aria-current=page."""
    return page.eval_on_selector_all(
        LINK + "[aria-current=page]",
        "(els) => els.map((e) => e.querySelector('[data-testid=stMarkdownContainer]').innerText.trim())")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nav_is_a_named_landmark_that_marks_this_page(server, page, lang):
    """Test that the syllabus is a navigation landmark named in the page's language, with every lesson in
    order and exactly this page marked current, and that a click moves to another lesson (same tab)."""
    open(page, f"{server.base_url}/entropy-kl?lang={lang}")
    page.wait_for_selector(NAV + "[role=navigation]")  # set by the frame's script once the page has run
    nav = page.locator(NAV)
    assert nav.get_attribute("role") == "navigation"
    assert nav.get_attribute("aria-label") == translate(lang, "common.frame_nav")
    labels = nav_labels(page)
    assert translate(lang, "entropy_kl.nav") in labels and translate(lang, "why_mse.nav") in labels
    assert len(labels) == len(set(labels)) >= 15
    assert current(page) == [translate(lang, "entropy_kl.nav")]

    page.evaluate("window.__sameTab = 1")
    page.locator(LINK, has_text=translate(lang, "why_mse.nav")).click()
    page.wait_for_url(f"**/{by_id('why_mse').url_path}**")
    wait_finished(page)
    page.wait_for_function(f"() => document.querySelector('{NAV} a[aria-current=page]')?.innerText.includes("
                           f"{translate(lang, 'why_mse.nav')!r})")
    assert h1(page) == translate(lang, "why_mse.title")
    assert current(page) == [translate(lang, "why_mse.nav")]
    assert page.evaluate("window.__sameTab") == 1  # moved inside the app, no page load


def test_start_page_is_current_at_the_root(server, page):
    """Test that at the app's root the start page's link is the current one (its link has an empty path)."""
    open(page, f"{server.base_url}/?lang=en")
    page.wait_for_selector(LINK + "[aria-current=page]")
    assert current(page) == [translate("en", "start.nav")]


def test_a_tap_on_a_phone_closes_the_sidebar(server, browser):
    """Test that at 375 px a tap on a lesson in the opened sidebar shows that lesson with the sidebar closed."""
    ctx = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    try:
        phone = ctx.new_page()
        open(phone, f"{server.base_url}/entropy-kl?lang=en")
        sidebar = phone.locator("[data-testid=stSidebar]")
        assert not sidebar.is_visible()
        phone.locator("[data-testid=stExpandSidebarButton]").first.click()
        sidebar.wait_for(state="visible")
        phone.locator(LINK, has_text=translate("en", "why_mse.nav")).click()
        phone.wait_for_url(f"**/{by_id('why_mse').url_path}**")
        wait_finished(phone)
        sidebar.wait_for(state="hidden")
        assert h1(phone) == translate("en", "why_mse.title")
    finally:
        ctx.close()


def test_no_syllabus_on_the_class_poll_join_page(server, page):
    """Test that a student's phone on the join page gets no lesson links in the sidebar."""
    open(page, f"{server.base_url}/{HIDDEN[0].url_path}?lang=en")
    assert page.locator(LINK).count() == 0
