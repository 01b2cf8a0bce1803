"""Train it: tiny live training runs in real torch — which loss learns, which stalls."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.lessons import train as T
from lossviz.plots.train import curves_figure, epoch_loss_figure, probability_map_figure
from lossviz.text import fmt

t = ui.t
GRID = np.linspace(-5.0, 5.0, 61)


@st.cache_data(max_entries=256, show_spinner=False)
def _linear(lr: float, epochs: int, seed: int) -> T.LinearRun:
    return T.train_linear(lr=lr, epochs=epochs, seed=seed)


@st.cache_data(max_entries=512, show_spinner=False)
def _toy(loss: str, lr: float, epochs: int, scale: float) -> T.ToyRun:
    return T.train_toy(loss, lr=lr, epochs=epochs, scale=scale)


@st.cache_data(max_entries=16, show_spinner=False)
def _blobs() -> tuple[np.ndarray, np.ndarray]:
    x, y = T.blobs()
    return x.numpy(), y.numpy()


ui.page_setup("train")
ui.prose("train_intro")
ui.predict_first("train")


@st.fragment
def linear_part() -> None:
    ui.header(t("train.part1"))
    ui.prose("train_linear")
    cols = st.columns(3)
    lr = ui.number("tr_lr", t("train.lr"), 0.001, 5.0, 0.1, 0.01, container=cols[0], fmt_str="%.3f")
    epochs = int(ui.slider("tr_epochs", t("train.epochs"), 1, 200, 10, 1, container=cols[1]))
    seed = int(ui.number("tr_seed", t("train.seed"), 0, 9999, 0, 1, container=cols[2]))
    run = _linear(float(lr), epochs, seed)
    ui.metric_row([(t("train.first_loss"), fmt.cell(run.losses[0])), (t("train.last_loss"), fmt.cell(run.losses[-1])),
                   (t("train.final_loss"), fmt.cell(run.final_loss)), (t("train.accuracy"), fmt.cell(run.accuracy, 3))])
    fig = epoch_loss_figure(run.losses, labels={"title": t("train.linear_title"), "x": t("train.epoch"),
                                                "y": t("common.loss"), "curve": "CrossEntropyLoss"})
    ui.plot(fig, "tr_linear", t("train.linear_summary", epochs=epochs, first=fmt.cell(run.losses[0]),
                                 last=fmt.cell(run.losses[-1])))
    ui.torch_check("cross_entropy", run.final_logits, run.target)
    ui.code_panel(T.linear_code(lr=float(lr), epochs=epochs, seed=seed))


linear_part()
ui.lesson_link("reading_loss", t("train.see_reading_loss"))


@st.fragment
def toy_part() -> None:
    ui.header(t("train.part2"))
    ui.prose("train_toy")
    name = lambda k: t(f"train.loss_{k}")  # noqa: E731
    picked = ui.choice("tr_view", t("train.view"), list(T.TOY_LABELS.values()), T.TOY_LABELS["bce_logits"])
    view = next(k for k, label in T.TOY_LABELS.items() if label == picked)
    cols = st.columns(3)
    lr = float(ui.number("tr_toy_lr", t("train.lr"), 0.001, 10.0, 0.5, 0.05, container=cols[0], fmt_str="%.3f"))
    epochs = int(ui.slider("tr_toy_epochs", t("train.epochs"), 1, 500, 100, 1, container=cols[1]))
    scale = float(ui.slider("tr_scale", t("train.scale"), 0.1, 30.0, 1.0, 0.1, container=cols[2],
                            help=t("train.scale_help")))
    bar = st.progress(0.0, text=t("train.training"))
    runs = {}
    for i, k in enumerate(T.TOY_LOSSES):
        runs[k] = _toy(k, lr, epochs, scale)
        bar.progress((i + 1) / len(T.TOY_LOSSES), text=t("train.trained", name=name(k)))
    bar.progress(1.0, text=t("train.trained_all"))
    ui.table(
        {t("train.col_loss"): [name(k) for k in runs],
         t("train.status"): [t("train.stalled" if r.stalled else "train.learning") for r in runs.values()],
         t("train.first_loss"): [fmt.cell(r.losses[0]) for r in runs.values()],
         t("train.last_loss"): [fmt.cell(r.losses[-1]) for r in runs.values()],
         t("train.log_loss"): [fmt.cell(r.final_loss) for r in runs.values()],
         t("train.accuracy"): [fmt.cell(r.accuracy, 3) for r in runs.values()],
         t("train.stuck"): [f"{r.stuck_start} → {r.stuck_end}" for r in runs.values()]},
    )
    naive = runs["naive_bce"]
    if naive.stuck_start:
        (st.warning if naive.stalled else st.info)(
            t("train.stuck_note", n=naive.stuck_start, total=len(naive.final_logits), g=fmt.cell(naive.grad_norms[0]),
              g_stable=fmt.cell(runs["bce_logits"].grad_norms[0])), icon="🧊")
    fig = curves_figure({name(k): (r.losses, r.grad_norms) for k, r in runs.items()},
                        labels={"title": t("train.curves_title"), "x": t("train.step"), "loss": t("train.objective"),
                                "grad": t("train.grad_norm")})
    ui.plot(fig, "tr_curves", t("train.curves_summary", **{k: fmt.cell(r.losses[-1]) for k, r in runs.items()}))
    ui.lesson_link("why_mse", t("train.see_why_mse"))  # the MSE curve just drawn: why it is so flat
    run = runs[view]
    x, y = _blobs()
    prob = T.probability_map(run.w, run.b, GRID, GRID)
    fig = probability_map_figure(
        GRID, GRID, prob, x, y, boundary_y=T.boundary(run.w, run.b, GRID),
        labels={"title": t("train.map_title", name=name(view)), "x": "x₁", "y": "x₂", "prob": "σ(z)",
                "class0": t("train.class0"), "class1": t("train.class1"), "boundary": t("train.boundary")})
    ui.plot(fig, "tr_map", t("train.map_summary", name=name(view), acc=fmt.cell(run.accuracy, 3),
                             w=fmt.array(run.w, 4), b=fmt.cell(run.b, 4)))
    stable = runs["bce_logits"]
    ref, mine, same = T.cross_check(stable, y)
    (st.success if same else st.error)(t("train.cross_check" if same else "train.cross_check_bad",
                                         torch=fmt.value(ref), ours=fmt.value(mine)), icon="🔁")
    ui.torch_check("binary_cross_entropy_with_logits", stable.final_logits, y)
    st.latex(T.FORMULAS)
    ui.prose("train_takeaway")
    ui.code_panel(T.toy_code(view, lr=lr, epochs=epochs, scale=scale), key="lv_code_toy")
    ui.quiz("train", [("q1", ["a", "b", "c"], "b"), ("q2", ["a", "b", "c"], "c"), ("q3", ["a", "b", "c"], "a")],
            tasks={"t1": T.task_t1_done(naive, stable), "t2": T.task_t2_done(runs["mse_prob"], naive)})


toy_part()
ui.page_links("train")
