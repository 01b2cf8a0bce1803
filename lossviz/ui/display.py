"""Showing things: errors, raw messages, charts with their summaries, tables, metric rows, lazy panels."""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from lossviz.core.errors import LossVizError
from lossviz.ui import chart as ui_chart
from lossviz.ui import html as ui_html
from lossviz.ui.lang import t
from lossviz.ui.page import PAGE_MEMORY

PANELS_OPEN = "lv_panels_open"  # plain session key: {(page id, panel key): open} of the lazy panels


def show_error(exc: LossVizError) -> None:
    """A loss-core error in the learner's language, with torch's own message beneath."""
    st.error(t(f"error.{exc.code}", **{k: str(v) for k, v in exc.params.items()}))
    st.caption(t("common.torch_says", kind=type(exc).__mro__[2].__name__, message=str(exc)))


def raw_message(text: str) -> None:
    """A program's message (e.g. torch's error) or one line of code, preformatted and wrapped, as
    plain escaped text.

    Not ``st.code``: its syntax highlighter is a 1.5 MB chunk the browser loads and runs before
    the first chart on a cold visit, for text that needs no highlighting (Common mistakes' key
    line through ``st.code``: first render p50 2024 ms, 1765 ms through here, side by side, 10 each).
    """
    st.html('<pre data-testid="lv-raw-message" style="white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; '
            'padding: 0.75rem 1rem; border-radius: 0.5rem; background: rgba(128, 128, 128, 0.12); font-size: 0.85rem">'
            f"{html.escape(text)}</pre>")


def panel(label: str, *, key: str, icon: str, expanded: bool = False):
    """A lazy panel (an expander that reruns the page when opened or closed) that stays open or
    closed through a language switch and a visit to another page.

    Streamlit's expander id includes its label and ``expanded``: a translated label is a new,
    closed expander. So the open state is kept per page and key, and handed back as ``expanded``;
    the expander gets a new id on the run after a click, already in the state it was left in."""
    memory: dict = st.session_state.setdefault(PANELS_OPEN, {})
    where = (st.session_state.get(PAGE_MEMORY), key)
    panel = st.expander(label, expanded=memory.get(where, expanded), icon=icon, key=key, on_change="rerun")
    memory[where] = panel.open
    return panel


def plot(fig, key: str, summary: str) -> None:
    """A chart plus its text summary (for screen readers and for the eye), plain text.

    The summary is part of the chart element (its caption), not an ``st.caption`` of its own: one
    element fewer per chart for the browser to re-render on every step (bench/README.md), and the
    summary stays under the chart in full screen."""
    ui_chart.chart(fig, key=key, failed=t("common.chart_failed"), fullscreen=t("common.chart_fullscreen"),
                   summary=summary)


def table(data, *, highlight: Sequence[bool] | None = None) -> None:
    """A table of strings, columns (header → cells) or rows (dicts): see ``ui_html.html_table``."""
    st.markdown(ui_html.html_table(data, highlight=highlight), unsafe_allow_html=True)


def metric_row(items: Sequence[tuple[str, str]]) -> None:
    """A row of (label, value) metrics that wraps on a phone: see ``ui_html.html_metrics``."""
    st.markdown(ui_html.html_metrics(items), unsafe_allow_html=True)
