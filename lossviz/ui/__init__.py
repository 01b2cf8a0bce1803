"""Streamlit helpers every page uses: language, URL-bound controls, checks, panels.

The only module in :mod:`lossviz` that imports streamlit (besides ``ui_*``). Every helper
sets its own defaults, so a page is correct whether or not ``app.py`` ran before it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import html
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lossviz import tables
from lossviz.core import torch_ref
from lossviz.core.errors import LossVizError
from lossviz.text import fmt
from lossviz.text.i18n import DEFAULT_LANG, LANGS, normalize_lang, translate
from lossviz.text.i18n import prose as _prose
from lossviz.ui import chart as ui_chart

_WEB = Path(__file__).parent / "web"
_frame_component = st.components.v2.component(
    "lossviz_frame",
    html=(_WEB / "frame.html").read_text(encoding="utf-8"),
    css=(_WEB / "frame.css").read_text(encoding="utf-8"),
    js=(_WEB / "frame.js").read_text(encoding="utf-8"),
)

LANG_KEY = "ui_lang"  # session key of the language selector widget
LANG_MEMORY = "lv_lang"  # plain session key: the language last in use
PAGE_MEMORY = "lv_page"  # plain session key: the page this run shows (set by page_setup)
PANELS_OPEN = "lv_panels_open"  # plain session key: {(page id, panel key): open} of the lazy panels


# ----------------------------------------------------------------- language --


def lang() -> str:
    """The current language: ``?lang=`` if valid, else the last choice, else the browser's.

    Worked out once per script run (every ``t()`` asks; ~14 µs each through Streamlit's proxies,
    ~120 times per rerun on a lesson). It cannot change within a run: the language switch's
    callback runs before the script, and ``sync_language`` only writes back this same value.
    The run is told apart by the identity of Streamlit's per-run cursor dict."""
    ctx = get_script_run_ctx()
    run = getattr(ctx, "cursors", None)
    memo = getattr(ctx, "_lv_lang", None)
    if run is not None and memo is not None and memo[0] is run:
        return memo[1]
    value = _resolve_lang()
    if run is not None:
        ctx._lv_lang = (run, value)
    return value


def _resolve_lang() -> str:
    from_url = normalize_lang(st.query_params.get("lang"))
    if from_url:
        return from_url
    chosen = st.session_state.get(LANG_MEMORY)
    if chosen in LANGS:
        return chosen
    try:
        locale = st.context.locale
    except Exception:  # no browser context (AppTest, bare script run)
        locale = None
    return normalize_lang(locale) or DEFAULT_LANG


def t(key: str, /, **fmt_args: object) -> str:
    """Translate ``key`` into the current language."""
    return translate(lang(), key, **fmt_args)


def prose(name: str) -> None:
    """Render the Markdown prose file ``name`` in the current language."""
    text = _prose(lang(), name)
    if text:
        st.markdown(text)


def _on_language_change() -> None:
    st.query_params["lang"] = st.session_state[LANG_MEMORY] = st.session_state[LANG_KEY]


def sync_language() -> str:
    """Resolve the language, keep it in the URL and in the selector's state; return it."""
    current = lang()
    bad = st.query_params.get("lang")
    if bad is not None and normalize_lang(bad) is None:
        st.toast(translate(current, "common.bad_lang", value=str(bad)[:40]))
    if st.query_params.get("lang") != current:
        st.query_params["lang"] = current
    st.session_state[LANG_MEMORY] = current
    return current


@contextlib.contextmanager
def _frame_widget_ids():
    """Give the frame's sidebar widgets the same element ids in every run.

    The first run after a server start goes through Streamlit's legacy ``pages/`` wrapper,
    which runs ``app.py`` under another script hash than every later run; the widgets'
    ids (hashed with it) then change after the first click, and the language switch showed
    no selection in that first session. Pinning the hash to the main script's (what ``app.py``
    runs under normally) keeps the ids stable; a no-op in every normal run.
    """

    ctx = get_script_run_ctx()
    if ctx is None:
        yield
        return
    with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):
        yield


def language_selector() -> None:
    """The English / 简体中文 switch (in the sidebar); the choice goes into ``?lang=``."""
    current = sync_language()
    if st.session_state.get(LANG_KEY) != current:
        st.session_state[LANG_KEY] = current  # before the widget exists: allowed
    with _frame_widget_ids():
        st.sidebar.segmented_control(
            "Language · 语言",
            options=list(LANGS),
            format_func=LANGS.__getitem__,
            key=LANG_KEY,
            on_change=_on_language_change,
            selection_mode="single",
            required=True,
        )


def presenting() -> bool:
    """``?present=1``: classroom presenter mode."""
    return st.query_params.get("present") in ("1", "true", "yes")


def _on_presenter_change() -> None:
    if st.session_state["ui_present"]:
        st.query_params["present"] = "1"
    else:
        st.query_params.pop("present", None)


def presenter_toggle() -> None:
    """The sidebar switch for ``?present=1`` (kept in the URL as ``1``, so teachers can link it)."""
    st.session_state["ui_present"] = presenting()
    with _frame_widget_ids():
        st.sidebar.toggle(
            t("common.present"), key="ui_present", help=t("common.present_help"), on_change=_on_presenter_change
        )


# ------------------------------------------------------------- page set-up --


# ui.table: numbers right-aligned with digits of one width, tinted rows (translucent vermillion: a tint on
# the light theme and on the dark one, the text stays readable on both); a wide table scrolls sideways in
# its own box, and on a phone its cells keep one line ("[0, 3]", 0.8543552)
_HTML_CSS = (f".{tables.CLASS}{{overflow-x:auto;margin-bottom:1rem}}"
             f".{tables.CLASS} table{{margin:0;width:100%;font-size:.875rem}}"
             f".{tables.CLASS} :is(td,th){{padding:.25rem .5rem;line-height:1.4}}"
             f".{tables.CLASS} .num{{text-align:right;font-variant-numeric:tabular-nums}}"
             f".{tables.CLASS} tr.hl td{{background-color:rgba(213,94,0,.22)}}"
             # ui.metric_row: st.metric's look (a small label over a 2.25rem number) as a grid, one
             # column per pair while they fit, else as many as fit, two a row on a phone. Each pair is a
             # subgrid of two rows: a label that wraps to two lines keeps its value level with its row's
             f".{tables.METRICS_CLASS}{{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));"
             "gap:.25rem 1rem;margin:0 0 1rem}"
             f".{tables.METRICS_CLASS}>div{{min-width:0;display:grid;grid-row:span 2;grid-template-rows:subgrid}}"
             f".{tables.METRICS_CLASS} dt{{font-weight:400;font-size:.875rem;line-height:1.4;margin:0}}"
             f".{tables.METRICS_CLASS} dd{{margin:0 0 .5rem;font-size:2.25rem;line-height:1.2;"
             "font-variant-numeric:tabular-nums;overflow-wrap:anywhere}"
             f".{tables.METRICS_CLASS}>.long dd{{font-size:1.5rem;line-height:1.5}}"
             f".{tables.METRICS_CLASS}>.text dd{{font-size:1.25rem;line-height:1.4}}"
             # page links in the page (Start's syllabus, ← previous / next →): a label longer than the
             # column wraps instead of being cut off (Streamlit keeps it on one line)
             "[data-testid=stMain] [data-testid=stPageLink] a :is(span,div,p){white-space:normal}"
             "[data-testid=stMain] [data-testid=stPageLink] a>span:last-child{overflow:visible}")
_PRESENTER_CSS = (
    "<style>html{font-size:22px}"
    "[data-testid=stSidebar],[data-testid=stSidebarCollapsedControl],[data-testid=stExpandSidebarButton],"
    "[data-testid=stHeader]{display:none}"
    ".block-container{max-width:100%;padding-top:1rem}" + _HTML_CSS + "</style>"
)
_PHONE_CSS = ("<style>" + _HTML_CSS + "@media (max-width: 640px){[data-testid=stMain] h1{font-size:2rem}"
              f".{tables.CLASS} :is(td,th){{white-space:nowrap}}"
              f".{tables.METRICS_CLASS}{{grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr))}}"
              f".{tables.METRICS_CLASS} dd{{font-size:1.75rem}}"
              f".{tables.METRICS_CLASS}>.long{{grid-column:1/-1}}}}</style>")


def page_setup(page_id: str) -> None:
    """First call of every page: language in the URL, presenter styling, the title, the link bar."""
    current = sync_language()
    st.session_state[PAGE_MEMORY] = page_id
    present = presenting()
    st.html((_PRESENTER_CSS if present else _PHONE_CSS) + ui_chart.preload_html(), unsafe_allow_javascript=True)
    st.title(t(f"{page_id}.title"))
    prev_path, next_path = _neighbours(page_id)
    _frame_component(
        key="lv_frame",
        data={
            "lang": current,
            "present": present,
            "prev": prev_path,
            "next": next_path,
            "labels": {k: t(f"common.frame_{k}") for k in ("copy", "copied", "select", "keys", "exit")},
        },
    )


def _neighbours(page_id: str) -> tuple[str | None, str | None]:
    """URL paths of the previous and next page in the syllabus (None at the ends)."""
    from lossviz.lessons import all_pages

    paths = [p.url_path for p in all_pages()]
    ids = [p.id for p in all_pages()]
    if page_id not in ids:
        return None, None
    i = ids.index(page_id)
    return (paths[i - 1] if i > 0 else None), (paths[i + 1] if i + 1 < len(paths) else None)


# ------------------------------------------------------- URL-bound controls --


def _url_value(key: str) -> str | None:
    value = st.query_params.get(key)
    return None if value is None else str(value)


def _bad_url_notice(key: str, raw: str, label: str) -> None:
    st.caption("⚠️ " + t("common.bad_url_value", name=label, value=raw[:40]))


def _check_url_number(key: str, label: str, lo: float, hi: float) -> None:
    raw = _url_value(key)
    if raw is None or key in st.session_state:
        return
    try:
        v = float(raw)
    except ValueError:
        v = math.nan
    if not (math.isfinite(v) and lo <= v <= hi):
        _bad_url_notice(key, raw, label)
        _forget_url_value(key)


def _forget_url_value(key: str) -> None:
    """The widget starts at its default instead of reading ``?<key>=`` from the link.

    Streamlit seeds a bound widget from the query string the page was opened with and falls back
    to the default on a value it cannot parse, but an integer number input raises OverflowError on
    an infinite one ("1e309", "-inf": ``int(inf)``; 1.67 catches ValueError and TypeError only),
    and the page would fail on every rerun. The seed string lives in Streamlit's QueryParams
    (``_initial_query_params``, no public API); the param is also dropped from the address bar,
    as Streamlit does with values it rejects."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        with ctx.session_state.query_params() as qp:
            qp._initial_query_params.pop(key, None)
    st.query_params.pop(key, None)


def slider(
    key: str,
    label: str,
    lo: float,
    hi: float,
    default: float,
    step: float,
    *,
    help: str | None = None,
    container=st,
    fmt_str: str | None = None,
) -> float:
    """A slider bound to ``?<key>=``; a bad URL value gets a notice and the default."""
    _check_url_number(key, label, lo, hi)
    return container.slider(
        label, lo, hi, default, step, key=key, bind="query-params", help=help, format=fmt_str
    )


def number(
    key: str,
    label: str,
    lo: float,
    hi: float,
    default: float,
    step: float,
    *,
    help: str | None = None,
    container=st,
    fmt_str: str | None = None,
) -> float:
    """A number input bound to ``?<key>=``; typing outside [lo, hi] is refused by the widget."""
    _check_url_number(key, label, lo, hi)
    return container.number_input(
        label,
        min_value=lo,
        max_value=hi,
        value=default,
        step=step,
        key=key,
        bind="query-params",
        help=help,
        format=fmt_str,
    )


def choice(
    key: str,
    label: str,
    options: Sequence,
    default,
    *,
    format_func: Callable = str,
    horizontal: bool = True,
    container=st,
    help: str | None = None,
):
    """A radio kept in ``?<key>=<option>``; an unknown URL value gets a notice and the default.

    The URL holds ``str(option)``, never the displayed text: Streamlit's own binding writes the
    *formatted* label into the URL, which would make a link depend on the language when
    ``format_func`` translates. So the binding is done here, by hand.
    """
    options = list(options)
    codes = [str(o) for o in options]
    if key not in st.session_state:
        raw = _url_value(key)
        if raw is not None and raw not in codes:
            _bad_url_notice(key, raw, label)
            st.query_params.pop(key, None)
        st.session_state[key] = options[codes.index(raw)] if raw in codes else default
    elif st.session_state[key] not in options:  # e.g. fewer classes than before
        st.session_state[key] = default

    value = container.radio(label, options, format_func=format_func, horizontal=horizontal, key=key, help=help)
    wanted = None if value == default else str(value)  # set here, so a drag's new value reaches the URL too
    if st.query_params.get(key) != wanted:
        if wanted is None:
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = wanted
    return value


def toggle(key: str, label: str, default: bool = False, *, container=st, help: str | None = None) -> bool:
    """A toggle bound to ``?<key>=``."""
    return container.toggle(label, value=default, key=key, bind="query-params", help=help)


def text(key: str, label: str, default: str = "", *, container=st, help: str | None = None, max_chars: int = 400) -> str:
    """A one-line text input bound to ``?<key>=`` (e.g. a small matrix for ``lossviz.core.parse``)."""
    value = container.text_input(label, value=default, key=key, bind="query-params", help=help, max_chars=max_chars)
    return "" if value is None else str(value)


# ----------------------------------------------------------- numbers & checks --


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
    st.html('<pre data-testid="lv-raw-message" style="white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; padding: 0.75rem 1rem; '
            'border-radius: 0.5rem; background: rgba(128, 128, 128, 0.12); font-size: 0.85rem">'
            f"{html.escape(text)}</pre>")


@st.cache_resource(show_spinner=False)
def _warm_torch() -> str:
    version = torch_ref.torch_version()
    _freeze_heap()
    return version


def _freeze_heap() -> None:
    """Move everything alive now (torch, plotly, pandas, streamlit: ~250k long-lived objects) out
    of the garbage collector's sight, once per process. Streamlit runs ``gc.collect()`` after every
    script run (runner.postScriptGC); traversing that heap cost ~110 ms of CPU per rerun, about
    half of a slider step. Objects created later are collected as before."""
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401 - long-lived: freeze them too

    gc.collect()
    gc.freeze()


_NO_KEY = object()


def _freeze(v):
    """A hashable key that rebuilds ``v`` exactly (arrays by dtype, shape and bytes), or _NO_KEY."""
    if v is None or isinstance(v, (bool, int, str)):
        return ("p", type(v).__name__, v)
    if isinstance(v, float):
        return ("f", repr(v))  # repr: -0.0 and 0.0 stay apart, nan finds itself
    if isinstance(v, (np.ndarray, np.generic)):
        a = np.asarray(v)
        return ("g" if isinstance(v, np.generic) else "a", a.dtype, a.shape, a.tobytes())
    return _NO_KEY


def _thaw(k):
    if k[0] == "p":
        return k[2]
    if k[0] == "f":
        return float(k[1])
    a = np.frombuffer(k[3], dtype=k[1]).reshape(k[2]).copy()
    return a[()] if k[0] == "g" else a


@functools.lru_cache(maxsize=512)
def _checked_cached(name: str, key: tuple):
    input, target, kw = _thaw(key[0]), _thaw(key[1]), {k: _thaw(v) for k, v in key[2]}
    mine = torch_ref.ours(name, input, target, **kw)
    ref = torch_ref.reference(name, input, target, **kw)
    return mine, ref, torch_ref.agrees(mine, ref)


def _checked(name: str, input, target, kwargs: dict):
    """(ours, torch's, agree?) for one call; cached by the call's exact inputs when they are
    arrays/scalars (the same view is checked on every rerun and by every learner)."""
    key = (_freeze(input), _freeze(target), tuple((k, _freeze(v)) for k, v in sorted(kwargs.items())))
    if _NO_KEY in key[:2] or any(v is _NO_KEY for _, v in key[2]):
        mine = torch_ref.ours(name, input, target, **kwargs)
        ref = torch_ref.reference(name, input, target, **kwargs)
        return mine, ref, torch_ref.agrees(mine, ref)
    return _checked_cached(name, key)


@st.cache_data(max_entries=1024, show_spinner=False)
def _snippet_output(code: str) -> str:
    """What the generated snippet ``code`` prints (deterministic: fixed inputs and seeds)."""
    from lossviz.text import codegen

    return codegen.run(code)


def torch_check(name: str, input, target, **kwargs) -> bool:
    """Run the same call in torch and say, in one line, whether lossviz agrees with it."""
    version = _warm_torch()
    mine, ref, ok = _checked(name, input, target, kwargs)
    if ref.error is not None:
        text = t("common.check_error", version=version, kind=ref.error_kind) if ok else t(
            "common.check_mismatch", version=version
        )
    elif ok:
        value = ref.value if np.ndim(ref.value) == 0 else np.sum(ref.value)
        text = t("common.check_ok", version=version, value=fmt.value(value))
    else:
        text = t("common.check_mismatch", version=version)
    (st.success if ok else st.error)(text, icon="✅" if ok else "❌")
    return ok


def code_panel(code: str, *, key: str = "lv_code", expanded: bool = False) -> None:
    """The "PyTorch code for this view" panel: the snippet and its real output.

    Lazy: the snippet is highlighted and run in torch only while the panel is open (opening it
    reruns the page). A closed panel costs the browser no syntax highlighter on first render
    (~0.4 s of main-thread work, bench/README.md) and the server no torch run per step."""
    if presenting():
        return
    panel = _panel(t("common.code_panel"), key=key, icon="🐍", expanded=expanded)
    if not panel.open:
        return
    with panel:
        st.code(code, language="python")
        st.caption(t("common.code_output", version=_warm_torch()))
        st.code(_snippet_output(code) or " ", language="text")


def _panel(label: str, *, key: str, icon: str, expanded: bool = False):
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


def header(text: str) -> None:
    """A section heading: what ``st.header`` draws, as Markdown (``## text``). See ``subheader``."""
    st.markdown("## " + text)


def subheader(text: str) -> None:
    """A heading within a section: what ``st.subheader`` draws, as Markdown (``### text``).

    The page looks the same (pixel-identical screenshots), but a heading element re-renders in
    full (~15 components) on every commit of every step, and a Markdown one does not: on Softmax
    ~5 ms a step (bench/README.md)."""
    st.markdown("### " + text)


def table(data, *, highlight: Sequence[bool] | None = None) -> None:
    """A table of strings, columns (header → cells) or rows (dicts): see ``tables.html_table``."""
    st.markdown(tables.html_table(data, highlight=highlight), unsafe_allow_html=True)


def metric_row(items: Sequence[tuple[str, str]]) -> None:
    """A row of (label, value) metrics that wraps on a phone: see ``tables.html_metrics``."""
    st.markdown(tables.html_metrics(items), unsafe_allow_html=True)


def _drop_unknown_params() -> None:
    """Link parameters no control on this page reads: drop them from the URL, with a notice."""
    known = {"lang", "present"} | {str(k) for k in st.session_state.keys()}
    unknown = [k for k in st.query_params.keys() if k not in known]
    if unknown:
        for key in unknown:
            st.query_params.pop(key, None)
        st.toast(t("common.unknown_params", names=", ".join(k[:30] for k in unknown[:5])), icon="ℹ️")


def page_links(page_id: str) -> None:
    """The end of every page: unknown link parameters noticed, then ← previous / next → links."""
    from lossviz.lessons import LESSONS, START

    _drop_unknown_params()
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


# --------------------------------------------------------------- self-check --


def record_tasks(page_id: str, tasks: dict[str, bool]) -> None:
    """Record the do-it-on-the-page ``tasks`` achieved now (``{tid: done_now}``); progress lives
    in the session and a done task stays done.

    For a part of a page that is an ``st.fragment``, whose reruns leave the quiz below as it was:
    a task newly done in a fragment-only run, while the quiz is open, reruns the whole page once,
    so the quiz shows it."""
    done: set[str] = st.session_state.setdefault("quiz_done", set())
    new = {f"task_{page_id}_{tid}" for tid, achieved in tasks.items() if achieved} - done
    done |= new
    ctx = get_script_run_ctx()
    if new and st.session_state.get(f"quiz_{page_id}") and ctx is not None and ctx.fragment_ids_this_run:
        st.rerun()


def quiz(
    page_id: str,
    questions: Sequence[tuple[str, Sequence[str], str]],
    tasks: dict[str, bool] | Sequence[str] | None = None,
) -> None:
    """Self-check: multiple-choice ``questions`` and do-it-on-the-page ``tasks``.

    ``questions``: ``(qid, option_ids, correct_option_id)``; texts are catalog keys
    ``<page>.quiz_<qid>``, ``<page>.quiz_<qid>_<opt>`` and ``<page>.quiz_<qid>_<opt>_why``.
    ``tasks``: ``{tid: done_now}`` computed by the page from its current state, or only the task
    ids when the page's fragments record them (:func:`record_tasks`); texts ``<page>.task_<tid>``
    and ``<page>.task_<tid>_done``. Progress lives in the session.
    """
    if presenting():
        return
    done: set[str] = st.session_state.setdefault("quiz_done", set())
    if isinstance(tasks, dict):
        record_tasks(page_id, tasks)  # recorded on every run, open or not
    total = len(questions) + len(tasks or {})
    panel = _panel(t("common.quiz"), key=f"quiz_{page_id}", icon="✍️")
    if not panel.open:  # lazy: no radios, alerts or progress bar to send while it is closed
        return
    # a closed panel drops its radios' widget state: the picks live here, across pages too
    answers: dict[str, str] = st.session_state.setdefault("quiz_answers", {})
    with panel:
        for qid, options, answer in questions:
            key = f"quiz_{page_id}_{qid}"
            pick = st.radio(
                t(f"{page_id}.quiz_{qid}"),
                options,
                index=list(options).index(answers[key]) if answers.get(key) in options else None,
                format_func=lambda o, q=qid: t(f"{page_id}.quiz_{q}_{o}"),
                key=key,
            )
            if pick is None:
                answers.pop(key, None)
            else:
                answers[key] = pick
                why = t(f"{page_id}.quiz_{qid}_{pick}_why")
                if pick == answer:
                    done.add(key)
                    st.success(t("common.quiz_right") + " " + why, icon="✅")
                else:
                    st.warning(t("common.quiz_wrong") + " " + why, icon="💡")
        for tid in tasks or {}:
            key = f"task_{page_id}_{tid}"
            if key in done:
                st.success(t(f"{page_id}.task_{tid}") + " — " + t(f"{page_id}.task_{tid}_done"), icon="🎯")
            else:
                st.info(t("common.task") + " " + t(f"{page_id}.task_{tid}"), icon="🎯")
        mine = sum(1 for k in done if k.startswith((f"quiz_{page_id}_", f"task_{page_id}_")))
        st.progress(mine / total if total else 0.0, text=t("common.quiz_progress", done=mine, total=total))
