"""LossViz: understand PyTorch's BCELoss, BCEWithLogitsLoss and CrossEntropyLoss.

The frame: page config, the language switch, and the syllabus as navigation.
Every page also sets itself up (``ui.page_setup``), so it is right even when run alone.
"""

from pathlib import Path

import streamlit as st

from lossviz import ui
from lossviz.lessons.syllabus import EXTRA, LESSONS, SECTIONS, START

st.set_page_config(page_title="LossViz", page_icon="📉", layout="wide")

ui.language_selector()
ui.presenter_toggle()


def _page(lesson, default: bool = False) -> st.Page:
    return st.Page(
        lesson.file,
        title=ui.t(f"{lesson.id}.nav"),
        icon=lesson.icon,
        url_path=lesson.url_path or None,
        default=default,
    )


def _pages(lessons) -> list[st.Page]:
    return [_page(lesson) for lesson in lessons if (ROOT / lesson.file).is_file()]


ROOT = Path(__file__).parent
sections = {ui.t("nav.start"): [_page(START, default=True)]}
for section in SECTIONS[1:]:
    pages = _pages(lesson for lesson in (*LESSONS, *EXTRA) if lesson.section == section)
    if pages:
        sections[ui.t(f"nav.{section}")] = pages
st.navigation(sections).run()
