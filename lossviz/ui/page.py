"""The frame of every page: set-up (language in the URL, presenter styling, title, link bar), section
headings, and the end of the page (unknown link parameters noticed, ← previous / next →)."""

from __future__ import annotations

import html
from pathlib import Path

import streamlit as st

from lossviz.lessons.syllabus import LESSONS, START, all_pages, by_id
from lossviz.ui import _internals
from lossviz.ui import chart as ui_chart
from lossviz.ui.lang import presenting, sync_language, t

PAGE_MEMORY = "lv_page"  # plain session key: the page this run shows (set by page_setup)
HIDE_PARAM = "hide"  # ?hide=code,quiz,links,predict: panels left out for a clean embed (slides)
HIDEABLE = ("code", "quiz", "links", "predict")  # code_panel, quiz, page_links/lesson_link/sidebar_nav, predict_first
_HERE = Path(__file__).parent
_frame_component = st.components.v2.component(
    "lossviz_frame",
    html=(_HERE / "web" / "frame.html").read_text(encoding="utf-8"),
    css=(_HERE / "web" / "frame.css").read_text(encoding="utf-8"),
    js=(_HERE / "web" / "frame.js").read_text(encoding="utf-8"),
)
# The page's own CSS (tables, metrics, page links; presenter mode; phone width): lossviz/ui/style.css
_CSS = (_HERE / "style.css").read_text(encoding="utf-8")
_PRESENTER_CSS = (_HERE / "presenter.css").read_text(encoding="utf-8")


def hide_flags() -> tuple[frozenset[str], tuple[str, ...]]:
    """``?hide=``: (the panels to leave out, the names that are none of ``HIDEABLE``), once per run.

    Comma- or space-separated, any case (``?hide=code,quiz``); the flag stays in the URL, so the
    frame's "copy link" and a reload keep the embed clean."""
    def parse():
        raw = st.query_params.get(HIDE_PARAM) or ""
        names = [n.strip().lower() for n in raw.replace(" ", ",").split(",") if n.strip()]
        return frozenset(n for n in names if n in HIDEABLE), tuple(dict.fromkeys(n for n in names if n not in HIDEABLE))
    return _internals.per_run("_lv_hide", parse)


def hidden(panel: str) -> bool:
    """Whether ``?hide=`` leaves out ``panel`` (one of ``HIDEABLE``)."""
    return panel in hide_flags()[0]


def _hide_notice() -> None:
    unknown = hide_flags()[1]
    if unknown:
        st.caption("⚠️ " + t("common.bad_url_value", name=HIDE_PARAM, value=", ".join(n[:20] for n in unknown[:5])[:40]))


def page_setup(page_id: str) -> None:
    """First call of every page: language in the URL, presenter styling, the title, the link bar."""
    current = sync_language()
    st.session_state[PAGE_MEMORY] = page_id
    present = presenting()
    css = _CSS + _PRESENTER_CSS if present else _CSS
    st.html("<style>" + css + "</style>" + ui_chart.preload_html(), unsafe_allow_javascript=True)
    st.title(t(f"{page_id}.title"))
    prev_path, next_path = _neighbours(page_id)
    _frame_component(
        key="lv_frame",
        data={
            "lang": current,
            "present": present,
            "prev": prev_path,
            "next": next_path,
            "labels": {
                k: t(f"common.frame_{k}")
                for k in ("copy", "copied", "select", "keys", "exit", "formula", "table", "code", "nav")
            },
        },
    )
    _hide_notice()


NAV_KEY = "lv_nav"  # the sidebar's navigation container (class st-key-lv_nav)


def sidebar_nav(sections: dict) -> None:
    """The syllabus in the sidebar: per section a heading and one ``st.page_link`` per visible page.

    In place of ``st.navigation``'s own sidebar menu (the app calls it with ``position="hidden"``): the
    browser re-renders that menu in full, ~370 components, on every commit of every step of every page
    (bench/README.md), and page links it does not. Same look (the current page highlighted by Streamlit);
    lossviz/ui/web/frame.js gives the container its navigation landmark and ``aria-current``, and closes
    the sidebar after a tap on a phone, as the built-in menu does. None with ``?hide=links`` (an embed in
    slides keeps the learner on its lesson)."""
    if hidden("links"):
        return
    box = st.sidebar.container(key=NAV_KEY)
    for title, pages in sections.items():
        visible = [p for p in pages if p.visibility != "hidden"]
        if visible:
            box.markdown(f'<p class="lv-nav-section">{html.escape(title)}</p>', unsafe_allow_html=True)
        for p in visible:
            box.page_link(p, label=p.title, icon=p.icon)


def _neighbours(page_id: str) -> tuple[str | None, str | None]:
    """URL paths of the previous and next page in the syllabus (None at the ends)."""
    paths = [p.url_path for p in all_pages()]
    ids = [p.id for p in all_pages()]
    if page_id not in ids:
        return None, None
    i = ids.index(page_id)
    return (paths[i - 1] if i > 0 else None), (paths[i + 1] if i + 1 < len(paths) else None)


def header(text: str) -> None:
    """A section heading: what ``st.header`` draws, as Markdown (``## text``). See ``subheader``."""
    st.markdown("## " + text)


def subheader(text: str) -> None:
    """A heading within a section: what ``st.subheader`` draws, as Markdown (``### text``).

    The page looks the same (pixel-identical screenshots), but a heading element re-renders in
    full (~15 components) on every commit of every step, and a Markdown one does not: on Softmax
    ~5 ms a step (bench/README.md)."""
    st.markdown("### " + text)


def _drop_unknown_params() -> None:
    """Link parameters no control on this page reads: drop them from the URL, with a notice."""
    known = {"lang", "present", HIDE_PARAM} | {str(k) for k in st.session_state.keys()} | _internals.known_params()
    unknown = [k for k in st.query_params.keys() if k not in known]
    if unknown:
        for key in unknown:
            st.query_params.pop(key, None)
        st.toast(t("common.unknown_params", names=", ".join(k[:30] for k in unknown[:5])), icon="ℹ️")


def lesson_link(page_id: str, lead: str, params: dict[str, str] | None = None) -> None:
    """A pointer to another lesson where the learner meets its question: the lead-in sentence, then a
    link labelled with that lesson's name (``<id>.nav``); ``params``: the link's parameters, e.g. the tab
    that answers the question (``{"ek_view": "soft"}``). Nothing for a page the syllabus lacks, or with
    ``?hide=links`` (a slide has no use for a link)."""
    if hidden("links"):
        return
    try:
        lesson = by_id(page_id)
    except KeyError:
        return
    st.markdown(lead)
    st.page_link(lesson.file, label=t(f"{page_id}.nav"), icon=lesson.icon, query_params=params)


def page_links(page_id: str) -> None:
    """The end of every page: unknown link parameters noticed, then ← previous / next → links."""
    _drop_unknown_params()
    if hidden("links"):
        return
    order = [START, *LESSONS]
    ids = [p.id for p in order]
    if page_id not in ids:
        return
    i = ids.index(page_id)
    cols = st.columns(2)
    if i > 0:
        prev = order[i - 1]
        cols[0].page_link(prev.file, label="← " + t(f"{prev.id}.nav"), icon=prev.icon)
    if i + 1 < len(order):
        nxt = order[i + 1]
        cols[1].page_link(nxt.file, label=t(f"{nxt.id}.nav") + " →", icon=nxt.icon)
