"""Lesson 8 — Class weights, ignore_index, label smoothing: the weighted mean, 0/0 = NaN, smoothed targets."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.core.errors import LossVizError
from lossviz.lessons import ce_options, softmax_ce
from lossviz.plots.softmax_ce import class_bars_figure
from lossviz.text import fmt

t = ui.t
ui.page_setup("ce_options")
ui.prose("ce_options_intro")
ui.predict_first("ce_options")

LOGITS = ((2.0, 0.5, -1.0), (0.2, 1.5, 0.3), (-0.5, 0.1, 2.2), (1.0, 1.0, 0.0))
TARGETS = (0, 1, 2, 1)
N, C = 4, 3

# The batch (targets, weights, logits) sets up the page: editing it reruns the page. Label smoothing
# and the reduction are a fragment with everything they change: a step reruns only that part, not
# the navigation, title, introduction and the batch's 19 inputs (bench/README.md).
ui.subheader(t("ce_options.controls"))
tcols = [c for _ in range(N // 2) for c in st.columns(2)]  # row by row: stacks in order on a phone
targets = [ui.choice(f"ceo_y{n}", t("ce_options.target_n", n=n + 1), [0, 1, 2, ce_options.IGNORE], TARGETS[n],
                     container=tcols[n]) for n in range(N)]
st.caption(t("ce_options.ignore_hint"))
wcols = st.columns(C)
weight = [ui.number(f"ceo_w{c}", t("ce_options.weight_c", c=c), 0.0, 10.0, (1.0, 2.0, 0.5)[c], 0.1, container=wcols[c])
          for c in range(C)]
with st.expander(t("ce_options.edit_logits")):
    rows = [st.columns(C) for _ in range(N)]
    logits = [[ui.number(f"ceo_x{n}{c}", f"x[{n + 1}, {c}]", -20.0, 20.0, LOGITS[n][c], 0.1, container=rows[n][c])
               for c in range(C)] for n in range(N)]


@st.fragment
def lesson(targets: list, weight: list[float], logits: list[list[float]],
           terms: ce_options.WeightedTerms | LossVizError) -> None:
    left, right = st.columns(2)
    eps = ui.slider("ceo_eps", t("ce_options.eps"), 0.0, 1.0, 0.0, 0.05, container=left, help=t("ce_options.eps_help"))
    reduction = ui.choice("ceo_red", t("common.reduction"), ["mean", "sum", "none"], "mean", container=right)

    try:
        if isinstance(terms, LossVizError):
            raise terms
        view = ce_options.smoothing_view(logits, targets, weight, reduction=reduction, label_smoothing=eps)
    except LossVizError as exc:
        ui.show_error(exc)
        return

    # the numbers sit above the charts but are written after them: a step redraws the charts first
    numbers = st.container()
    ui.subheader(t("ce_options.smooth_title"))
    show = ui.choice("ceo_n", t("ce_options.inspect"), [1, 2, 3, 4], 1)
    n = show - 1
    classes = [str(c) for c in range(C)]
    if terms.keep[n]:
        smooth = ce_options.smoothed_target(targets[n], C, eps)
        fig = class_bars_figure(
            classes,
            {t("ce_options.bar_onehot"): softmax_ce.onehot(targets[n], C),
             t("ce_options.bar_smooth", eps=fmt.cell(eps)): smooth,
             t("ce_options.bar_p"): terms.softmax[n]},
            highlight=targets[n], y_range=(0.0, 1.15), uirevision="ceo_target",
            labels={"title": t("ce_options.target_fig", n=show), "x": t("ce_options.col_class"),
                    "y": t("ce_options.prob_axis")},
        )
        summary = "ce_options.target_summary" if eps > 0 else "ce_options.target_summary0"
        ui.plot(fig, "ceo_target", t(summary, n=show, hi=fmt.cell(smooth[targets[n]]), lo=fmt.cell(eps / C),
                                     eps=fmt.cell(eps), h=fmt.cell(ce_options.entropy(smooth))))
    else:
        st.info(t("ce_options.inspect_ignored", n=show))
    gfig = class_bars_figure(
        classes, {t("ce_options.bar_grad"): view.grad[n]}, highlight=targets[n] if terms.keep[n] else None,
        uirevision="ceo_grad",
        labels={"title": t("ce_options.grad_fig", n=show, red=reduction), "x": t("ce_options.col_class"),
                "y": "∂ loss / ∂ x"},
    )
    ui.plot(gfig, "ceo_grad", t("ce_options.grad_summary", n=show, g=fmt.array(view.grad[n], 4)))

    with numbers:
        ui.subheader(t("ce_options.numbers"))
        loss_text = fmt.array(view.loss, 6) if reduction == "none" else fmt.value(view.loss)
        ui.metric_row([(t("ce_options.loss", red=reduction), loss_text)])
        ui.metric_row(
            [
                (t("ce_options.num"), fmt.cell(terms.numerator)),
                (t("ce_options.den"), fmt.cell(terms.denominator)),
                (t("ce_options.kept"), f"{terms.n_kept} / {N}"),
            ]
        )
        sym, nums = ce_options.weighted_mean_formula(terms.w_y, terms.nll, terms.keep)
        mean = fmt.value(terms.nll_mean)
        st.markdown(t("ce_options.mean_empty", mean=mean) if terms.n_kept == 0 else
                    t("ce_options.mean_formula", sym=sym, nums=nums, num=fmt.cell(terms.numerator),
                      den=fmt.cell(terms.denominator), mean=mean))
        if eps > 0:
            st.caption(t("ce_options.formula_eps"))
        if terms.n_kept == 0:
            st.warning(t("ce_options.all_ignored"), icon="⚠️")
        elif terms.denominator == 0:
            st.warning(t("ce_options.zero_weights"), icon="⚠️")
        ignored = t("ce_options.ignored")
        ui.table(
            {
                t("ce_options.col_n"): [str(k) for k in range(1, N + 1)],
                t("ce_options.col_y"): [str(y) if k else ignored for y, k in zip(targets, terms.keep, strict=True)],
                "w[y]": [fmt.cell(a) if k else "—" for a, k in zip(terms.w_y, terms.keep, strict=True)],
                t("ce_options.col_l"): [fmt.cell(a) if k else "—" for a, k in zip(terms.nll, terms.keep, strict=True)],
                "w[y]·l": [fmt.cell(a) if k else "—" for a, k in zip(terms.contrib, terms.keep, strict=True)],
                t("ce_options.col_none"): [fmt.cell(a) for a in view.loss_none],
            }
        )
        ui.torch_check("cross_entropy", np.array(logits), np.array(targets), weight=np.array(weight),
                       reduction=reduction, label_smoothing=eps)

    ui.subheader(t("ce_options.routes_title"))
    ui.table(
        {
            t("ce_options.route"): [t("ce_options.route_index"), t("ce_options.route_onehot")],
            t("ce_options.no_weights"): [fmt.cell(view.mean_index), fmt.cell(view.mean_onehot)],
            t("ce_options.with_weights"): [fmt.cell(view.mean_index_w), fmt.cell(view.mean_onehot_w)],
        }
    )
    st.markdown(t("ce_options.routes_note", den=fmt.cell(terms.denominator), n=terms.n_kept))

    ui.code_panel(ce_options.code(logits, targets, weight, reduction, eps))
    ui.record_tasks("ce_options", ce_options.tasks_done(weight, eps, terms.n_kept)._asdict())


try:  # the terms of the weighted mean depend on the batch only: computed here, once per batch
    terms = ce_options.weighted_terms(logits, targets, weight)
except LossVizError as exc:
    terms = exc
lesson(targets, weight, logits, terms)
ui.lesson_link("entropy_kl", t("ce_options.see_entropy_kl"), {"ek_view": "soft"})  # its soft-targets tab
ui.subheader(t("ce_options.formula"))
for formula in (
    r"\text{mean}=\frac{\sum_{n:\,y_n\neq-100} w_{y_n}\,\ell_n}{\sum_{n:\,y_n\neq-100} w_{y_n}}",
    r"\ell_n=-\log\operatorname{softmax}(x_n)_{y_n}",
    r"\tilde t=(1-\varepsilon)\,\mathrm{onehot}(y)+\frac{\varepsilon}{C}",
    r"\frac{\partial\ell_n}{\partial x_n}=\operatorname{softmax}(x_n)-\tilde t",
):
    st.latex(formula)
ui.prose("ce_options_takeaway")
ui.quiz(
    "ce_options",
    [("q1", ["a", "b", "c"], "b"), ("q2", ["a", "b", "c"], "a"), ("q3", ["a", "b", "c"], "c")],
    tasks=("t1", "t2", "t3"),
)
ui.page_links("ce_options")
