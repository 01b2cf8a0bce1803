"""Lesson 7 — CrossEntropy vs BCE on the same tensor: seed 002, multi-class vs multi-label, the 2-class bridge."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.core.errors import LossVizError
from lossviz.lessons import ce_vs_bce
from lossviz.plots.ce_vs_bce import bridge_figure
from lossviz.plots.softmax_ce import class_bars_figure
from lossviz.text import fmt
from lossviz.ui import drag as ui_drag

t = ui.t
ui.page_setup("ce_vs_bce")
ui.prose("ce_vs_bce_intro")
ui.predict_first("ce_vs_bce")


# Two fragments: a step on a control reruns its own part, not the frame around it (navigation,
# title, introduction) or the other part, so the browser gets and redraws less (bench/README.md).
@st.fragment
def seed_part() -> None:
    ui.subheader(t("ce_vs_bce.seed_title"))
    pc, yc = st.columns(3), st.columns(3)
    pred = [ui.slider(f"cvb_p{i}", t("ce_vs_bce.pred", i=i), 0.0, 1.0, d, 0.01, container=pc[i])
            for i, d in enumerate((0.8, 0.2, 0.4))]
    label = [ui.number(f"cvb_y{i}", t("ce_vs_bce.label", i=i), 0.0, 1.0, d, 0.1, container=yc[i])
             for i, d in enumerate((1.0, 0.0, 0.0))]
    try:
        v = ce_vs_bce.ce_vs_bce_view(pred, label)
        m = ce_vs_bce.multi_view(pred, label)
    except LossVizError as exc:
        ui.show_error(exc)
        return
    # the numbers sit above the chart but are written after it: a step redraws the chart first
    numbers = st.container()
    classes = ["0", "1", "2"]
    fig = class_bars_figure(
        classes,
        {t("ce_vs_bce.bar_bce"): np.float64(pred), t("ce_vs_bce.bar_ce"): v.softmax,
         t("ce_vs_bce.bar_label"): np.float64(label)},
        y_range=(0.0, 1.2), uirevision="cvb_seed",
        labels={"title": t("ce_vs_bce.seed_fig"), "x": t("ce_vs_bce.col_i"), "y": t("ce_vs_bce.prob_axis")},
    )
    ui.plot(fig, "cvb_seed", t("ce_vs_bce.seed_summary", p=fmt.array(np.float64(pred), 4), sm=fmt.array(v.softmax, 4)))
    with numbers:
        ui.metric_row([("nn.BCELoss()", fmt.value(v.bce)), ("nn.CrossEntropyLoss()", fmt.value(v.ce))])
        c = [fmt.cell(a, 5) for a in v.bce_terms]
        st.markdown(t("ce_vs_bce.step1", p=fmt.array(np.float64(pred), 4), t0=c[0], t1=c[1], t2=c[2],
                      bce=fmt.value(v.bce)))
        st.markdown(t("ce_vs_bce.step2"))
        st.markdown(t("ce_vs_bce.step3", sm=fmt.array(v.softmax, 5), lse=fmt.cell(v.lse, 7)))
        st.markdown(
            t("ce_vs_bce.step4", lse=fmt.cell(v.lse, 7), ysum=fmt.cell(v.label_sum), yx=fmt.cell(v.label_dot_x, 7),
              ce=fmt.value(v.ce), p0=fmt.cell(v.softmax[0], 5))
        )
        ui.table(
            {
                t("ce_vs_bce.col_i"): ["0", "1", "2"],
                t("ce_vs_bce.col_pred"): [fmt.cell(a) for a in pred],
                t("ce_vs_bce.col_label"): [fmt.cell(a) for a in label],
                t("ce_vs_bce.col_bce"): [fmt.cell(a) for a in v.bce_terms],
                t("ce_vs_bce.col_sm"): [fmt.cell(a) for a in v.softmax],
                t("ce_vs_bce.col_ce"): [fmt.cell(a) for a in v.ce_terms],
            }
        )
    ui.torch_check("binary_cross_entropy", np.float32(pred), np.float32(label))
    ui.torch_check("cross_entropy", np.float32(pred), np.float32(label))

    ui.subheader(t("ce_vs_bce.multi_title"))
    st.markdown(t("ce_vs_bce.multi_intro"))
    ui.metric_row([(t("ce_vs_bce.ce_row"), fmt.cell(m.ce)), (t("ce_vs_bce.bcel_row"), fmt.cell(m.bcel))])
    ui.metric_row([(t("ce_vs_bce.sum_sm"), fmt.cell(m.softmax_sum)), (t("ce_vs_bce.sum_sig"), fmt.cell(m.sigmoid_sum))])
    fig = class_bars_figure(
        classes, {t("ce_vs_bce.bar_softmax"): m.softmax, t("ce_vs_bce.bar_sigmoid"): m.sigmoid},
        y_range=(0.0, 1.15), uirevision="cvb_multi",
        labels={"title": t("ce_vs_bce.multi_fig"), "x": t("ce_vs_bce.col_i"), "y": t("ce_vs_bce.prob_axis")},
    )
    ui.plot(fig, "cvb_multi", t("ce_vs_bce.multi_summary", s1=fmt.cell(m.softmax_sum), s2=fmt.cell(m.sigmoid_sum)))
    ui.code_panel(ce_vs_bce.seed_code(pred, label))
    ui.record_tasks("ce_vs_bce", {"t1": label == [1.0, 0.0, 0.0] and float(v.ce) < 0.6,
                                  "t3": ce_vs_bce.task_t3_done(label)})


seed_part()
ui.lesson_link("entropy_kl", t("ce_vs_bce.see_entropy_kl"))

ui.subheader(t("ce_vs_bce.bridge_title"))
st.markdown(t("ce_vs_bce.bridge_intro"))


@st.fragment
def bridge_part() -> None:
    ac, bc, ycol = st.columns(3)
    a = ui.slider("cvb_a", t("ce_vs_bce.a"), -10.0, 10.0, 0.5, 0.1, container=ac)
    b = ui.slider("cvb_b", t("ce_vs_bce.b"), -10.0, 10.0, 2.0, 0.1, container=bc)
    y = ui.choice("cvb_c", t("ce_vs_bce.cls"), [0, 1], 1, container=ycol)
    ui_drag.logit_bars("cvb_drag", logits=[a, b], target=y, state_keys=["cvb_a", "cvb_b"], target_key="cvb_c")
    br = ce_vs_bce.bridge_view(a, b, y)
    ui.metric_row([(t("ce_vs_bce.ce2"), fmt.cell(br.ce, 12)),
                   (t("ce_vs_bce.bcel_d", d=fmt.cell(br.d)), fmt.cell(br.bcel, 12))])
    ui.metric_row([(t("ce_vs_bce.p1"), fmt.cell(br.p1, 12)), (t("ce_vs_bce.sigma_d"), fmt.cell(br.sigma_d, 12))])
    st.caption(t("ce_vs_bce.bridge_diff", diff=fmt.cell(br.diff, 3)))
    fig = bridge_figure(
        br.grid, br.ce_curve, br.bcel_curve, current=(br.d, float(br.ce)),
        labels={"title": t("ce_vs_bce.bridge_fig", y=y), "x": "d = b − a", "y": t("common.loss"),
                "ce": t("ce_vs_bce.ce2"), "bce": t("ce_vs_bce.bcel_curve"), "current": t("common.current")},
    )
    ui.plot(fig, "cvb_bridge", t("ce_vs_bce.bridge_summary", d=fmt.cell(br.d), ce=fmt.cell(br.ce), y=y))
    ui.torch_check("cross_entropy", np.array([a, b]), np.array(y))
    ui.code_panel(ce_vs_bce.bridge_code(a, b, y), key="lv_code_bridge")
    ui.record_tasks("ce_vs_bce", {"t2": a == b})


bridge_part()
ui.subheader(t("ce_vs_bce.formula"))
for formula in (
    r"\text{BCE}=\frac1n\sum_i -\big[y_i\log x_i+(1-y_i)\log(1-x_i)\big]",
    r"\text{CE}=\sum_c y_c\big(\operatorname{logsumexp}(x)-x_c\big)",
    r"\operatorname{softmax}(a,b)_1=\frac{e^b}{e^a+e^b}=\sigma(b-a)",
    r"\text{CE}([a,b],y)=\text{BCEWithLogits}(b-a,\,y)",
):
    st.latex(formula)
ui.prose("ce_vs_bce_takeaway")
ui.quiz(
    "ce_vs_bce",
    [("q1", ["a", "b", "c"], "a"), ("q2", ["a", "b", "c"], "c"), ("q3", ["a", "b", "c"], "b")],
    tasks=("t1", "t2", "t3"),
)
ui.page_links("ce_vs_bce")
