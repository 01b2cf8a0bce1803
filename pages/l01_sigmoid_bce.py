"""Lesson 1 — Sigmoid & binary cross-entropy: one logit and one label, then a small tensor."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.core import functional as F
from lossviz.core import parse
from lossviz.core.errors import LossVizError
from lossviz.lessons import sigmoid_bce
from lossviz.plots.sigmoid_bce import loss_curves_figure, sigmoid_figure
from lossviz.text import fmt
from lossviz.ui import drag as ui_drag

t = ui.t
ui.page_setup("sigmoid_bce")
ui.prose("sigmoid_bce_intro")
ui.predict_first("sigmoid_bce")

# ---- one logit, one label: a fragment, so a step reruns this part, not the whole lesson
ui.header(t("sigmoid_bce.one_head"))


@st.fragment
def one_logit() -> None:
    left, right = st.columns(2)
    x = ui.slider("sb_x", t("sigmoid_bce.logit"), -10.0, 10.0, 2.0, 0.1, container=left)
    y = ui.slider("sb_y", t("sigmoid_bce.label"), 0.0, 1.0, 1.0, 0.05, container=right,
                  help=t("sigmoid_bce.label_help"))
    ui_drag.logit_curve("sb_drag", x=x, y=y, x_range=(-10.0, 10.0), state_keys=("sb_x", "sb_y"), steps=(0.1, 0.05))
    sig = float(F.sigmoid(x))
    loss = float(F.binary_cross_entropy_with_logits(x, y))
    grad = float(F.binary_cross_entropy_with_logits_grad(x, y))
    ui.metric_row([("σ(x)", fmt.cell(sig)), (t("sigmoid_bce.loss"), fmt.cell(loss)),
                   (t("sigmoid_bce.grad"), fmt.cell(grad))])

    xs = np.linspace(-10.0, 10.0, 401)
    def curve(label: float) -> np.ndarray:
        return F.binary_cross_entropy_with_logits(xs, np.full_like(xs, label), reduction="none")

    curves = {t("sigmoid_bce.curve_y", y="1"): curve(1.0), t("sigmoid_bce.curve_y", y="0"): curve(0.0)}
    if 0.0 < y < 1.0:
        curves[t("sigmoid_bce.curve_y", y=fmt.cell(y, 3))] = curve(y)
    common = {"x": t("common.logit_x"), "current": t("common.current")}
    c1, c2 = st.columns(2)
    with c1:
        fig = sigmoid_figure(xs, F.sigmoid(xs), current=(x, sig), legend="below",
                             labels={**common, "title": t("sigmoid_bce.sig_title"), "y": "σ(x)", "curve": "σ(x)"})
        ui.plot(fig, "sb_sigmoid", t("sigmoid_bce.sig_summary", x=fmt.cell(x), sigma=fmt.cell(sig)))
    with c2:
        fig = loss_curves_figure(xs, curves, current=(x, loss), slope=grad, legend="below", labels={
            **common, "title": t("sigmoid_bce.loss_title"), "y": t("common.loss"), "slope": t("common.slope")})
        summary = t("sigmoid_bce.loss_summary", x=fmt.cell(x), y=fmt.cell(y), loss=fmt.cell(loss), grad=fmt.cell(grad))
        ui.plot(fig, "sb_loss", summary)
    ui.record_tasks("sigmoid_bce", {"t1": 0.0 < y < 1.0 and abs(grad) < 0.01})


one_logit()
st.latex(r"\begin{aligned}\ell(x, y) = -\big[\,&y \log\sigma(x)\\ &+ (1-y)\log\big(1-\sigma(x)\big)\big]\end{aligned}")
st.latex(r"\frac{\partial \ell}{\partial x} = \sigma(x) - y")
ui.prose("sigmoid_bce_gradient")
ui.lesson_link("log_odds", t("sigmoid_bce.see_log_odds"))

# ---- a small tensor: its own fragment
ui.header(t("sigmoid_bce.tensor_head"))
st.write(t("sigmoid_bce.tensor_intro"))


@st.fragment
def small_tensor() -> None:
    a, b, c = st.columns([2, 2, 1])
    x_text = ui.text("sb_tx", t("sigmoid_bce.tensor_x"), "0.4, 0.7, 1.2, 0.3; 1.1, 0.6, 0.9, 1.6", container=a)
    y_text = ui.text("sb_ty", t("sigmoid_bce.tensor_y"), "1, 0, 1, 0; 0, 1, 1, 0", container=b)
    red = ui.choice("sb_red", t("common.reduction"), F.REDUCTIONS, "mean", container=c)
    xt = yt = None
    try:
        x64 = parse.parse_matrix(x_text, allow_nonfinite=True)
        y64 = parse.parse_matrix(y_text, allow_nonfinite=True)
        xt, yt = x64.astype(np.float32), y64.astype(np.float32)
        rows = sigmoid_bce.logits_rows(xt, yt, red)
        total = F.binary_cross_entropy_with_logits(xt, yt, reduction=red)
    except LossVizError as exc:
        ui.show_error(exc)
        xt = None
    if xt is not None:
        ui_drag.logit_cells("sb_cells", logits=x64, targets=y64, state_key="sb_tx", digits=4)
        if red == "none":
            ui.metric_row([(t("sigmoid_bce.sum_of_none"), fmt.value(np.sum(total.astype(np.float64))))])
        else:
            ui.metric_row([(t("sigmoid_bce.reduced", reduction=red), fmt.value(total)),
                           (t("sigmoid_bce.numel"), str(xt.size))])
        if not np.all((yt >= 0) & (yt <= 1)):
            st.warning(t("sigmoid_bce.target_outside", lesson=t("negative.title")), icon="⚠️")
        headers = {k: t(f"sigmoid_bce.col_{k}") for k in ("element", "x", "sigma", "y", "loss", "grad")}
        headers["grad"] = t("sigmoid_bce.col_grad", reduction=red)
        st.caption(t("common.element_table"))
        ui.table([{headers[k]: v for k, v in r.items()} for r in rows])
        ui.torch_check("binary_cross_entropy_with_logits", xt, yt, reduction=red)
        ui.code_panel(sigmoid_bce.small_tensor_code(x64, y64, red))
    ui.record_tasks("sigmoid_bce", {"t2": xt is not None and red == "sum" and float(total) > 10.0})


small_tensor()

ui.prose("sigmoid_bce_takeaway")
ui.quiz("sigmoid_bce", [("q1", ["a", "b", "c"], "b"), ("q2", ["neg", "zero", "pos"], "neg"),
                        ("q3", ["zero", "match", "far"], "match")], tasks=("t1", "t2"))
ui.page_links("sigmoid_bce")
