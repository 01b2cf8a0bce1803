"""Controls bound to the URL: every value a learner sets lives in ``?<key>=``, so a copied link
reopens the same view; a bad value in a link gets a notice in the page and the default."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import streamlit as st

from lossviz.ui import _internals
from lossviz.ui.display import panel
from lossviz.ui.lang import t
from lossviz.ui.page import PAGE_MEMORY

VIEWS_OPEN = "lv_views_open"  # plain session key: {(page id, views key): open view id} of the lazy views


def _url_value(key: str) -> str | None:
    value = st.query_params.get(key)
    return None if value is None else str(value)


def bad_url_notice(raw: str, label: str) -> None:
    """A notice under a control whose link value was refused: the control starts at its default."""
    st.caption("⚠️ " + t("common.bad_url_value", name=label, value=raw[:40]))


def _url_number_ok(raw: str, lo: float, hi: float) -> float | None:
    """A link's value as a finite number in [lo, hi], else None."""
    try:
        v = float(raw)
    except ValueError:
        return None
    return v if math.isfinite(v) and lo <= v <= hi else None


def _check_url_number(key: str, label: str, lo: float, hi: float) -> None:
    raw = _url_value(key)
    if raw is None or key in st.session_state:
        return
    if _url_number_ok(raw, lo, hi) is None:
        bad_url_notice(raw, label)
        _forget_url_value(key)


def _set_url(key: str, wanted: str | None) -> None:
    """``?<key>=wanted`` (None: no such parameter), written only when it changes."""
    if st.query_params.get(key) != wanted:
        if wanted is None:
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = wanted


def _forget_url_value(key: str) -> None:
    """The widget starts at its default instead of reading ``?<key>=`` from the link.

    Streamlit seeds a bound widget from the query string the page was opened with and falls back
    to the default on a value it cannot parse, but an integer number input raises OverflowError on
    an infinite one ("1e309", "-inf": ``int(inf)``; 1.67 catches ValueError and TypeError only),
    and the page would fail on every rerun. The seed string lives in Streamlit's QueryParams
    (``_initial_query_params``, no public API); the param is also dropped from the address bar,
    as Streamlit does with values it rejects."""
    _internals.forget_initial_query_param(key)
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
    view_open: bool | None = None,
) -> float:
    """A slider bound to ``?<key>=``; a bad URL value gets a notice and the default.

    ``view_open``: the slider is in a lazy view (:func:`views`), open or not. Its link is then kept by
    hand, as Streamlit drops a bound widget's parameter once the widget is gone: in a closed view the
    slider is not drawn and its value is read from the link (a bad one: the default, and the notice
    once the view is open)."""
    if view_open is None:
        _check_url_number(key, label, lo, hi)
        return container.slider(
            label, lo, hi, default, step, key=key, bind="query-params", help=help, format=fmt_str
        )
    _internals.known_params().add(key)
    whole = all(isinstance(v, int) for v in (lo, hi, default, step))
    if not view_open:
        raw = _url_value(key)
        v = None if raw is None else _url_number_ok(raw, lo, hi)
        return default if v is None else (int(v) if whole else v)
    if key not in st.session_state:
        v = _url_number(key, label, lo, hi, default)
        st.session_state[key] = int(v) if whole else v
    value = container.slider(label, lo, hi, step=step, key=key, help=help, format=fmt_str)
    _set_url(key, None if value == default else repr(value))
    return value


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


def number_grid(
    key: str,
    label: str,
    lo: float,
    hi: float,
    defaults: Sequence[Sequence[float]],
    step: float,
    *,
    cell_label: Callable[[int, int], str],
    icon: str = "✏️",
) -> list[list[float]]:
    """A matrix of number inputs (cell ``[i][j]`` kept in ``?<key><i><j>=``) in a lazy panel.

    While the panel is closed no input exists: the values are read from the link (a bad one gets a
    notice above the panel and its default). Open, each row of inputs is one horizontal container
    (wrapping on a phone) and the link follows every edit. Lesson 14 so sends the browser one closed
    panel per step instead of 12 inputs in 12 columns (bench/README.md).
    The link is kept by hand: Streamlit drops a bound widget's parameter once the widget is gone."""
    _internals.known_params().update(f"{key}{i}{j}" for i, row in enumerate(defaults) for j in range(len(row)))
    values = [[_url_number(f"{key}{i}{j}", cell_label(i, j), lo, hi, d) for j, d in enumerate(row)]
              for i, row in enumerate(defaults)]
    box = panel(label, key=f"{key}_panel", icon=icon)
    if not box.open:
        return values
    with box:
        for i, row in enumerate(defaults):
            line = st.container(horizontal=True, gap="small")
            for j, default in enumerate(row):
                cell = f"{key}{i}{j}"
                if cell not in st.session_state:  # opened: the inputs start from the link
                    st.session_state[cell] = values[i][j]
                v = float(line.number_input(cell_label(i, j), min_value=lo, max_value=hi, step=step, key=cell))
                values[i][j] = v
                _set_url(cell, None if v == default else repr(v))
    return values


def _url_number(key: str, label: str, lo: float, hi: float, default: float) -> float:
    """``?<key>=`` as a number in [lo, hi]; anything else gets a notice, leaves the link and gives the default."""
    raw = _url_value(key)
    if raw is None:
        return float(default)
    v = _url_number_ok(raw, lo, hi)
    if v is not None:
        return v
    bad_url_notice(raw, label)
    st.query_params.pop(key, None)
    return float(default)


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
    view_open: bool | None = None,
):
    """One of a few options, kept in ``?<key>=<option>``; an unknown URL value gets a notice and the default.

    Shown as a segmented control (a row of buttons, one always selected; ``horizontal=False``: a
    radio, one option per line, for options that are sentences). A radio in a fragment is
    re-rendered in full by the browser on every rerun of its fragment although its delta did not
    change (76 components for four options, a segmented control 1): lesson 14 has five in its
    fragment (bench/README.md).

    The URL holds ``str(option)``, never the displayed text: Streamlit's own binding writes the
    *formatted* label into the URL, which would make a link depend on the language when
    ``format_func`` translates. So the binding is done here, by hand; ``view_open``: the choice is in a
    lazy view (:func:`views`), and while that is closed its option is read from the link.
    """
    options = list(options)
    codes = [str(o) for o in options]
    if view_open is not None:
        _internals.known_params().add(key)
    if view_open is False:  # a closed lazy view: the link's option, else the default (its notice once open)
        raw = _url_value(key)
        return options[codes.index(raw)] if raw in codes else default
    if key not in st.session_state:
        raw = _url_value(key)
        if raw is not None and raw not in codes:
            bad_url_notice(raw, label)
            st.query_params.pop(key, None)
        st.session_state[key] = options[codes.index(raw)] if raw in codes else default
    elif st.session_state[key] not in options:  # e.g. fewer classes than before
        st.session_state[key] = default

    if horizontal:
        # wrap: in a narrow column the buttons go on to a second row (Streamlit's default there is a
        # row that scrolls sideways, which hides the last options)
        value = container.segmented_control(label, options, format_func=format_func, key=key, help=help,
                                            required=True, wrap=True)
    else:
        value = container.radio(label, options, format_func=format_func, key=key, help=help)
    _set_url(key, None if value == default else str(value))  # set here, so a drag's new value reaches the URL too
    return value


def row(key: str):
    """A row of like controls (one per class): they share its width in one line, as ``st.columns`` lays
    them out, and wrap two a row on a phone, where columns would stack one under the other (style.css).
    One flex block instead of columns' block plus one per column: each of a step's re-renders of the
    page goes through fewer components (bench/README.md)."""
    return st.container(horizontal=True, key=f"lv_row_{key}")


def views(key: str, ids: Sequence[str], label: Callable[[str], str]):
    """Lazy views: views of the same inputs, of which only the open one runs and reaches the browser.

    A segmented control labelled "View" (one button per view, ``label(id)`` on it; the label tells it
    from the lesson's own inputs, which are segmented controls too) picks the view; returns the open
    view's id and the container to draw it in, below the control. The open view is kept in
    ``?<key>=<id>`` (the id, not the translated label; nothing for the first view), so a link opens
    that view, and per page and key for the session (a widget's state is dropped while its page is
    not shown). The control's value is the id, so a language switch keeps the view. A control inside a
    view gets ``view_open`` (:func:`slider`, :func:`choice`): while its view is closed its value comes
    from the link. A bad ``?<key>=`` gets a notice above the control and the first view.

    Why lazy: a step of a lesson whose sections all follow the same logits re-sent every section
    (Entropy/KL, three sections: 134 ms per step; one: 98 ms, bench/README.md). Why not ``st.tabs``:
    its tab panel searches itself for a focusable element after every render of the page (three per
    step) and the tab list re-renders after each; the same lessons stepped 4-8 ms faster with this
    control (bench/README.md)."""
    ids = list(ids)
    _internals.known_params().add(key)
    memory: dict = st.session_state.setdefault(VIEWS_OPEN, {})
    where = (st.session_state.get(PAGE_MEMORY), key)
    if memory.get(where) not in ids:
        raw = _url_value(key)
        if raw is not None and raw not in ids:
            bad_url_notice(raw, t("common.view"))
        memory[where] = raw if raw in ids else ids[0]
    if st.session_state.get(key) not in ids:
        st.session_state[key] = memory[where]
    labels = {i: label(i) for i in ids}  # in this run's language
    opened = st.segmented_control(t("common.view"), ids, format_func=labels.__getitem__, key=key, required=True,
                                  wrap=True)
    memory[where] = opened
    _set_url(key, None if opened == ids[0] else opened)
    return opened, st.container()


def toggle(key: str, label: str, default: bool = False, *, container=st, help: str | None = None) -> bool:
    """A toggle bound to ``?<key>=``."""
    return container.toggle(label, value=default, key=key, bind="query-params", help=help)


def text(key: str, label: str, default: str = "", *, container=st, help: str | None = None,
         max_chars: int = 400) -> str:
    """A one-line text input bound to ``?<key>=`` (e.g. a small matrix for ``lossviz.core.parse``)."""
    value = container.text_input(label, value=default, key=key, bind="query-params", help=help, max_chars=max_chars)
    return "" if value is None else str(value)


def text_area(key: str, label: str, default: str = "", *, container=st, help: str | None = None,
              placeholder: str | None = None, height: int | None = None) -> str:
    """A multi-line text field seeded from ``?<key>=`` once; what goes back into the link is the
    page's call (:func:`link_text`), so a large paste stays out of the URL."""
    if key not in st.session_state:
        raw = _url_value(key)
        st.session_state[key] = default if raw is None else raw
    value = container.text_area(label, key=key, help=help, placeholder=placeholder, height=height)
    return "" if value is None else str(value)


def link_text(key: str, value: str | None, default: str = "") -> None:
    """Keep ``value`` in ``?<key>=`` (left out when it is the default or None: too large for a link)."""
    _set_url(key, None if value is None or value == default else value)
