"""Lesson 14 — log_softmax + NLLLoss = CrossEntropyLoss: the pipeline tensor by tensor, and the classic mistakes."""

import streamlit as st

from lossviz import ui
from lossviz.core.errors import LossVizError
from lossviz.lessons import nll_pipeline as P
from lossviz.plots.nll_pipeline import gradient_figure, mistakes_figure, pipeline_figure
from lossviz.text import fmt

t = ui.t
ui.page_setup("nll_pipeline")
ui.prose("nll_pipeline_intro")
ui.predict_first("nll_pipeline")


# Cached by its exact inputs, as lesson 12's splits: a step back to a batch seen before (by this learner or
# another: a class starts from the same defaults) costs no computation; ≈ 0.9 ms otherwise (bench/results.md).
@st.cache_data(max_entries=512, show_spinner=False)
def _pipeline(logits: tuple, targets: tuple, weight: tuple, red: str) -> P.Pipeline:
    return P.pipeline(logits, targets, weight, red)


def controls() -> tuple[list, list[float], str, list[list[float]]]:
    """The batch: targets (ignore_index allowed), class weights, the reduction and the logits, all in the URL."""
    ui.subheader(t("nll_pipeline.controls", n=P.N, c=P.C))
    tcols = st.columns(P.N)
    targets = [ui.choice(f"nl_y{n}", t("nll_pipeline.target_n", n=n), [*range(P.C), P.IGNORE], P.TARGETS[n],
                         container=tcols[n]) for n in range(P.N)]
    st.caption(t("nll_pipeline.ignore_hint"))
    wcols = st.columns(P.C)
    weight = [ui.number(f"nl_w{c}", t("nll_pipeline.weight_c", c=c), *P.W_RANGE, P.WEIGHTS[c], 0.1, container=wcols[c])
              for c in range(P.C)]
    reduction = ui.choice("nl_red", t("common.reduction"), list(P.REDUCTIONS), "mean")
    logits = ui.number_grid("nl_x", t("nll_pipeline.edit_logits", n=P.N, c=P.C), *P.X_RANGE, P.LOGITS, 0.1,
                            cell_label=lambda n, c: f"x[{n}, {c}]")
    return targets, weight, reduction, logits


def loss_text(v) -> str:
    return fmt.array(v, 10) if v.ndim else fmt.cell(v, 10)


def tensors_view(p: P.Pipeline, red: str) -> None:
    ui.subheader(t("nll_pipeline.tensors"))
    ignored, rows = t("nll_pipeline.ignored"), range(P.N)
    ui.table({t("nll_pipeline.col_n"): [str(n) for n in rows], "x[n]": [fmt.array(r, 4) for r in p.logits],
              "log_softmax(x)[n]": [fmt.array(r, 4) for r in p.log_probs],
              t("nll_pipeline.col_y"): [str(y) if k else ignored for y, k in zip(p.targets, p.keep, strict=True)],
              "log_softmax(x)[n, y]": [fmt.cell(v) if k else "—" for v, k in zip(p.picked, p.keep, strict=True)],
              "w[y]": [fmt.cell(v) if k else "—" for v, k in zip(p.w_y, p.keep, strict=True)],
              t("nll_pipeline.col_l"): [fmt.cell(v) for v in p.nll_none]})
    ui.metric_row([(P.NLL_CALL, loss_text(p.nll)), (P.CALLS["right"], loss_text(p.ce)),
                   (t("nll_pipeline.kept"), f"{p.n_kept} / {P.N}")])
    st.markdown(t(f"nll_pipeline.reduce_{red}", num=fmt.cell(p.numerator), den=fmt.cell(p.denominator),
                  value=loss_text(p.nll)))
    if red == "mean" and p.n_kept == 0:
        st.warning(t("nll_pipeline.all_ignored"), icon="⚠️")
    elif red == "mean" and p.denominator == 0:
        st.warning(t("nll_pipeline.zero_weights"), icon="⚠️")
    kw = {"weight": p.weight, "reduction": red}
    ui.torch_check("nll_loss", p.log_probs, p.targets, **kw)
    ui.torch_check("cross_entropy", p.logits, p.targets, **kw)


def inspected(p: P.Pipeline, view_open: bool = True) -> tuple[int, int | None]:
    """The sample chosen for the row chart and the gradient (one choice, in both of their views), and its target."""
    n = ui.choice("nl_n", t("nll_pipeline.inspect"), list(range(P.N)), 0, view_open=view_open)
    return n, (int(p.targets[n]) if p.keep[n] else None)


def row_chart(p: P.Pipeline, n: int, y: int | None) -> None:
    fig = pipeline_figure(p.logits[n], p.log_probs[n], target=y,
                          labels={"title": t("nll_pipeline.pipe_fig", n=n), "x": t("nll_pipeline.col_class"),
                                  "y": t("nll_pipeline.value_axis"), "logits": "x", "log_probs": "log_softmax(x)"})
    shift = {"n": n, "lse": fmt.cell(p.logsumexp[n])}
    summary = (t("nll_pipeline.pipe_summary", **shift, y=y, picked=fmt.cell(p.picked[n]), l=fmt.cell(p.nll_none[n]))
               if y is not None else t("nll_pipeline.pipe_summary_ignored", **shift))
    ui.plot(fig, "nl_pipe", summary)


def gradient_view(p: P.Pipeline, red: str) -> None:
    ui.subheader(t("nll_pipeline.grad_title"))
    n, y = inspected(p)
    g = P.grad_rows(p, n)
    ui.table({t("nll_pipeline.col_quantity"): [t(f"nll_pipeline.row_{k}") for k in P.GRAD_ROWS],
              **{t("nll_pipeline.class_c", c=c): [fmt.cell(g[k][c]) for k in P.GRAD_ROWS] for c in range(P.C)}})
    st.caption(t("nll_pipeline.grad_scale", n=n, s=fmt.cell(p.row_scale[n]), red=red) if y is not None
               else t("nll_pipeline.grad_scale_ignored", n=n))
    gfig = gradient_figure(p.grad_chain[n], p.grad_ce[n], target=y,
                           labels={"title": t("nll_pipeline.grad_fig", n=n, red=red), "x": t("nll_pipeline.col_class"),
                                   "y": "∂ loss / ∂ x", "chain": t("nll_pipeline.row_chain"),
                                   "ce": t("nll_pipeline.row_ce")})
    ui.plot(gfig, "nl_grad", t("nll_pipeline.grad_summary", n=n, chain=fmt.array(p.grad_chain[n], 4),
                                 ce=fmt.array(p.grad_ce[n], 4)))


def mistakes_view(p: P.Pipeline, red: str) -> None:
    ui.subheader(t("nll_pipeline.mistakes_title"))
    try:
        m = P.mistakes(p.logits, p.targets, p.weight, red, pipe=p)  # reuses the pipeline's softmax and CE
    except LossVizError as exc:
        ui.show_error(exc)
        return
    ui.prose("nll_pipeline_mistakes")
    ui.table({t("nll_pipeline.col_route"): [P.CALLS[r] for r in P.ROUTES],
              t("nll_pipeline.col_loss", red=red): [loss_text(m.values[r]) for r in P.ROUTES],
              t("nll_pipeline.col_verdict"): [t(f"nll_pipeline.verdict_{r}") for r in P.ROUTES]},
             highlight=[r == "on_probs" for r in P.ROUTES])
    st.caption(t("nll_pipeline.twice_change", d=fmt.cell(m.twice_change, 3)))
    mfig = mistakes_figure({P.CALLS[r]: m.per_sample[r] for r in P.ROUTES},
                           labels={"title": t("nll_pipeline.mistakes_fig"), "x": t("nll_pipeline.col_n"),
                                   "y": t("nll_pipeline.loss_axis")})
    ui.plot(mfig, "nl_mistakes", t("nll_pipeline.mistakes_summary", probs=fmt.array(m.per_sample["on_probs"], 4),
                                    right=fmt.array(m.per_sample["right"], 4)))
    for route in P.ROUTES[1:]:
        name, inp = m.calls[route]
        ui.torch_check(name, inp, p.targets, weight=p.weight, reduction=red)


@st.fragment
def lesson() -> None:
    targets, weight, red, logits = controls()
    try:
        p = _pipeline(tuple(map(tuple, logits)), tuple(targets), tuple(weight), red)
    except LossVizError as exc:
        ui.show_error(exc)
        return
    # Three views of the same batch, in lazy views: a step re-sends the open one only (bench/README.md).
    view, box = ui.views("nl_view", P.VIEWS, lambda v: t(f"nll_pipeline.view_{v}"))
    with box:
        if view == "tensors":
            tensors_view(p, red)
            row_chart(p, *inspected(p))
        elif view == "gradient":
            gradient_view(p, red)
        else:
            inspected(p, view_open=False)  # not drawn here: its ?nl_n= stays in the link
            mistakes_view(p, red)
    ui.code_panel(P.code(logits, targets, weight, red))


lesson()
ui.subheader(t("nll_pipeline.formula"))
st.latex(P.FORMULAS)
ui.prose("nll_pipeline_takeaway")
ui.quiz("nll_pipeline", [("q1", ["a", "b", "c"], "b"), ("q2", ["a", "b", "c"], "a"), ("q3", ["a", "b", "c"], "c")])
ui.page_links("nll_pipeline")
