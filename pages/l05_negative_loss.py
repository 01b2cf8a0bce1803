"""Lesson 5: why did my loss go negative? Targets outside [0, 1] and negative weights."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.core import functional as F
from lossviz.core.errors import LossVizError
from lossviz.lessons import negative
from lossviz.plots.negative import signed_loss_figure
from lossviz.text import fmt

t = ui.t
ui.page_setup("negative")
ui.prose("negative_intro")
ui.predict_first("negative")


# The lesson is a fragment: a step on a control reruns it, not the frame around it (navigation,
# title, introduction), so the browser gets and redraws less (bench/README.md).
@st.fragment
def lesson() -> None:
    # ---- controls: one element (logit, target, weight, pos_weight), all in the URL ----
    x = ui.slider("ng_x", t("negative.logit"), -10.0, 10.0, 0.5, 0.1)
    c1, c2, c3 = st.columns(3)
    y = ui.number("ng_y", t("negative.target"), -5.0, 5.0, 2.0, 0.1, container=c1, help=t("negative.target_help"))
    w = ui.number("ng_w", t("negative.weight"), -5.0, 5.0, 1.0, 0.1, container=c2)
    p = ui.number("ng_p", t("negative.pos_weight"), -5.0, 5.0, 1.0, 0.1, container=c3)

    # ---- numbers: BCEWithLogitsLoss accepts anything; BCELoss checks its targets ----
    xa, ya, wa, pa = (np.array([v], dtype=np.float64) for v in (x, y, w, p))
    loss = float(F.binary_cross_entropy_with_logits(xa, ya, wa, "none", pa)[0])
    grad = float(F.binary_cross_entropy_with_logits_grad(xa, ya, wa, "none", pa)[0])
    found = negative.problems(ya, wa, pa)
    # the numbers sit above the curve but are written after it: the chart comes first on a first
    # visit and on a step (bench/README.md)
    numbers = st.container()

    # ---- the curve: for y > 1 the loss keeps falling below zero ----
    xs = np.linspace(-10.0, 10.0, 401)
    mine = t("negative.curve_mine", y=fmt.cell(y), w=fmt.cell(w), p=fmt.cell(p))
    fig = signed_loss_figure(
        xs,
        {mine: negative.curve(xs, y, w, p), t("negative.curve_y1"): negative.curve(xs, 1.0),
         t("negative.curve_y0"): negative.curve(xs, 0.0)},
        current=(x, loss),
        labels={"title": t("negative.curve_title"), "x": t("common.logit_x"), "y": t("common.loss"),
                "current": t("common.current"), "negative": t("negative.band")},
    )
    ui.plot(fig, "ng_curve", t("negative.curve_summary", x=fmt.cell(x), y=fmt.cell(y), loss=fmt.cell(loss),
                               left=fmt.cell(negative.curve(xs[:1], y, w, p)[0]),
                               right=fmt.cell(negative.curve(xs[-1:], y, w, p)[0])))
    with numbers:
        ui.metric_row([(t("negative.bcel"), fmt.cell(loss)), (t("negative.grad"), fmt.cell(grad)),
                       (t("negative.sigma"), fmt.cell(F.sigmoid(x)))])
        for code in found:
            st.warning(t(f"negative.problem_{code}"), icon="⚠️")
        if not found:
            st.success(t("negative.all_fine"), icon="✅")
        if negative.unbounded_below(y, w, p):
            st.error(t("negative.unbounded", direction=t("negative.up") if grad < 0 else t("negative.down")), icon="📉")
        ui.torch_check("binary_cross_entropy_with_logits", xa, ya, weight=wa, pos_weight=pa, reduction="none")

        st.markdown("**" + t("negative.bce_head") + "**")
        try:
            bce = F.binary_cross_entropy(F.sigmoid(xa), ya, wa)
            st.markdown(t("negative.bce_value", value=fmt.cell(bce)))
        except LossVizError as exc:
            ui.show_error(exc)
        ui.torch_check("naive_bce_from_logits", xa, ya, weight=wa)

    st.latex(r"\begin{aligned}\ell &= w\,(1-y)\,x \\ &\quad + w\,(1 + (p-1)\,y)\,\log(1+e^{-x})\\"
             r"&\to w\,(1-y)\,x \quad (x\to+\infty)\\ &\to -w\,p\,y\,x \quad (x\to-\infty)\end{aligned}")
    ui.prose("negative_fix")

    # ---- CrossEntropyLoss with unnormalised or negative soft targets ----
    ui.subheader(t("negative.ce_head"))
    ui.prose("negative_ce")
    logits, probs = np.array([2.0, 0.5, -1.0]), np.array([0.7, 0.2, 0.1])
    k = ui.slider("ng_k", t("negative.scale"), -3.0, 3.0, 2.0, 0.1)
    ce = negative.ce_scaled(logits, probs, k)
    ui.metric_row([(t("negative.ce_base"), fmt.cell(ce.base)),
                   (t("negative.ce_scaled", k=fmt.cell(k)), fmt.cell(ce.scaled)),
                   (t("negative.ce_ratio"), fmt.cell(ce.ratio))])
    st.caption(t("negative.ce_target", target=fmt.array(ce.target, 4)))
    ui.torch_check("cross_entropy", logits, ce.target)
    st.info(t("negative.takeaway"), icon="💡")

    ui.code_panel(negative.snippet(x, y, w, p))
    bce_raises = bool({"target_high", "target_low"} & set(found))
    fixed = not found and loss >= 0 and y not in (0.0, 1.0) and p > 0
    ui.record_tasks("negative", {"neg": loss < 0, "raise": bce_raises, "fixed": fixed})


lesson()
ui.quiz(
    "negative",
    [("why", ["sigmoid", "target", "float"], "target"), ("bce", ["raise", "clamp", "negative"], "raise"),
     ("soft", ["yes", "no"], "yes"), ("ce", ["double", "same", "error"], "double")],
    tasks=("neg", "raise", "fixed"),
)
ui.page_links("negative")
