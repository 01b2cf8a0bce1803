"""LossViz: understand PyTorch's BCELoss, BCEWithLogitsLoss and CrossEntropyLoss.

The frame: page config, the language switch, and the syllabus as navigation.
Every page also sets itself up (``ui.page_setup``), so it is right even when run alone.
"""

from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from lossviz import ui
from lossviz.lessons.syllabus import EXTRA, HIDDEN, LESSONS, SECTIONS, START

st.set_page_config(page_title="LossViz", page_icon="📉", layout="wide")


def _page(lesson, default: bool = False, visibility: str = "visible") -> st.Page:
    return st.Page(
        lesson.file,
        title=ui.t(f"{lesson.id}.nav"),
        icon=lesson.icon,
        url_path=lesson.url_path or None,
        default=default,
        visibility=visibility,
    )


def _pages(lessons) -> list[st.Page]:
    return [_page(lesson) for lesson in lessons if (ROOT / lesson.file).is_file()]


ROOT = Path(__file__).parent
sections = {ui.t("nav.start"): [_page(START, default=True)]}
for section in SECTIONS[1:]:
    pages = _pages(lesson for lesson in (*LESSONS, *EXTRA) if lesson.section == section)
    if pages:
        sections[ui.t(f"nav.{section}")] = pages
sections[ui.t("nav.reference")] = [*sections.get(ui.t("nav.reference"), []),
                                   *(_page(lesson, visibility="hidden") for lesson in HIDDEN)]
# The syllabus is drawn by ui.sidebar_nav, not by st.navigation's own menu (see there). A student's phone on the
# class poll sees the poll only, not the syllabus.
nav = st.navigation(sections, position="hidden")
if not urlsplit(st.context.url or "").path.rstrip("/").endswith("/" + HIDDEN[0].url_path):
    ui.sidebar_nav(sections)
ui.language_selector()
ui.presenter_toggle()
nav.run()
