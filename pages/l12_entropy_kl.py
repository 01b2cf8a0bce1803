"""Lesson 12 — Entropy, cross-entropy, KL: H(y, p) = H(y) + KL(y‖p), the floor H(y), the "mean" trap, soft targets."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.lessons import entropy_kl as E
from lossviz.plots.entropy_kl import split_figure
from lossviz.plots.softmax_ce import class_bars_figure
from lossviz.text import fmt
from lossviz.ui import drag as ui_drag

t = ui.t


# Cached by their exact inputs, as Why not MSE's curves: a step back to a value seen before (by this learner or
# another) costs no computation; each is a handful of small core calls (≈ 1-2 ms) otherwise.
@st.cache_data(max_entries=512, show_spinner=False)
def _split(x: tuple[float, ...], y: tuple[float, ...]) -> E.Split:
    return E.split(x, y)


@st.cache_data(max_entries=512, show_spinner=False)
def _reductions(x: tuple[float, ...], y: tuple[float, ...], n: int) -> E.Reductions:
    return E.reductions(x, y, n)


@st.cache_data(max_entries=512, show_spinner=False)
def _softened(x: tuple[float, ...], k: int, eps: float, temp: float) -> E.Softened:
    return E.softened(x, k, eps, temp)


ui.page_setup("entropy_kl")
ui.prose("entropy_kl_intro")
ui.predict_first("entropy_kl")


def split_labels(title: str) -> dict[str, str]:
    return {"title": title, "y": t("entropy_kl.nats"), "entropy": t("entropy_kl.h"), "kl": t("entropy_kl.kl"),
            "ce": t("entropy_kl.ce")}


def decomposition_charts(s: E.Split) -> None:
    classes = [str(i) for i in range(s.p.size)]
    bars = class_bars_figure(classes, {t("entropy_kl.bar_p"): s.p, t("entropy_kl.bar_y"): s.y}, y_range=(0.0, 1.15),
                             uirevision="ek_p", labels={"title": t("entropy_kl.bars_title"),
                                                        "x": t("entropy_kl.class"), "y": t("entropy_kl.prob")})
    ui.plot(bars, "ek_bars", t("entropy_kl.bars_summary", y=fmt.array(s.y, 3), p=fmt.array(s.p, 3)))
    fig = split_figure([t("entropy_kl.col_now"), t("entropy_kl.col_best")], [s.entropy, s.entropy], [s.kl, 0.0],
                       [s.ce, None], labels=split_labels(t("entropy_kl.split_title")))
    ui.plot(fig, "ek_split", t("entropy_kl.split_summary", h=fmt.cell(s.entropy), kl=fmt.cell(s.kl), ce=fmt.cell(s.ce)))


def decomposition_numbers(s: E.Split) -> None:
    ui.subheader(t("entropy_kl.numbers"))
    ui.metric_row([(t("entropy_kl.h"), fmt.cell(s.entropy)), (t("entropy_kl.kl"), fmt.cell(s.kl)),
                   (t("entropy_kl.h_plus_kl"), fmt.cell(s.entropy + s.kl)), (t("entropy_kl.ce"), fmt.cell(s.ce))])
    st.caption(t("entropy_kl.gap", gap=fmt.cell(s.gap, 3)))
    hard = bool(np.max(s.y) == 1.0)
    st.info(t("entropy_kl.floor_hard" if hard else "entropy_kl.floor", h=fmt.cell(s.entropy), kl=fmt.cell(s.kl)),
            icon="🧱")


def split_view(x: list[float], tgt: E.Target, s: E.Split) -> None:
    # The chart is sent first; the numbers and torch checks around it are containers made in screen order
    # and written after it: a step redraws the charts first (bench/README.md).
    numbers = st.container()
    decomposition_charts(s)
    checks = st.container()
    with numbers:
        decomposition_numbers(s)
    with checks:
        ui.torch_check("cross_entropy", np.array([x]), tgt.y[None])
        ui.torch_check("kl_div", s.logp[None], tgt.y[None], reduction="batchmean")


def mean_trap(x: list[float], tgt: E.Target, n: int) -> None:
    r = _reductions(tuple(x), tuple(tgt.y.tolist()), n)
    c = r.c
    ui.table({t("entropy_kl.col_call"): [f'F.kl_div(log p, y, reduction="{k}")' for k in E.REDUCTIONS]
              + ['F.kl_div(p, y, reduction="batchmean")'],
              t("entropy_kl.col_value"): [fmt.cell(r.values[k]) for k in E.REDUCTIONS] + [fmt.cell(r.probs)],
              t("entropy_kl.col_means"): [t("entropy_kl.means_sum", n=n), t("entropy_kl.means_batchmean"),
                                          t("entropy_kl.means_mean", n=n, c=c), t("entropy_kl.means_probs")]},
             highlight=[False, True, False, False])
    if r.values["batchmean"] > 1e-12:
        st.warning(t("entropy_kl.trap", mean=fmt.cell(r.values["mean"]), bm=fmt.cell(r.values["batchmean"]), c=c,
                     factor=fmt.cell(r.factor, 4)), icon="🪤")
    else:
        st.info(t("entropy_kl.trap_zero", c=c), icon="🪤")
    st.caption(t("entropy_kl.torch_warns"))
    ui.raw_message("UserWarning: " + r.warning)
    ui.torch_check("kl_div", r.logp, r.target, reduction="mean")


def soft_controls(x: list[float], view_open: bool) -> tuple[int, float, float]:
    if view_open:
        ui.prose("entropy_kl_soft")
    cols = st.columns(3) if view_open else [st] * 3
    k = ui.choice("ek_k", t("entropy_kl.true_class"), list(range(len(x))), 0, container=cols[0], view_open=view_open)
    eps = ui.slider("ek_eps", t("entropy_kl.eps"), *E.LIMITS["eps"], 0.1, 0.01, container=cols[1], view_open=view_open)
    temp = ui.slider("ek_t", t("entropy_kl.temperature"), *E.LIMITS["t"], 4.0, 0.5, container=cols[2],
                     help=t("entropy_kl.temperature_help", teacher=fmt.array(np.array(E.TEACHER[:len(x)]), 2)),
                     view_open=view_open)
    return int(k), float(eps), float(temp)


def soft_chart(s: E.Softened) -> None:
    parts = (s.onehot, s.smoothed, s.teacher)
    eps, temp = fmt.cell(s.eps), fmt.cell(s.temperature)
    cols = [t("entropy_kl.col_onehot", k=s.k), t("entropy_kl.col_smoothed", eps=eps),
            t("entropy_kl.col_teacher", temp=temp)]
    fig = split_figure(cols, [p.entropy for p in parts], [p.kl for p in parts], [p.ce for p in parts],
                       labels=split_labels(t("entropy_kl.soft_chart")), uirevision="ek_soft")
    ui.plot(fig, "ek_soft", t("entropy_kl.soft_summary", h0=fmt.cell(s.onehot.entropy), h1=fmt.cell(s.smoothed.entropy),
                                    h2=fmt.cell(s.teacher.entropy), eps=eps, temp=temp))


def soft_numbers(x: list[float], s: E.Softened) -> None:
    ui.metric_row([(t("entropy_kl.builtin"), fmt.cell(s.builtin)),
                   (t("entropy_kl.ce_smoothed"), fmt.cell(s.smoothed.ce)),
                   (t("entropy_kl.hinton", temp=fmt.cell(s.temperature)), fmt.cell(s.hinton))])
    st.caption(t("entropy_kl.soft_note", ce=fmt.cell(s.teacher.ce), h=fmt.cell(s.teacher.entropy),
                 kl=fmt.cell(s.teacher.kl)))
    ui.torch_check("cross_entropy", np.array([x]), np.array([s.k]), label_smoothing=s.eps)


@st.fragment
def lesson() -> None:
    ui.subheader(t("entropy_kl.controls"))
    c = int(ui.slider("ek_c", t("entropy_kl.classes"), *E.LIMITS["c"], 4, 1))
    logits, targets = ui.row("ek_x"), ui.row("ek_y")
    x = [ui.slider(f"ek_x{i}", t("entropy_kl.logit", i=i), *E.LIMITS["logit"], E.LOGITS[i], 0.1, container=logits)
         for i in range(c)]
    raw = [ui.number(f"ek_y{i}", t("entropy_kl.target", i=i), *E.LIMITS["y"], E.TARGET[i], 0.05, container=targets)
           for i in range(c)]
    tgt = E.target(raw)
    if tgt.fix:
        st.info(t(f"entropy_kl.fix_{tgt.fix}", s=fmt.cell(tgt.raw_sum), y=fmt.array(tgt.y, 4)), icon="⚖️")
    top = int(np.argmax(tgt.y))
    ui_drag.logit_bars("ek_drag", logits=x, target=top, state_keys=[f"ek_x{i}" for i in range(c)])
    st.caption(t("entropy_kl.drag_note", k=top))
    s = _split(tuple(x), tuple(tgt.y.tolist()))
    # Three views of the same x and y, in lazy views: a step re-sends the open one only (bench/README.md).
    view, box = ui.views("ek_view", E.VIEWS, lambda v: t(f"entropy_kl.view_{v}"))
    with box:
        if view == "split":
            split_view(x, tgt, s)
        if view == "trap":
            ui.prose("entropy_kl_trap")
        n = int(ui.slider("ek_n", t("entropy_kl.batch"), *E.LIMITS["n"], 4, 1, view_open=view == "trap"))
        if view == "trap":
            mean_trap(x, tgt, n)
        k, eps, temp = soft_controls(x, view == "soft")
        if view == "soft":
            soft = _softened(tuple(x), k, eps, temp)
            soft_chart(soft)
            soft_numbers(x, soft)
    ui.code_panel(E.split_code(x, tgt.y, n) + "\n\n" + E.softened_code(x, k, eps, temp))
    ui.record_tasks("entropy_kl", {"t1": s.kl < 0.01 and s.entropy > 0.1, "t2": tgt.fix == "normalised"})


lesson()
st.latex(E.FORMULAS)
ui.prose("entropy_kl_takeaway")
ui.quiz("entropy_kl", [("q1", ["a", "b", "c"], "b"), ("q2", ["a", "b", "c"], "c"), ("q3", ["a", "b", "c"], "a")],
        tasks=("t1", "t2"))
ui.page_links("entropy_kl")
