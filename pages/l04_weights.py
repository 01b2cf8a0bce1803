"""Lesson 4: weight, pos_weight and reduction — every multiplier inside the formula."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.core import functional as F
from lossviz.core import parse, torch_ref
from lossviz.core.errors import LossVizError
from lossviz.lessons import weights
from lossviz.plots.weights import element_bars_figure, imbalance_figure
from lossviz.text import fmt

t = ui.t
ui.page_setup("weights")
ui.prose("weights_intro")
ui.predict_first("weights")

# ---- the batch: logits, targets, weight, pos_weight, reduction (all in the URL) ----
left, right = st.columns(2)
x_txt = ui.text("wt_x", t("weights.logits"), "0.4, -1.2, 2, 0.3; 1.1, 0.6, -0.9, -1.6; -0.5, 1.5, 0.2, 0.8",
                container=left, help=t("weights.matrix_help"))
y_txt = ui.text("wt_y", t("weights.targets"), "1, 0, 1, 0; 0, 1, 1, 0; 0, 0, 1, 1", container=right,
                help=t("weights.matrix_help"))
left, right = st.columns(2)  # a second row, so a phone stacks x, y, weight, pos_weight in order
w_txt = ui.text("wt_w", t("weights.weight"), "2; 1; 1", container=left, help=t("weights.weight_help"))
p_txt = ui.text("wt_p", t("weights.pos_weight"), "3, 1, 1, 1", container=right, help=t("weights.pos_weight_help"))


@st.cache_data(max_entries=64, show_spinner=False)
def _batch(x_txt: str, y_txt: str, w_txt: str, p_txt: str) -> tuple:
    """What the four text fields decide, the reduction aside: computed once per text, so a step
    of the reduction only picks another number. Raises LossVizError (not cached) for bad input;
    the element table is None for a batch too big to show."""
    x, y = parse.parse_matrix(x_txt), parse.parse_matrix(y_txt)
    w = parse.parse_matrix(w_txt) if w_txt.strip() else None
    p = parse.parse_matrix(p_txt) if p_txt.strip() else None
    if x.size > 64:
        return (x, y, w, p), None, None, None
    rows = weights.bce_logits_rows(x, y, w, p)
    plain = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    weighted = F.binary_cross_entropy_with_logits(x, y, w, "none", p)
    return (x, y, w, p), rows, weights.reduction_summary(x, y, w, p), (plain, weighted)


def read_batch():
    """The batch of the four text fields; a translated message (and None) for anything unusable."""
    try:
        batch, rows, summary, losses = _batch(x_txt, y_txt, w_txt, p_txt)
    except LossVizError as exc:
        ui.show_error(exc)
        return exc, None, None, None
    if rows is None:
        st.warning(t("weights.too_big", got=batch[0].size))
    return batch, rows, summary, losses


batch, rows, s, losses = read_batch()


@st.fragment
def batch_part(batch, rows, s, losses) -> None:
    """The reduction and everything it picks from: a reduction step reruns only this part, with
    the batch's numbers as the page computed them (bench/README.md)."""
    reduction = ui.choice("wt_red", t("common.reduction"), F.REDUCTIONS, "mean")
    if rows is None:
        return
    x, y, w, p = batch
    result = fmt.cell(getattr(s, reduction)) if reduction != "none" else t("weights.none_value", shape=list(x.shape))
    ui.metric_row([(t("weights.result", reduction=reduction), result), (t("weights.numel"), str(s.numel)),
                   (t("weights.sum_w"), fmt.cell(s.weight_sum))])
    st.markdown(t("weights.sum_line", sum=fmt.cell(s.sum)))
    st.markdown(t("weights.mean_line", numel=s.numel, sum=fmt.cell(s.sum), mean=fmt.cell(s.mean)))
    st.caption(t("weights.not_normalised", weight_sum=fmt.cell(s.weight_sum), normalised=fmt.cell(s.normalised)))
    st.markdown("**" + t("common.element_table") + "**")
    cols = {k: t(f"weights.col_{k}") for k in weights.BCE_LOGITS_COLUMNS}
    ui.table(weights.relabel(rows, cols))
    plain, weighted = losses
    labels = [r["element"] for r in rows]
    fig = element_bars_figure(labels, plain, weighted, labels={
        "title": t("weights.bars_title"), "x": t("weights.col_element"), "y": t("common.loss"),
        "plain": t("weights.bars_plain"), "weighted": t("weights.bars_weighted")})
    biggest = int(np.argmax(np.ravel(weighted))) if np.all(np.isfinite(weighted)) else 0
    ui.plot(fig, "wt_bars", t("weights.bars_summary", element=labels[biggest],
                              value=fmt.cell(np.ravel(weighted)[biggest]), sum=fmt.cell(s.sum)))
    ui.torch_check("binary_cross_entropy_with_logits", x, y, weight=w, pos_weight=p, reduction=reduction)
    ui.code_panel(weights.bce_logits_snippet(x, y, w, p, reduction))


batch_part(batch, rows, s, losses)
st.latex(r"\begin{aligned}\ell_{n,c} &= w_{n,c}\,\big[\,p_c\,y_{n,c}\,(-\log\sigma(x_{n,c}))\\"
         r"&\qquad + (1-y_{n,c})\,(-\log(1-\sigma(x_{n,c})))\,\big]\end{aligned}")
st.latex(r"\text{mean} = \frac{1}{\text{numel}}\sum_{n,c}\ell_{n,c}")

# ---- pos_weight broadcasting over shapes ----
ui.subheader(t("weights.shapes_head"))
ui.prose("weights_shapes")
n_classes = batch[0].shape[-1] if rows is not None else 4
for case in weights.pos_weight_cases(batch[3] if rows is not None else None, n_classes):
    st.markdown(t(f"weights.case_{case.id}", input=case.input_shape, pw=case.pos_weight_shape))
    try:
        value = F.binary_cross_entropy_with_logits(case.input, case.target, pos_weight=case.pos_weight)
        st.markdown(t("weights.case_works", value=fmt.cell(value)))
    except LossVizError as exc:
        ui.show_error(exc)
        ref = torch_ref.reference("binary_cross_entropy_with_logits", case.input, case.target,
                                  pos_weight=case.pos_weight)
        if ref.error is not None:
            st.caption(t("weights.torch_raised", version=torch_ref.torch_version()))
            ui.raw_message(f"{ref.error_kind}: {ref.error}")
    ui.torch_check("binary_cross_entropy_with_logits", case.input, case.target, pos_weight=case.pos_weight)

# ---- class imbalance: negatives / positives, and what it does to predictions ----
ui.subheader(t("weights.imbalance_head"))
ui.prose("weights_imbalance")


@st.fragment
def imbalance_part() -> None:
    """Its own controls move only this part: a step reruns it alone (bench/README.md)."""
    c1, c2, c3 = st.columns(3)
    n_pos = int(ui.number("wt_npos", t("weights.positives"), 1, 100000, 100, 1, container=c1))
    n_neg = int(ui.number("wt_nneg", t("weights.negatives"), 1, 100000, 300, 1, container=c2))
    pw = ui.slider("wt_pw", t("weights.pw_try"), 0.1, 20.0, 1.0, 0.1, container=c3)
    rec = weights.recommended_pos_weight(n_pos, n_neg)
    star = float(weights.optimal_constant(pw, n_pos, n_neg))
    bar = float(weights.threshold_on_probability(pw))
    ui.metric_row([(t("weights.recommended"), fmt.cell(rec)), (t("weights.sigma_star"), fmt.cell(star)),
                   (t("weights.threshold"), fmt.cell(bar)),
                   (t("weights.grad_at_star"), fmt.cell(weights.constant_prediction_grad(pw, n_pos, n_neg), 3))])
    ps = np.geomspace(min(0.05, rec / 2), max(50.0, rec * 2), 241)
    fig = imbalance_figure(ps, weights.optimal_constant(ps, n_pos, n_neg), weights.threshold_on_probability(ps),
                           current=(pw, star), recommended=(rec, float(weights.optimal_constant(rec, n_pos, n_neg))),
                           labels={"title": t("weights.imb_title"), "x": "pos_weight", "y": t("weights.imb_y"),
                                   "sigma_star": t("weights.sigma_star"), "threshold": t("weights.threshold"),
                                   "current": t("common.current"), "recommended": t("weights.recommended")})
    ui.plot(fig, "wt_imbalance", t("weights.imb_summary", p=fmt.cell(pw), star=fmt.cell(star), bar=fmt.cell(bar),
                                   rec=fmt.cell(rec), pos=n_pos, neg=n_neg))
    ui.record_tasks("weights", {"balance": abs(pw - rec) <= 0.05 + 1e-9})  # the recipe, to half a slider step


imbalance_part()
st.latex(r"\sigma^* = \frac{p\,P}{p\,P + N}")
st.latex(r"\sigma > 0.5 \iff q > \frac{1}{1+p}")
st.info(t("weights.takeaway"), icon="💡")

ui.record_tasks("weights", {"fail": isinstance(batch, LossVizError) and batch.code == "broadcast"})
ui.quiz(
    "weights",
    [("mean", ["numel", "sumw", "rows"], "numel"), ("recipe", ["three", "third", "quarter"], "three"),
     ("nchw", ["c", "c11", "1c"], "c11"), ("sample", ["n", "n1", "c"], "n1")],
    tasks=("balance", "fail"),
)
ui.page_links("weights")
