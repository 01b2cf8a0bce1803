"""The Streamlit layer: the only package in :mod:`lossviz` that imports streamlit (ruff's banned-api
rule, TID251, checks it). Pages write ``ui.slider``, ``ui.plot``, ``ui.quiz``: the page-facing names of
its modules are re-exported here. Every helper sets its own defaults, so a page is correct whether or
not ``app.py`` ran before it.

    lang      the language (``?lang=``), ``t`` and ``prose``, the sidebar switches
    page      page set-up, headings, the end of a page (← previous / next →)
    controls  sliders, number inputs, choices (segmented controls), toggles, text, lazy tabs bound to the URL
    checks    the live torch check and the "PyTorch code for this view" panel
    display   errors, raw messages, charts with summaries, tables, metric rows, lazy panels
    quiz      self-check questions and do-it-on-the-page tasks
    classroom predict-then-reveal cards and the class poll (presenter mode, /join)
    chart     charts that update in place (a custom component)
    drag      drag-to-learn components
    html      pure HTML builders for tables and metric rows (no streamlit)
    launch    ``python -m lossviz.ui.launch``: what ``make run`` starts
    _internals  every private Streamlit / plotly internal, in one place
"""

from lossviz.ui.checks import code_panel, torch_check
from lossviz.ui.classroom import predict_first
from lossviz.ui.controls import choice, link_text, number, number_grid, row, slider, text, text_area, toggle, views
from lossviz.ui.display import metric_row, plot, raw_message, show_error, table
from lossviz.ui.lang import lang, language_selector, presenter_toggle, presenting, prose, t
from lossviz.ui.page import header, lesson_link, page_links, page_setup, sidebar_nav, subheader
from lossviz.ui.quiz import quiz, record_tasks

__all__ = [
    "choice", "code_panel", "header", "lang", "language_selector", "lesson_link", "link_text", "metric_row", "number",
    "number_grid", "page_links", "page_setup", "plot", "predict_first", "presenter_toggle", "presenting", "prose",
    "quiz", "raw_message", "record_tasks", "row", "show_error", "sidebar_nav", "slider", "subheader", "t", "table",
    "text", "text_area", "toggle", "torch_check", "views",
]
