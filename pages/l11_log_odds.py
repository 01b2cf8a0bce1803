"""From log-odds to likelihood: the logit as σ's inverse; BCE and CE as negative log-likelihoods."""

import math

import streamlit as st

from lossviz import ui
from lossviz.core import functional as F
from lossviz.lessons import log_odds as L
from lossviz.plots.log_odds import heat_figure, logit_figure, slice_figure
from lossviz.text import fmt
from lossviz.ui import drag as ui_drag

t = ui.t
cell = fmt.cell


@st.cache_data(max_entries=1, show_spinner=False)
def _surface() -> tuple[L.Surface, tuple[float, float]]:
    return L.surface(), L.best()


@st.cache_data(max_entries=1, show_spinner=False)
def _logit_grid() -> tuple:
    """The logit curve's p grid, its logits and the edge table's rows: the same on every step."""
    ps = L.grid_p()
    return ps, F.logit(ps), L.edge_rows()


@st.cache_data(max_entries=128, show_spinner=False)
def _along_w(b: float) -> L.Slice:
    return L.along_w(b)


def _from_link(key: str, lo: float, hi: float) -> float | None:
    try:
        v = float(st.query_params.get(key, "nan"))
    except ValueError:
        return None
    return v if math.isfinite(v) and lo <= v <= hi else None


def _pair() -> str:
    """Which slider leads ("p" or "x"); the other is put on its own grid before the sliders are drawn."""
    ss = st.session_state
    if "lo_p" not in ss or "lo_x" not in ss:  # first run on this visit: from the link
        links = _from_link("lo_p", *L.P_RANGE), _from_link("lo_x", *L.X_RANGE)
        src, p, x = L.pair_from_link(*links)
        shown = (L.P_DEFAULT if links[0] is None else links[0], L.x_step(L.P_DEFAULT) if links[1] is None else links[1])
    else:
        src, p, x = L.pair_after(ss.get("lo_seen", (ss["lo_p"], ss["lo_x"])), ss["lo_p"], ss["lo_x"],
                                 ss.get("lo_src", "p"))
        shown = (ss["lo_p"], ss["lo_x"])
    for key, now, value in (("lo_p", shown[0], p), ("lo_x", shown[1], x)):
        if now != value:
            ss[key] = value
    ss["lo_src"], ss["lo_seen"] = src, (p, x)
    return src


def p_and_x(view_open: bool, left=st, right=st) -> tuple[float, float]:
    """The pair of sliders of part 1 (kept in the link by hand: they live in a lazy view)."""
    p = ui.slider("lo_p", t("log_odds.p"), *L.P_RANGE, L.P_DEFAULT, L.P_STEP, container=left, fmt_str="%.3f",
                  view_open=view_open)
    x = ui.slider("lo_x", t("log_odds.x"), *L.X_RANGE, L.x_step(L.P_DEFAULT), L.X_STEP, container=right,
                  help=t("log_odds.pair_help"), view_open=view_open)
    return p, x


def w_and_b(view_open: bool, left=st, right=st) -> tuple[float, float]:
    """The toy model's sliders of part 2."""
    w = float(ui.slider("lo_w", t("log_odds.w"), *L.W_RANGE, 0.0, L.WB_STEP, container=left, view_open=view_open))
    b = float(ui.slider("lo_b", t("log_odds.b"), *L.B_RANGE, 0.0, L.WB_STEP, container=right, view_open=view_open))
    return w, b


ui.page_setup("log_odds")
ui.prose("log_odds_intro")
ui.predict_first("log_odds")


@st.fragment
def the_logit() -> None:
    ui.header(t("log_odds.part1"))
    src = _pair()
    p, x = p_and_x(True, *st.columns(2))
    o = L.from_p(p) if src == "p" else L.from_x(x)
    ui_drag.logit_curve("lo_drag", x=x, x_range=L.X_RANGE, state_keys=("lo_x", None), steps=(L.X_STEP, 0.01))
    numbers = st.container()  # shown above the chart, written after it: a step redraws the chart first
    ps, logits, edge = _logit_grid()
    fig = logit_figure(ps, logits, current=(o.p, o.x), labels={
        "title": t("log_odds.logit_title"), "x": t("log_odds.m_p"), "y": t("log_odds.logit_axis"),
        "curve": t("log_odds.logit_curve"), "current": t("common.current")})
    ui.plot(fig, "lo_logit", t("log_odds.logit_summary", p=cell(o.p), odds=cell(o.odds), x=cell(o.x)))
    with numbers:
        ui.metric_row([(t("log_odds.m_p"), cell(o.p)), (t("log_odds.m_odds"), cell(o.odds)),
                       (t("log_odds.m_logit"), cell(o.x)), (t(f"log_odds.m_back_{src}"), cell(o.back))])
    ui.subheader(t("log_odds.edge_head"))
    eps = fmt.cell(L.EPS)
    ui.table({t("log_odds.col_p"): [cell(r[0]) for r in edge],
              t("log_odds.col_logit"): [cell(r[1]) for r in edge],
              t("log_odds.col_logit_eps", eps=eps): [cell(r[2]) for r in edge]})
    st.caption(t("log_odds.edge_note"))
    st.caption(t("log_odds.check_note", x=cell(o.x), p=cell(o.p)))
    ui.torch_check("binary_cross_entropy_with_logits", [o.x], [1.0])
    ui.code_panel(L.odds_code(o))


@st.fragment
def the_likelihood() -> None:
    ui.header(t("log_odds.part2"))
    ui.prose("log_odds_likelihood")
    w, b = w_and_b(True, *st.columns(2))
    f, (surf, (bw, bb)) = L.fit(w, b), _surface()
    top = L.fit(bw, bb)
    ui.metric_row([(t("log_odds.likelihood"), cell(f.likelihood, 4)),
                   (t("log_odds.log_likelihood"), cell(f.log_likelihood, 4)),
                   (t("log_odds.nll_mean"), cell(f.nll_mean)), (t("log_odds.bce"), cell(f.bce))])
    ui.metric_row([(t("log_odds.best"), f"({cell(bw, 4)}, {cell(bb, 4)})"),
                   (t("log_odds.max_l"), cell(top.likelihood, 4)),
                   (t("log_odds.min_bce"), cell(top.bce))])
    gw, gb = (cell(v, 3) for v in surf.argmax_l)
    st.info(t("log_odds.best_note", w=cell(bw, 4), b=cell(bb, 4), lik=cell(top.likelihood, 4), bce=cell(top.bce),
              gw=gw, gb=gb), icon="🎯")
    common = {"x": t("log_odds.w"), "y": t("log_odds.b"), "current": t("common.current"),
              "best": t("log_odds.heat_best")}
    where = {"w": cell(bw, 4), "b": cell(bb, 4), "gw": gw, "gb": gb, "cw": cell(w), "cb": cell(b)}
    c1, c2 = st.columns(2)
    with c1:
        fig = heat_figure(surf.ws, surf.bs, surf.likelihood, current=(w, b), best=(bw, bb), uirevision="lo_heat_l",
                          labels={**common, "title": t("log_odds.heat_l_title"), "value": "L"})
        ui.plot(fig, "lo_heat_l", t("log_odds.heat_l_summary", **where, lik=cell(top.likelihood, 4),
                                     clik=cell(f.likelihood, 4)))
    with c2:
        fig = heat_figure(surf.ws, surf.bs, surf.bce, current=(w, b), best=(bw, bb), uirevision="lo_heat_bce",
                          labels={**common, "title": t("log_odds.heat_bce_title"), "value": "BCE"})
        ui.plot(fig, "lo_heat_bce", t("log_odds.heat_bce_summary", **where, bce=cell(top.bce), cbce=cell(f.bce)))
    s = _along_w(b)
    fig = slice_figure(s.ws, s.likelihood, s.bce, current=(w, f.likelihood, f.bce), best_w=s.best_w, labels={
        "title": t("log_odds.slice_title", b=cell(b)), "x": t("log_odds.w"), "likelihood": t("log_odds.slice_l_axis"),
        "bce": t("log_odds.slice_bce_axis"), "current": t("common.current"), "best": t("log_odds.slice_best")})
    ui.plot(fig, "lo_slice", t("log_odds.slice_summary", b=cell(b), best=cell(s.best_w, 3), w=cell(w),
                               lik=cell(f.likelihood, 4), bce=cell(f.bce)))
    st.caption(t("log_odds.table_caption"))
    cols = ("i", "x", "y", "z", "prob", "factor", "loss")
    ui.table({t(f"log_odds.col_{k}"): v for k, v in zip(cols, (
        [str(i) for i in range(L.N)], [cell(v) for v in L.DATA_X], [cell(v) for v in L.DATA_Y], [cell(v) for v in f.z],
        [cell(v) for v in f.p], [cell(v) for v in f.factors], [cell(v) for v in f.losses]), strict=True)})
    ui.torch_check("binary_cross_entropy_with_logits", f.z, L.DATA_Y)
    ui.code_panel(L.fit_code(w, b), key="lv_code_toy")


def cross_entropy_too() -> None:
    ui.header(t("log_odds.part3"))
    ui.prose("log_odds_ce")
    ce = L.ce_example()
    ui.metric_row([(t("log_odds.ce_p_true"), ", ".join(cell(v, 4) for v in ce.p_true)),
                   (t("log_odds.ce_product"), cell(ce.likelihood, 4)), (t("log_odds.ce_nll"), cell(ce.nll_mean)),
                   (t("log_odds.ce_value"), cell(ce.ce))])
    ui.torch_check("cross_entropy", L.CE_LOGITS, L.CE_TARGET)


# The three parts in lazy views: a step re-sends the open part only, and the browser re-renders a smaller
# page on every commit (bench/README.md). A closed part's sliders keep their values in the link.
view, box = ui.views("lo_view", L.VIEWS, lambda v: t(f"log_odds.tab_{v}"))
with box:
    if view == "logit":
        the_logit()
    else:
        p_and_x(False)
    if view == "likelihood":
        the_likelihood()
    else:
        w_and_b(False)
    if view == "ce":
        cross_entropy_too()
st.latex(L.FORMULAS)
ui.prose("log_odds_takeaway")
ui.quiz("log_odds", [("q1", ["a", "b", "c"], "b"), ("q2", ["a", "b", "c"], "a"), ("q3", ["a", "b", "c"], "a")])
ui.page_links("log_odds")
