"""Lesson 2 — BCELoss(sigmoid(x)) vs BCEWithLogitsLoss(x): equal on the seed tensor, then scale the logits."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.core import functional as F
from lossviz.core import parse
from lossviz.core.errors import LossVizError
from lossviz.lessons import bce_vs_logits
from lossviz.lessons.stability import DTYPE_NAMES, saturation
from lossviz.plots.bce_vs_logits import element_compare_figure, scale_sweep_figure
from lossviz.text import fmt
from lossviz.ui import drag as ui_drag

t = ui.t
ui.page_setup("bce_vs_logits")
ui.prose("bce_vs_logits_intro")
ui.predict_first("bce_vs_logits")


@st.cache_data(max_entries=64, show_spinner=False)
def _sweep(x0: np.ndarray, y0: np.ndarray, scales: np.ndarray, dtype: str) -> bce_vs_logits.Sweep:
    """The sweep depends on the typed tensors and the dtype, not on the scale slider: computed once
    per input, and each call gets its own copy (st.cache_data)."""
    return bce_vs_logits.scale_sweep(x0, y0, scales, dtype)


# The lesson is a fragment: a step on a control reruns it, not the frame around it (navigation,
# title, introduction), so the browser gets and redraws less (bench/README.md).
@st.fragment
def lesson() -> None:
    a, b = st.columns(2)
    x_text = ui.text("bl_x", t("bce_vs_logits.x"), "0.4, 0.7, 1.2, 0.3; 1.1, 0.6, 0.9, 1.6", container=a)
    y_text = ui.text("bl_y", t("bce_vs_logits.y"), "1, 0, 1, 0; 0, 1, 1, 0", container=b)
    a, b = st.columns([2, 3])
    dtype = ui.choice("bl_dtype", t("common.dtype"), DTYPE_NAMES, "float32", container=a)
    scale = ui.slider("bl_scale", t("bce_vs_logits.scale"), 0.0, 60.0, 1.0, 0.1, container=b,
                      help=t("bce_vs_logits.scale_help"))

    try:
        x0 = parse.parse_matrix(x_text)
        y0 = parse.parse_matrix(y_text)
        x = bce_vs_logits.scaled(x0, scale, dtype)
        y = np.asarray(y0, dtype=x.dtype)
        stable = F.binary_cross_entropy_with_logits(x, y)
        naive = F.naive_bce_from_logits(x, y)
        rows = bce_vs_logits.compare_rows(x, y)
    except LossVizError as exc:
        ui.show_error(exc)
        return
    # the cells compute on the typed tensor: only the unscaled view matches the page
    ui_drag.logit_cells("bl_cells", logits=x0, targets=y0, state_key="bl_x", logit_range=(-60.0, 60.0), digits=4,
                        hidden=scale != 1.0)

    sat = saturation(dtype)
    reasons = {r["reason"] for r in rows}
    parting = bce_vs_logits.parting_scale(x0, y0, dtype)
    flags = [r["reason"] != "same" for r in rows]
    # the numbers sit above the charts but are written after them: a step redraws the charts first
    numbers = st.container()
    scales = np.linspace(0.0, 60.0, 241)
    sweep = _sweep(x0, y0, scales, dtype)
    names = {"naive": "BCELoss(sigmoid(x))", "stable": "BCEWithLogitsLoss(x)"}
    c1, c2 = st.columns(2)
    with c1:
        curves = {names["naive"]: sweep.naive, names["stable"]: sweep.stable}
        fig = scale_sweep_figure(scales, curves, current=(scale, [float(naive), float(stable)]),
                                 parting=None if parting is None else parting[0],
                                 labels={"title": t("bce_vs_logits.sweep_title", dtype=dtype),
                                         "x": t("bce_vs_logits.scale"), "y": t("bce_vs_logits.mean_loss"),
                                         "parting": t("bce_vs_logits.parting_mark")})
        ui.plot(fig, "bl_sweep", t("bce_vs_logits.sweep_summary", scale=fmt.cell(scale), naive=fmt.cell(naive),
                                   stable=fmt.cell(stable)))
    with c2:
        per = {names["naive"]: F.naive_bce_from_logits(x, y, reduction="none").ravel(),
               names["stable"]: F.binary_cross_entropy_with_logits(x, y, reduction="none").ravel()}
        fig = element_compare_figure([r["element"] for r in rows], per,
                                     labels={"title": t("bce_vs_logits.elements_title"),
                                             "x": t("bce_vs_logits.col_element"), "y": t("common.loss")})
        ui.plot(fig, "bl_elements", t("bce_vs_logits.elements_summary", n=sum(flags), total=len(rows)))

    with numbers:
        diff = float(naive) - float(stable)
        ui.metric_row([("BCELoss(sigmoid(x), y)", fmt.value(naive)), ("BCEWithLogitsLoss(x, y)", fmt.value(stable))])
        st.caption(t("bce_vs_logits.difference", diff=fmt.cell(diff, 4)))
        if naive.tobytes() == stable.tobytes():
            st.success(t("bce_vs_logits.identical", dtype=dtype), icon="🟰")
        elif reasons & {"clamp_one", "clamp_zero"}:
            st.error(t("bce_vs_logits.parted_clamp", dtype=dtype, one=fmt.value(sat.sigmoid_one),
                       zero=fmt.value(sat.sigmoid_zero)), icon="💥")
        else:
            st.warning(t("bce_vs_logits.parted_rounding", dtype=dtype), icon="🔍")
        if parting is not None:  # a positive logit breaks at σ == 1, a negative one at σ == 0
            st.caption(t("bce_vs_logits.parting" if x0[parting[1]] > 0 else "bce_vs_logits.parting_zero",
                         scale=fmt.cell(parting[0], 4), element=fmt.element_label(parting[1]),
                         x=fmt.cell(x0[parting[1]]),
                         one=fmt.value(sat.sigmoid_one), zero=fmt.value(sat.sigmoid_zero), dtype=dtype))

        cols = ("element", "x", "y", "sigma", "naive", "stable", "diff", "reason")
        st.caption(t("common.element_table") + " — " + t("bce_vs_logits.table_hint"))
        ui.table([{t(f"bce_vs_logits.col_{k}"): (t(f"bce_vs_logits.why_{r[k]}") if k == "reason" else r[k])
                   for k in cols} for r in rows],
                 highlight=flags)

    st.latex(r"\underbrace{-\log\big(1-\sigma(x)\big)}_{\text{BCELoss}(\sigma(x),\,0)}"
             r" \;\to\; -\max\big(\log 0, -100\big) = 100")
    st.latex(r"\underbrace{\max(x,0) - xy + \log\big(1+e^{-|x|}\big)}_{\text{BCEWithLogitsLoss}(x,\,y)}")
    for col, (name, route) in zip(st.columns(2), names.items(), strict=True):
        with col:
            st.caption(t("bce_vs_logits.check", route=route))
            ui.torch_check({"naive": "naive_bce_from_logits", "stable": "binary_cross_entropy_with_logits"}[name], x, y)
    ui.code_panel(bce_vs_logits.scaled_code(x0, y0, scale, dtype))
    ui.record_tasks("bce_vs_logits", {
        "t1": "clamp_one" in reasons,
        "t2": dtype == "float16" and "clamp_one" in reasons and parting is not None and x0[parting[1]] > 0
              and scale < parting[0] + 0.1,
    })


lesson()
ui.prose("bce_vs_logits_takeaway")
ui.quiz(
    "bce_vs_logits",
    [("q1", ["yes", "no"], "yes"), ("q2", ["inf", "hundred", "nan"], "hundred"),
     ("q3", ["naive", "stable", "same"], "stable")],
    tasks=("t1", "t2"),
)
ui.page_links("bce_vs_logits")
