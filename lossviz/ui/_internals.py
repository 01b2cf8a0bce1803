"""Every use of a private Streamlit or plotly internal, gathered here: read this module on every
Streamlit or plotly upgrade. Each function says what it relies on and why no public API does it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from _plotly_utils.utils import is_homogeneous_array, is_skipped_key, to_typed_array_spec
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

__all__ = ["is_homogeneous_array", "is_skipped_key", "to_typed_array_spec"]  # plotly's typed-array encoding


def per_run(name: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per script run, memoised on Streamlit's run context.

    A run is told apart by the identity of the context's per-run ``cursors`` dict (private); the
    memo lives in an attribute of the context. Outside a run (AppTest setup, bare import) it
    computes every time."""
    ctx = get_script_run_ctx()
    run = getattr(ctx, "cursors", None)
    memo = getattr(ctx, name, None)
    if run is not None and memo is not None and memo[0] is run:
        return memo[1]
    value = compute()
    if run is not None:
        setattr(ctx, name, (run, value))
    return value


@contextlib.contextmanager
def main_script_widget_ids() -> Iterator[None]:
    """Give widgets created inside the same element ids in every run.

    The first run after a server start goes through Streamlit's legacy ``pages/`` wrapper,
    which runs ``app.py`` under another script hash than every later run; the widgets'
    ids (hashed with it) then change after the first click, and the language switch showed
    no selection in that first session. Pinning the hash to the main script's (what ``app.py``
    runs under normally, ``ctx.run_with_active_hash``) keeps the ids stable; a no-op in every
    normal run."""
    ctx = get_script_run_ctx()
    if ctx is None:
        yield
        return
    with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):
        yield


def forget_initial_query_param(key: str) -> None:
    """Drop ``key`` from the query string a bound widget is seeded from.

    Streamlit seeds a bound widget from the query string the page was opened with and falls back
    to the default on a value it cannot parse, but an integer number input raises OverflowError on
    an infinite one ("1e309", "-inf": ``int(inf)``; 1.67 catches ValueError and TypeError only),
    and the page would fail on every rerun. The seed string lives in QueryParams'
    ``_initial_query_params``, with no public API."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        with ctx.session_state.query_params() as qp:
            qp._initial_query_params.pop(key, None)


def known_params() -> set[str]:
    """Link parameters this run reads without a widget of that key (e.g. a closed lazy panel's inputs), so
    that the end of the page does not drop them as unknown; a set memoised on the run (:func:`per_run`)."""
    return per_run("_lv_known_params", set)


def in_fragment_run() -> bool:
    """Whether this script run reruns only fragments (``ctx.fragment_ids_this_run``)."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def figure_dicts(fig) -> tuple[list, dict]:
    """A plotly figure's own data and layout (``fig._data``, ``fig._layout``), kept in step with every
    change to the figure: ``fig.to_dict()``'s deep copy cost ten times the JSON encoding."""
    return fig._data, fig._layout


def disable_legacy_pages() -> None:
    """Streamlit's legacy ``pages/`` route off for this process (``PagesManager.uses_pages_directory``):
    see :mod:`lossviz.ui.launch`."""
    PagesManager.uses_pages_directory = False
