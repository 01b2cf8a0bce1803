"""Lesson 3 — Numerical stability lab: where sigmoid → log breaks in each dtype, and softmax without the max shift."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.core import parse
from lossviz.core.dtypes import resolve
from lossviz.core.errors import LossVizError
from lossviz.lessons import stability as S
from lossviz.plots.stability import logit_curves_figure, softmax_figure
from lossviz.text import fmt

t = ui.t
ui.page_setup("stability")
ui.prose("stability_intro")
ui.predict_first("stability")


# dtype, label and span set up the whole page (a change reruns it); each part below is a fragment:
# a step on its own controls reruns only that part (bench/README.md).
a, b, c = st.columns([3, 1, 3])
dtype = ui.choice("st_dtype", t("common.dtype"), S.DTYPE_NAMES, "float32", container=a)
y = int(ui.choice("st_y", t("stability.label"), ("0", "1"), "0", container=b))
span = float(ui.choice("st_span", t("stability.span"), ("20", "50", "100", "1000"), "20", container=c,
                       help=t("stability.span_help")))

ui.subheader(t("stability.sat_head"))
sat_cols = ("sigmoid_one", "jump_from", "sigmoid_zero", "exp_inf")
ui.table([{t("stability.col_dtype"): d,
           **{t(f"stability.col_{k}"): fmt.value(getattr(S.saturation(d), k)) for k in sat_cols}}
          for d in S.DTYPE_NAMES])
st.caption(t("stability.sat_caption"))


@st.cache_resource(max_entries=32, show_spinner=False)
def _curves(span: float, dtype: str, y: int) -> tuple[np.ndarray, S.Curves]:
    """The curves depend on the set-up controls only, not on the probe: computed once per
    (span, dtype, label) for every session, and read-only because they are shared."""
    xs = S.grid(span, dtype)
    cv = S.curves(xs, y, dtype)
    for arr in (xs, *vars(cv).values()):
        arr.flags.writeable = False
    return xs, cv


def _probe_cell(column: str, value) -> str:
    """A probe table cell: the dtype's name, x and σ(x) in full, the losses and gradients rounded."""
    if column == "dtype":
        return value
    return fmt.value(value) if column in ("x", "sigma") else fmt.cell(value)


@st.fragment
def probe_part(dtype: str, y: int, span: float) -> None:
    x_in = ui.number("st_x", t("stability.probe"), -1000.0, 1000.0, 16.64, 0.01, fmt_str="%.6g",
                     help=t("stability.probe_help"))
    sat = S.saturation(dtype)
    probed = S.probe(x_in, y)  # every dtype: the table below shows them all
    p = next(r for r in probed if r.dtype == dtype)
    # the numbers sit above the charts but are written after them: a step redraws the charts first
    numbers = st.container()
    xs, cv = _curves(span, dtype, y)
    marks = [(v, lab) for v, lab in ((sat.sigmoid_one, "σ = 1"), (sat.sigmoid_zero, "σ = 0")) if -span <= v <= span]
    common = {"x": t("common.logit_x"), "current": t("common.current")}
    losses = {t(f"stability.c_naive_{y}"): cv.naive, "BCELoss(σ(x), y)": cv.clamped,
              "BCEWithLogitsLoss(x, y)": cv.stable}
    fig = logit_curves_figure(xs, losses, marks=marks, current=(p.x, p.clamped) if abs(p.x) <= span else None,
                              labels={**common, "title": t("stability.loss_title", dtype=dtype, y=y),
                                      "y": t("common.loss")})
    ui.plot(fig, "st_loss", t(f"stability.loss_summary_{y}", dtype=dtype, one=fmt.value(sat.sigmoid_one),
                              jump=fmt.cell(sat.jump_from, 4), zero=fmt.value(sat.sigmoid_zero)))
    grads = {t("stability.c_grad_clamped"): cv.grad_clamped, t("stability.c_grad_stable"): cv.grad_stable}
    fig = logit_curves_figure(xs, grads, marks=marks, current=(p.x, p.grad_clamped) if abs(p.x) <= span else None,
                              labels={**common, "title": t("stability.grad_title", dtype=dtype, y=y),
                                      "y": t("stability.grad_y")},
                              uirevision="stability_grad")
    ui.plot(fig, "st_grad", t(f"stability.grad_summary_{y}", dtype=dtype, one=fmt.value(sat.sigmoid_one),
                              zero=fmt.value(sat.sigmoid_zero)))
    with numbers:
        ui.metric_row([(t("stability.stored", dtype=dtype), fmt.value(p.x)), ("σ(x)", fmt.value(p.sigma))])
        ui.metric_row([(t(f"stability.m_naive_{y}"), fmt.cell(p.naive)), ("BCELoss(σ(x), y)", fmt.cell(p.clamped)),
                       ("BCEWithLogitsLoss", fmt.cell(p.stable))])
        ui.metric_row([(t("stability.m_grad_clamped"), fmt.cell(p.grad_clamped)),
                       (t("stability.m_grad_stable"), fmt.cell(p.grad_stable))])
        if p.clamped == 100.0:
            st.error(t(f"stability.clamped_now_{y}", dtype=dtype, zero=fmt.value(sat.sigmoid_zero)), icon="💥")

    st.caption(t("stability.probe_table"))
    ui.table([{t(f"stability.col_{k}"): _probe_cell(k, getattr(r, k)) for k in S.PROBE_COLUMNS} for r in probed])
    checked = np.asarray([p.x, sat.before_one, sat.sigmoid_one, sat.sigmoid_zero], dtype=resolve(dtype))
    for col, name, route in zip(st.columns(2), ("naive_bce_from_logits", "binary_cross_entropy_with_logits"),
                                ("BCELoss(sigmoid(x), y)", "BCEWithLogitsLoss(x, y)"), strict=True):
        with col:
            st.caption(t("stability.check", route=route, points=fmt.array(checked)))
            ui.torch_check(name, checked, np.full(checked.shape, y, dtype=checked.dtype), reduction="none")
    ui.code_panel(S.probe_code(checked, y, dtype))
    ui.record_tasks("stability", {"t1": dtype == "float16" and p.x == sat.sigmoid_one})


probe_part(dtype, y, span)
st.latex(r"\begin{aligned}-\log\sigma(x) &= \log\big(1+e^{-x}\big)\\"
         r" &= \max(-x,0) + \log\big(1+e^{-|x|}\big)\end{aligned}")
st.latex(r"\frac{\partial}{\partial x}\,\text{BCE}\big(\sigma(x),y\big)"
         r" = \frac{\sigma-y}{\sigma(1-\sigma)}\cdot\sigma(1-\sigma)")

# ---- softmax without the max shift
ui.header(t("stability.softmax_head"))
ui.prose("stability_softmax")


@st.fragment
def softmax_part(dtype: str) -> None:
    sat = S.saturation(dtype)
    a, b = st.columns(2)
    z_text = ui.text("st_z", t("stability.z"), "2, 1, 0.1", container=a)
    shift = ui.slider("st_shift", t("stability.shift"), -1000.0, 1000.0, 0.0, 1.0, container=b)
    sm = None
    try:
        z0 = parse.parse_matrix(z_text)
        if z0.ndim == 1 and z0.size:
            sm = S.softmax_shift(z0, shift, dtype)
        else:
            st.warning(t("stability.one_row"), icon="⚠️")
    except LossVizError as exc:
        ui.show_error(exc)
    if sm is not None:
        classes = [str(i) for i in range(sm.z.size)]
        ui.table({t("stability.col_class"): classes, "x + c": [fmt.cell(v) for v in sm.z],
                  "exp(x + c)": [fmt.cell(v) for v in sm.exp],
                  t("stability.col_sm_naive"): [fmt.cell(v) for v in sm.naive],
                  "softmax": [fmt.cell(v) for v in sm.stable]})
        fig = softmax_figure(classes, sm.naive, sm.stable,
                             labels={"title": t("stability.sm_title", dtype=dtype), "x": t("stability.col_class"),
                                     "y": t("stability.probability"), "naive": t("stability.col_sm_naive"),
                                     "stable": "softmax"})
        ui.plot(fig, "st_softmax", t("stability.sm_summary", dtype=dtype, limit=fmt.value(sat.exp_inf),
                                     nan=int(np.isnan(sm.naive.astype(np.float64)).sum()), n=len(classes),
                                     zero=int(((sm.naive == 0) & (sm.stable != 0)).sum())))
        ui.code_panel(S.softmax_code(sm.z, dtype), key="lv_code_softmax")
    stable_ok = (sm is not None and bool(np.all(np.isfinite(sm.stable)))
                 and abs(float(sm.stable.astype(np.float64).sum()) - 1) < 0.01)
    ui.record_tasks("stability", {"t2": stable_ok and bool(np.isnan(sm.naive.astype(np.float64)).any())})


softmax_part(dtype)
ui.prose("stability_takeaway")
ui.quiz(
    "stability",
    [("q1", ["twenty", "hundred", "inf"], "hundred"), ("q2", ["clamp", "sat", "lr"], "sat"),
     ("q3", ["shift", "wide", "clip"], "shift")],
    tasks=("t1", "t2"),
)
ui.page_links("stability")
