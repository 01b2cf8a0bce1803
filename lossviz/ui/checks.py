"""Live checks against the real torch: one line per view, and the "PyTorch code for this view" panel."""

from __future__ import annotations

import gc

import numpy as np
import streamlit as st

from lossviz.core import torch_ref
from lossviz.text import codegen, fmt
from lossviz.ui.display import panel
from lossviz.ui.lang import presenting, t
from lossviz.ui.page import hidden


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


@st.cache_resource(max_entries=512, show_spinner=False)
def _checked(name: str, input, target, kwargs: dict):
    """(ours, torch's, agree?) for one call, cached by the call's exact inputs: Streamlit hashes numpy
    arrays by dtype, shape and bytes and floats by their bits (-0.0 and 0.0 stay apart). The same view is
    checked on every rerun and by every learner; the result is read, never changed."""
    mine = torch_ref.ours(name, input, target, **kwargs)
    ref = torch_ref.reference(name, input, target, **kwargs)
    return mine, ref, torch_ref.agrees(mine, ref)


@st.cache_data(max_entries=1024, show_spinner=False)
def _snippet_output(code: str) -> str:
    """What the generated snippet ``code`` prints (deterministic: fixed inputs and seeds)."""
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


def code_panel(code: str, *, key: str = "lv_code", expanded: bool = False, run: bool = True) -> None:
    """The "PyTorch code for this view" panel: the snippet and its real output (``run=False``: the
    snippet alone, for code that needs the learner's own files).

    Lazy: the snippet is highlighted and run in torch only while the panel is open (opening it
    reruns the page). A closed panel costs the browser no syntax highlighter on first render
    (~0.4 s of main-thread work, bench/README.md) and the server no torch run per step."""
    if presenting() or hidden("code"):
        return
    panel_ = panel(t("common.code_panel"), key=key, icon="🐍", expanded=expanded)
    if not panel_.open:
        return
    with panel_:
        st.code(code, language="python")
        if not run:
            return
        st.caption(t("common.code_output", version=_warm_torch()))
        st.code(_snippet_output(code) or " ", language="text")
