"""Reading a loss value: ln C at initialisation, logits into predictions, overconfidence, pos_weight's threshold."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.lessons import reading_loss as R
from lossviz.plots.reading_loss import reliability_figure, threshold_figure, tilt_figure, training_figure
from lossviz.text import fmt

t = ui.t
cell = fmt.cell


@st.cache_data(max_entries=1, show_spinner=False)
def _run() -> R.Run:
    return R.training()


ui.page_setup("reading_loss")
ui.prose("reading_loss_intro")


@st.fragment
def at_init() -> None:
    ui.header(t("reading_loss.part1"))
    c = int(ui.slider("rl_c", t("reading_loss.c"), *R.C_RANGE, 10, 1))
    i = R.at_init(c)
    ui.metric_row([(t("reading_loss.m_ce"), cell(i.ce)), (t("reading_loss.m_ln_c"), cell(i.ln_c)),
                   (t("reading_loss.m_chance"), cell(i.chance)), (t("reading_loss.m_bce0"), cell(i.bce_logit0))])
    st.info(t("reading_loss.init_note", c=c, ce=cell(i.ce), chance=cell(i.chance)), icon="🧭")
    rows = R.init_table()
    ui.table({t("reading_loss.col_c"): [str(c) for c, _ in rows], t("reading_loss.col_where"): [
        t(f"reading_loss.where_{c}") for c, _ in rows], t("reading_loss.col_ln_c"): [cell(v, 4) for _, v in rows]})
    ui.torch_check("cross_entropy", np.zeros((1, c)), np.array([0]))


at_init()


@st.fragment
def to_predictions() -> None:
    ui.header(t("reading_loss.part2"))
    ui.prose("reading_loss_threshold")
    cut = float(ui.slider("rl_cut", t("reading_loss.cut"), *R.CUT_RANGE, 0.5, 0.05, help=t("reading_loss.cut_help")))
    th = R.thresholds(cut)
    right, wrong = th.accuracy
    n_flip = int(th.flipped.sum())
    ui.metric_row([(t("reading_loss.m_flipped"), f"{n_flip} / {len(th.logits)}"),
                   (t("reading_loss.m_acc0"), cell(right)), (t("reading_loss.m_acc_cut", cut=cell(cut)), cell(wrong)),
                   (t("reading_loss.m_cut_sigma"), cell(th.cut_sigma, 4))])
    fig = threshold_figure(th.logits, th.sigma, th.labels, cut=cut, flipped=th.flipped, labels={
        "title": t("reading_loss.th_title"), "x": t("common.logit_x"), "y": "σ(x)", "curve": "σ(x)",
        "label0": t("reading_loss.label0"), "label1": t("reading_loss.label1"), "flipped": t("reading_loss.flipped")})
    ui.plot(fig, "rl_threshold", t("reading_loss.th_summary", cut=cell(cut), sig=cell(th.cut_sigma, 4), n=n_flip,
                                   right=cell(right), wrong=cell(wrong)))
    ui.table({t("reading_loss.col_x"): [cell(v) for v in th.logits], "σ(x)": [cell(v, 3) for v in th.sigma],
              t("reading_loss.col_y"): [str(v) for v in th.labels],
              t("reading_loss.col_right"): [str(v) for v in th.right],
              t("reading_loss.col_wrong", cut=cell(cut)): [str(v) for v in th.wrong]}, highlight=list(th.flipped))
    k, probs, ce = R.argmax_example()
    st.caption(t("reading_loss.argmax", x=", ".join(cell(v) for v in R.CE_LOGITS),
                 p=", ".join(cell(v, 3) for v in probs), k=k, ce=cell(ce)))
    st.caption(t("reading_loss.th_check"))
    ui.torch_check("binary_cross_entropy_with_logits", th.logits, th.labels.astype(np.float64))
    ui.code_panel(R.threshold_code(cut))


to_predictions()
st.latex(R.FORMULAS)
ui.predict_first("reading_loss")


@st.fragment
def overconfidence() -> None:
    ui.header(t("reading_loss.part3"))
    ui.prose("reading_loss_training")
    run = _run()
    epoch = int(ui.slider("rl_epoch", t("reading_loss.epoch"), 0, R.EPOCHS, R.EPOCHS, 1))
    best = run.best
    early, late = R.reliability(run, best), R.reliability(run, epoch)
    nums = {"best": best, "epoch": epoch, "bl": cell(run.val_loss[best], 4), "ba": cell(run.val_acc[best], 4),
            "el": cell(run.val_loss[epoch], 4), "ea": cell(run.val_acc[epoch], 4), "ta": cell(run.train_acc[epoch], 4)}
    ui.metric_row([(t("reading_loss.m_val_loss", e=epoch), nums["el"]),
                   (t("reading_loss.m_val_acc", e=epoch), nums["ea"]),
                   (t("reading_loss.m_train_loss", e=epoch), cell(run.train_loss[epoch], 4)),
                   (t("reading_loss.m_train_acc", e=epoch), nums["ta"])])
    ui.metric_row([(t("reading_loss.m_best"), str(best)), (t("reading_loss.m_val_loss", e=best), nums["bl"]),
                   (t("reading_loss.m_val_acc", e=best), nums["ba"])])
    if epoch > best and run.val_acc[epoch] > run.val_acc[best]:
        st.warning(t("reading_loss.both_rise", **nums), icon="📈")
    fig = training_figure(run, epoch=epoch, best=best, labels={
        "title": t("reading_loss.tr_title"), "x": t("reading_loss.epoch"), "loss": t("reading_loss.loss_axis"),
        "accuracy": t("reading_loss.acc_axis"), "train": t("reading_loss.train"), "val": t("reading_loss.val")})
    ui.plot(fig, "rl_training", t("reading_loss.tr_summary", **nums))
    conf = {"ec": cell(early.mean_confidence, 3), "lc": cell(late.mean_confidence, 3), "eece": cell(early.ece, 3),
            "lece": cell(late.ece, 3)}
    ui.metric_row([(t("reading_loss.m_conf", e=best), conf["ec"]), (t("reading_loss.m_ece", e=best), conf["eece"]),
                   (t("reading_loss.m_conf", e=epoch), conf["lc"]), (t("reading_loss.m_ece", e=epoch), conf["lece"])])
    fig = reliability_figure(early, late, labels={
        "title": t("reading_loss.rel_title"), "x": t("reading_loss.rel_x"), "y": t("reading_loss.rel_y"),
        "early": t("reading_loss.rel_epoch", e=best), "late": t("reading_loss.rel_epoch", e=epoch),
        "ideal": t("reading_loss.rel_ideal")})
    ui.plot(fig, "rl_reliability", t("reading_loss.rel_summary", **nums, **conf))
    ui.torch_check("binary_cross_entropy_with_logits", run.val_logits[epoch], run.val_labels)
    ui.code_panel(R.training_code(epoch), key="lv_code_toy")


overconfidence()


@st.fragment
def pos_weight() -> None:
    ui.header(t("reading_loss.part4"))
    ui.prose("reading_loss_pos_weight")
    p = float(ui.slider("rl_pw", t("reading_loss.pw"), *R.PW_RANGE, 3.0, 0.1))
    tl = R.tilt(p)
    vals = {"p": cell(p), "q": cell(tl.q_cross, 4), "shift": cell(tl.shift, 4), "s": cell(tl.sigma_at_half, 4)}
    ui.metric_row([(t("reading_loss.m_q_cross"), vals["q"]), (t("reading_loss.m_shift"), vals["shift"]),
                   (t("reading_loss.m_sigma_half"), vals["s"])])
    fig = tilt_figure(tl, labels={"title": t("reading_loss.tilt_title"), "x": t("reading_loss.tilt_x"),
                                  "y": t("reading_loss.tilt_y"), "calibrated": t("reading_loss.tilt_calibrated"),
                                  "tilted": t("reading_loss.tilt_tilted", p=vals["p"]),
                                  "cross": t("reading_loss.tilt_cross")})
    ui.plot(fig, "rl_tilt", t("reading_loss.tilt_summary", **vals))
    st.caption(t("reading_loss.tilt_check", **vals))
    ui.torch_check("binary_cross_entropy_with_logits", np.array([0.0]), np.array([tl.q_cross]),
                   pos_weight=np.array([p]))


pos_weight()
ui.prose("reading_loss_takeaway")
ui.quiz("reading_loss", [("q1", ["a", "b", "c"], "a"), ("q2", ["a", "b", "c"], "b"), ("q3", ["a", "b", "c"], "c")])
ui.page_links("reading_loss")
