"""Why not MSE for classification? σ + MSE vs BCEWithLogits as functions of the logit, then a race."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.core import functional as F
from lossviz.lessons import why_mse as W
from lossviz.plots.why_mse import curves_figure, race_figure
from lossviz.text import fmt

t = ui.t


@st.cache_data(max_entries=64, show_spinner=False)
def _curves(y: float) -> W.Curves:
    return W.curves(y)


@st.cache_data(max_entries=256, show_spinner=False)
def _race(lr: float, steps: int, scale: float) -> W.Race:
    return W.race(lr=lr, steps=steps, scale=scale)


ui.page_setup("why_mse")
ui.prose("why_mse_intro")


@st.fragment
def one_logit() -> None:
    ui.header(t("why_mse.part1"))
    left, right = st.columns([3, 1])
    x = ui.slider("wm_x", t("why_mse.logit"), *W.X_RANGE, -4.0, 0.1, container=left)
    y = float(ui.choice("wm_y", t("why_mse.label"), [1, 0], 1, container=right,
                        format_func=lambda v: t("why_mse.label_option", y=v)))
    p, top, c = W.point(x, y), W.peak(y), _curves(y)
    numbers = st.container()
    mse, bce = W.NAMES["mse"], W.NAMES["bce"]
    fig = curves_figure(c.xs, {mse: (c.mse, c.mse_grad), bce: (c.bce, c.bce_grad)}, current=x,
                        current_values={mse: (p.mse, p.mse_grad), bce: (p.bce, p.bce_grad)}, peak=(top.x, top.mse_grad),
                        labels={"title": t("why_mse.curves_title", y=fmt.cell(y)), "x": t("common.logit_x"),
                                "loss": t("why_mse.loss_axis"), "grad": t("why_mse.grad_axis"),
                                "current": t("common.current"), "peak": t("why_mse.peak_mark")})
    ratio = fmt.cell(p.ratio, 3)
    ui.plot(fig, "wm_curves", t("why_mse.curves_summary", x=fmt.cell(x), y=fmt.cell(y), mse=fmt.cell(p.mse),
                                 mse_grad=fmt.cell(p.mse_grad), bce=fmt.cell(p.bce), bce_grad=fmt.cell(p.bce_grad),
                                 ratio=ratio))
    with numbers:
        ui.metric_row([(t("why_mse.sigma"), fmt.cell(p.sigma)), (t("why_mse.mse"), fmt.cell(p.mse)),
                       (t("why_mse.bce"), fmt.cell(p.bce))])
        ui.metric_row([(t("why_mse.ratio"), ratio), (t("why_mse.mse_grad"), fmt.cell(p.mse_grad)),
                       (t("why_mse.bce_grad"), fmt.cell(p.bce_grad))])
        if p.wrong and p.ratio < 0.05:
            st.warning(t("why_mse.vanish", sigma=fmt.cell(p.sigma), y=fmt.cell(y), mse_grad=fmt.cell(p.mse_grad),
                         ratio=ratio, bce_grad=fmt.cell(p.bce_grad)), icon="🧊")
        elif not p.wrong and x != 0:
            st.info(t("why_mse.right", side=">" if x > 0 else "<"), icon="👍")
        st.caption(t("why_mse.peak", x=fmt.cell(top.x, 4), grad=fmt.cell(top.mse_grad, 4),
                     bce_grad=fmt.cell(top.bce_grad, 4)))
    xs, ys = np.array([x]), np.array([y])
    ui.torch_check("mse_loss", F.sigmoid(xs), ys)
    ui.torch_check("binary_cross_entropy_with_logits", xs, ys)
    ui.code_panel(W.point_code(x, y))


one_logit()
st.latex(W.FORMULAS)


@st.fragment
def the_race() -> None:
    ui.header(t("why_mse.part2"))
    ui.prose("why_mse_race")
    cols = st.columns(3)
    lr = float(ui.slider("wm_lr", t("why_mse.lr"), *W.LIMITS["lr"], 0.5, 0.05, container=cols[0]))
    steps = int(ui.slider("wm_steps", t("why_mse.steps"), *W.LIMITS["steps"], 100, 1, container=cols[1]))
    scale = float(ui.slider("wm_scale", t("why_mse.scale"), *W.LIMITS["scale"], 5.0, 0.5, container=cols[2],
                            help=t("why_mse.scale_help")))
    race = _race(lr, steps, scale)
    mse, bce = race.runs["mse"], race.runs["bce"]
    options = ["mse", "bce", "same"]
    pick = st.radio(t("why_mse.predict", lr=fmt.cell(lr), steps=steps), options, index=None, horizontal=True,
                    format_func=lambda o: t(f"why_mse.predict_{o}"), key="wm_predict")
    if pick is not None:
        verdict = t("why_mse.predict_right" if pick == W.winner(race) else "why_mse.predict_wrong")
        st.info(verdict + " " + t("why_mse.predict_result", steps=steps, mse_acc=fmt.cell(mse.final_accuracy, 4),
                                  bce_acc=fmt.cell(bce.final_accuracy, 4)), icon="🏁")
    runs = {W.NAMES[k]: r for k, r in race.runs.items()}
    reach = [W.first_to(r, 0.9) for r in runs.values()]
    ui.table({t("why_mse.col_loss"): list(runs),
              t("why_mse.first_loss"): [fmt.cell(r.losses[0]) for r in runs.values()],
              t("why_mse.last_loss"): [fmt.cell(r.losses[-1]) for r in runs.values()],
              t("why_mse.first_acc"): [fmt.cell(r.accuracy[0], 4) for r in runs.values()],
              t("why_mse.final_acc"): [fmt.cell(r.final_accuracy, 4) for r in runs.values()],
              t("why_mse.reach"): [t("why_mse.never", steps=steps) if s is None else str(s) for s in reach]})
    fig = race_figure({name: (r.losses, r.accuracy) for name, r in runs.items()},
                      labels={"title": t("why_mse.race_title"), "x": t("why_mse.step"),
                              "accuracy": t("why_mse.accuracy"), "loss": t("why_mse.objective")})
    ui.plot(fig, "wm_race", t("why_mse.race_summary", steps=steps, lr=fmt.cell(lr), scale=fmt.cell(scale),
                               mse_acc=fmt.cell(mse.final_accuracy, 4), bce_acc=fmt.cell(bce.final_accuracy, 4)))
    st.caption(t("why_mse.race_check"))
    ui.torch_check("mse_loss", F.sigmoid(mse.final_logits), race.target)
    ui.code_panel(W.race_code(lr=lr, steps=steps, scale=scale), key="lv_code_toy")


the_race()
ui.prose("why_mse_takeaway")
ui.quiz("why_mse", [("q1", ["a", "b", "c"], "b"), ("q2", ["a", "b", "c"], "b"), ("q3", ["a", "b", "c"], "a")])
ui.page_links("why_mse")
