"""Lesson 6 — Softmax & cross-entropy: C logits, the softmax, −log p of the true class, p − onehot."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.core.errors import LossVizError
from lossviz.lessons import softmax_ce
from lossviz.plots.softmax_ce import class_bars_figure
from lossviz.text import fmt
from lossviz.ui import drag as ui_drag

t = ui.t
ui.page_setup("softmax_ce")
ui.prose("softmax_ce_intro")
ui.predict_first("softmax_ce")

LOGITS = (2.0, 1.0, 0.1, -1.0, 0.5, -0.5, 1.5, -2.0, 0.0, 0.8)
PROBS = (0.7, 0.2, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


# The lesson is a fragment: a step on a control reruns it, not the frame around it (navigation,
# title, introduction), so the browser gets and redraws less (bench/README.md).
@st.fragment
def lesson() -> None:
    ui.subheader(t("softmax_ce.controls"))
    n = ui.slider("smx_c", t("softmax_ce.classes"), 2, 10, 4, 1)
    cols = [c for _ in range(0, n, 5) for c in st.columns(min(n, 5))]  # row by row: stacks in order on a phone
    x = [ui.slider(f"smx_x{i}", t("softmax_ce.logit", i=i), -10.0, 10.0, LOGITS[i], 0.1, container=cols[i])
         for i in range(n)]
    soft = ui.toggle("smx_soft", t("softmax_ce.soft"), help=t("softmax_ce.soft_help"))
    if soft:
        pcols = [c for _ in range(0, n, 5) for c in st.columns(min(n, 5))]
        target = [ui.number(f"smx_p{i}", t("softmax_ce.prob", i=i), 0.0, 1.0, PROBS[i], 0.05, container=pcols[i])
                  for i in range(n)]
    else:
        target = ui.choice("smx_y", t("softmax_ce.true_class"), list(range(n)), 0)
    left, right = st.columns(2)
    temp = ui.slider("smx_t", t("softmax_ce.temperature"), 0.1, 5.0, 1.0, 0.1, container=left,
                     help=t("softmax_ce.temperature_help"))
    shift = ui.slider("smx_s", t("softmax_ce.shift"), -20.0, 20.0, 0.0, 0.5, container=right,
                      help=t("softmax_ce.shift_help"))
    if temp == 1.0:  # the component shows softmax of the raw logits
        ui_drag.logit_bars("smx_drag", logits=x, target=int(np.argmax(target)) if soft else target,
                           state_keys=[f"smx_x{i}" for i in range(n)], target_key=None if soft else "smx_y")

    try:
        v = softmax_ce.softmax_view(x, target, temperature=temp, shift=shift)
    except LossVizError as exc:
        ui.show_error(exc)
        return

    # the numbers sit above the charts but are written after them: a step redraws the charts first
    numbers = st.container()
    classes = [str(i) for i in range(n)]
    series = {t("softmax_ce.bar_p", temp=fmt.cell(temp)): v.p, t("softmax_ce.bar_target"): v.onehot}
    if temp != 1.0:
        series[t("softmax_ce.bar_p1")] = v.p_t1
    true_cls = None if soft else target
    fig = class_bars_figure(
        classes, series, highlight=true_cls, y_range=(0.0, 1.15), uirevision="smx_p",
        labels={"title": t("softmax_ce.bars_title"), "x": t("softmax_ce.col_class"), "y": t("softmax_ce.prob_axis")},
    )
    top = v.top
    summary = t("softmax_ce.bars_summary", top=top, ptop=fmt.cell(v.p[top]), temp=fmt.cell(temp), loss=fmt.cell(v.loss))
    ui.plot(fig, "smx_bars", summary if soft else summary + " " + t("softmax_ce.outline"))
    gfig = class_bars_figure(
        classes, {t("softmax_ce.col_grad"): v.grad}, highlight=true_cls, uirevision="smx_g",
        labels={"title": t("softmax_ce.grad_title"), "x": t("softmax_ce.col_class"), "y": t("softmax_ce.grad_axis")},
    )
    lo = v.lowest_grad
    zero = np.max(np.abs(v.grad)) < 1e-12  # e.g. equal logits, uniform target: no "most negative" class to name
    ui.plot(gfig, "smx_grad", t("softmax_ce.grad_zero") if zero else
            t("softmax_ce.grad_summary", lo=lo, glo=fmt.cell(v.grad[lo]), gsum=fmt.cell(v.grad_sum, 3)))
    with numbers:
        ui.subheader(t("softmax_ce.numbers"))
        if soft:
            ui.metric_row([(t("softmax_ce.loss"), fmt.cell(v.loss)),
                           (t("softmax_ce.target_sum"), fmt.cell(v.target_sum))])
            note = "softmax_ce.soft_note" if abs(v.target_sum - 1) < 1e-9 else "softmax_ce.unnormalised"
            st.caption(t(note, s=fmt.cell(v.target_sum)))
        else:
            ui.metric_row(
                [
                    (t("softmax_ce.loss"), fmt.cell(v.loss)),
                    (t("softmax_ce.p_true"), fmt.cell(v.p[target])),
                    (t("softmax_ce.neg_log_p"), fmt.cell(v.neg_log_p)),
                    (t("softmax_ce.lse_minus"), fmt.cell(v.lse_minus_xy)),
                ]
            )
            st.caption(t("softmax_ce.two_routes", lse=fmt.cell(v.lse), zy=fmt.cell(v.z[target]), loss=fmt.cell(v.loss)))
        ui.table(
            {
                t("softmax_ce.col_class"): classes,
                t("softmax_ce.col_x"): [fmt.cell(a) for a in x],
                t("softmax_ce.col_z"): [fmt.cell(a) for a in v.z],
                t("softmax_ce.col_p"): [fmt.cell(a) for a in v.p],
                t("softmax_ce.col_target"): [fmt.cell(a) for a in v.onehot],
                t("softmax_ce.col_grad"): [fmt.cell(a) for a in v.grad],
            }
        )

    ui.subheader(t("softmax_ce.shift_title"))
    ui.metric_row(
        [
            (t("softmax_ce.loss"), fmt.cell(v.loss, 10)),
            (t("softmax_ce.shifted_loss", s=fmt.cell(shift)), fmt.cell(v.shifted_loss, 10)),
            (t("softmax_ce.delta"), fmt.cell(v.shift_delta, 3)),
        ]
    )
    st.caption(t("softmax_ce.shift_note", dp=fmt.cell(v.p_shift_maxdiff, 3), l0=fmt.value(v.loss),
                 l1=fmt.value(v.shifted_loss)))
    st.caption(t("softmax_ce.temp_note", temp=fmt.cell(temp), ptop=fmt.cell(v.p[top]), ptop1=fmt.cell(v.p_t1[top])))

    z = np.asarray(v.z)
    tgt = np.asarray(target, dtype=np.float64) if soft else np.asarray(target)
    ui.torch_check("cross_entropy", z, tgt)
    ui.code_panel(softmax_ce.code(x, target, temperature=temp, shift=shift))
    ui.record_tasks("softmax_ce", {
        "t1": (not soft) and float(v.p[target]) > 0.9,
        "t2": temp >= 3.0 and float(np.max(v.p)) < 0.5,
        "t3": soft and abs(float(v.target_sum) - 1.0) > 1e-9,
    })


lesson()
ui.subheader(t("softmax_ce.formula"))
for formula in (
    r"z=\frac{x}{T},\qquad p_c=\frac{e^{z_c}}{\sum_k e^{z_k}}",
    r"\ell=-\log p_y=\operatorname{logsumexp}(z)-z_y",
    r"\frac{\partial \ell}{\partial z_c}=p_c-[c=y]",
    r"\ell_{\text{soft}}=-\sum_c t_c\log p_c,\quad \frac{\partial \ell}{\partial z_c}=p_c\sum_k t_k-t_c",
):
    st.latex(formula)
ui.prose("softmax_ce_takeaway")
ui.quiz(
    "softmax_ce",
    [("q1", ["a", "b", "c"], "b"), ("q2", ["a", "b", "c"], "a"), ("q3", ["a", "b", "c"], "c")],
    tasks=("t1", "t2", "t3"),
)
ui.page_links("softmax_ce")
