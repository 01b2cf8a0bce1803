"""Common mistakes: each run wrong and right in real torch, with its real number or error."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.lessons import mistakes as M
from lossviz.plots.mistakes import sweep_figure
from lossviz.text import fmt

t = ui.t
SCALES = tuple(float(s) for s in np.geomspace(0.1, 50.0, 48))


@st.cache_data(max_entries=128, show_spinner=False)
def _run(which: str, scale: float, params: tuple) -> M.Case:
    return M.run(which, scale=scale, **dict(params))


@st.cache_data(max_entries=64, show_spinner=False)
def _sweep(which: str, params: tuple) -> M.Sweep:
    return M.sweep(which, SCALES, **dict(params))


def _cell(v) -> str:
    return "—" if v is None else fmt.cell(v)


ui.page_setup("mistakes")
ui.prose("mistakes_intro")
ui.predict_first("mistakes")


# The mistake picked sets up the page (its story and formula; a change reruns it). Its controls and
# everything they move are a fragment: a step reruns only that part (bench/README.md).
picked = ui.choice("mis_which", t("mistakes.which"), list(M.LABELS.values()), M.LABELS["softmax_ce"], horizontal=False)
which = next(m for m, label in M.LABELS.items() if label == picked)
ui.subheader(t(f"mistakes.name_{which}"))
ui.prose(f"mistakes_{which}")
if which in M.SEE_ALSO:  # the lesson that explains why
    ui.lesson_link(M.SEE_ALSO[which], t(f"mistakes.see_{which}"))


@st.fragment
def lesson(which: str) -> None:
    left, right = st.columns(2)
    on = ui.toggle("mis_on", t("mistakes.make_it"), True, container=left, help=t("mistakes.make_it_help"))
    scale = ui.slider("mis_scale", t("mistakes.scale"), 0.1, 50.0, 1.0, 0.1, container=right,
                      help=t("mistakes.scale_help"))
    params: dict = {}
    if which == "index_range":
        params["label"] = int(ui.slider("mis_label", t("mistakes.label"), 1, 9, 5, 1))
    elif which == "channels_last":
        params["positions"] = int(ui.slider("mis_d", t("mistakes.positions"), 1, 8, 4, 1))
    elif which == "autocast_bce":
        params["amp_dtype"] = ui.choice("mis_amp", t("mistakes.amp"), M.AMP_DTYPES, "bfloat16")
    key = tuple(sorted(params.items()))

    case = _run(which, scale, key)
    live = case.wrong if on else case.right
    info = {k: fmt.cell(v) if isinstance(v, float) else v for k, v in case.info.items() if np.isscalar(v)}

    # the numbers sit above the chart but are written after it: a step redraws the chart first
    numbers = st.container()
    sweep = _sweep(which, key)
    fig = sweep_figure(
        SCALES, sweep, current=(scale, case.wrong.value, case.right.value),
        labels={"title": t("mistakes.sweep_title"), "x": t("mistakes.scale"), "loss": t("mistakes.loss"),
                "grad": t("mistakes.grad_norm"), "wrong": t("mistakes.col_wrong"), "right": t("mistakes.col_right"),
                "current": t("common.current")},
    )
    raised = bool(np.all(np.isnan(sweep.wrong)))
    summary = t("mistakes.sweep_summary_error" if raised else "mistakes.sweep_summary", scale=fmt.cell(scale),
                wrong=_cell(case.wrong.value), right=_cell(case.right.value), kind=case.wrong.error_kind or "")
    ui.plot(fig, "mis_sweep", summary)
    with numbers:
        st.markdown("**" + t("mistakes.live_wrong" if on else "mistakes.live_right") + "**")
        ui.raw_message(M.key_line(which, on))  # not st.code: see ui.raw_message
        if live.ok:
            ui.metric_row([(t("mistakes.loss"), fmt.cell(live.value)),
                           (t("mistakes.grad_norm"), fmt.cell(live.grad_norm)),
                           (t("mistakes.loss_dtype"), live.dtype)])
        else:
            labels = case.info.get("labels", [])
            facts = {**info, "kind": live.error_kind, "classes": info.get("classes", ""),
                     "labels": str(labels if on else [v - 1 for v in labels]),
                     "shape": str(case.info.get("shape", ""))}
            st.error(t(f"mistakes.err_{which}", **facts), icon="🛑")
            st.caption(t("mistakes.torch_message"))
            ui.raw_message(f"{live.error_kind}: {live.message}")
        if on and case.wrong.ok:
            shrink = case.shrink
            note = t(f"mistakes.silent_{which}", wrong=_cell(case.wrong.value), right=_cell(case.right.value),
                     shrink=_cell(shrink), **info)
            (st.info if case.agree else st.warning)(note, icon="🔎")
        elif not on and case.right.ok:
            st.success(t("mistakes.fixed_ok"), icon="✅")
            if which == "seq_logits":
                reshape = _cell(case.info["reshape_value"])
                st.info(t("mistakes.seq_reshape", right=_cell(case.right.value), reshape=reshape, **info), icon="🔎")
        if which == "autocast_bce":
            st.info(t("mistakes.amp_measured", logits_dtype=info["logits_dtype"], dtype=case.wrong.dtype or "—",
                      wrong=_cell(case.wrong.value), exact=info["float32_loss"]), icon="🖥️")
            st.markdown(t("mistakes.amp_quoted"))
            ui.raw_message(M.CUDA_AUTOCAST_ERROR)

        ui.subheader(t("mistakes.before_after"))
        rows = [t("mistakes.loss"), t("mistakes.grad_norm"), t("mistakes.error")]
        ui.table(
            {t("mistakes.quantity"): rows,
             t("mistakes.col_wrong"): [_cell(case.wrong.value), _cell(case.wrong.grad_norm),
                                       case.wrong.error_kind or "—"],
             t("mistakes.col_right"): [_cell(case.right.value), _cell(case.right.grad_norm),
                                       case.right.error_kind or "—"]},
        )
        n = max(len(case.wrong.elements), len(case.right.elements))
        if n:
            def col(r: M.Run, attr: str) -> list[str]:
                vals = getattr(r, attr)
                return [_cell(vals[i]) if i < len(vals) else "—" for i in range(n)]
            st.caption(t("mistakes.elements_caption_kl" if which == "kl_probs" else "mistakes.elements_caption"))
            table = {"i": list(range(n)), t("mistakes.el_wrong"): col(case.wrong, "elements"),
                     t("mistakes.el_right"): col(case.right, "elements")}
            if case.wrong.element_grads or case.right.element_grads:
                table |= {t("mistakes.g_wrong"): col(case.wrong, "element_grads"),
                          t("mistakes.g_right"): col(case.right, "element_grads")}
            ui.table(table)

    ui.torch_check(*M.torch_call(which, on, scale=scale, **params), **M.torch_kwargs(which))
    ui.code_panel(M.code(which, on, scale=scale, **params))
    ui.record_tasks("mistakes", {"t1": which == "sigmoid_bce" and on and case.wrong.ok and not case.agree,
                                 "t2": which == "channels_last" and on and case.wrong.ok})


lesson(which)
st.latex(r"\begin{gathered}" + M.FORMULAS[which] + r"\end{gathered}")
ui.prose("mistakes_takeaway")
ui.quiz(
    "mistakes",
    [("q1", ["a", "b", "c"], "b"), ("q2", ["a", "b", "c"], "b"), ("q3", ["a", "b", "c"], "a")],
    tasks=("t1", "t2"),
)
ui.page_links("mistakes")
