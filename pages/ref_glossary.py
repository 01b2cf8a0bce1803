"""Glossary: the terms of the lessons, English ↔ 简体中文, defined in the current language."""

import streamlit as st

from lossviz import ui
from lossviz.lessons import glossary
from lossviz.lessons.syllabus import by_id
from lossviz.text.i18n import LANGS, translate

t = ui.t
ui.page_setup("glossary")
ui.prose("glossary_intro")

query = ui.text("gl_q", t("glossary.search"), "", help=t("glossary.search_help"), max_chars=60)
lang = ui.lang()
entries = [
    {
        "en": translate("en", f"glossary.term_{term}"),
        "zh": translate("zh", f"glossary.term_{term}"),
        "avoid": t("glossary.avoid", variants="、".join(glossary.AVOID_ZH[term])) if term in glossary.AVOID_ZH else "",
        "definition": t(f"glossary.def_{term}"),
        "lesson": t(f"{lesson}.nav"),
        "url": f"{by_id(lesson).url_path}?lang={lang}",
    }
    for term, lesson in glossary.TERMS
]
shown = glossary.matching(entries, query)
if not shown:
    st.info(t("glossary.no_match", query=glossary.plain(query)), icon="🔎")
else:
    st.caption(t("glossary.count", shown=len(shown), total=len(entries)))
    head = (f"{LANGS['en']} · {LANGS['zh']}", t("glossary.definition"))
    st.markdown(glossary.markdown_table(shown, head), unsafe_allow_html=True)
ui.page_links("glossary")
