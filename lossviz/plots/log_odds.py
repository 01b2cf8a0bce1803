"""Figures for "From log-odds to likelihood": the logit against p, the likelihood and the mean BCE over
(w, b) as heat grids (scatter markers: the app's plotly bundle has no heatmap), and both along w.
Pure builders: data and translated labels in, figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import PALETTE, base_layout, colour, figure, legend_below, merge, rows_layout, vline

_CURRENT = {"size": 14, "color": PALETTE["vermillion"], "line": {"width": 2, "color": "white"}}
_BEST = {"symbol": "star", "size": 18, "color": PALETTE["yellow"], "line": {"width": 1.5, "color": "black"}}


def logit_figure(ps, xs, *, current: tuple[float, float], labels: dict[str, str]) -> go.Figure:
    """logit(p) against p, the current (p, logit p) marked, with dotted guides at p = 0.5 and logit 0.

    ``labels``: title, x, y, curve, current."""
    traces = [{"type": "scatter", "x": ps, "y": xs, "mode": "lines", "name": labels["curve"],
               "line": {"color": colour(0), "width": 2.5}},
              {"type": "scatter", "x": [current[0]], "y": [current[1]], "mode": "markers", "name": labels["current"],
               "marker": dict(_CURRENT)}]
    layout: dict = {}
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="lo_logit")
    merge(layout, legend_below(380))
    merge(layout, {"xaxis": {"range": [0.0, 1.0]}, "yaxis": {"zeroline": True, "zerolinecolor": PALETTE["grey"]}})
    vline(layout, 0.5, line={"color": PALETTE["grey"], "dash": "dot", "width": 1})
    return figure(traces, layout)


def heat_figure(ws, bs, values, *, current: tuple[float, float], best: tuple[float, float], labels: dict[str, str],
                uirevision: str = "lo_heat") -> go.Figure:
    """``values`` (rows: ``bs``, columns: ``ws``) as a grid of coloured squares over (w, b) (Viridis: dark low,
    bright high), the current (w, b) and the best (w*, b*) marked. ``labels``: title, x, y, value (the colour
    bar's title), current, best."""
    w_grid, b_grid = np.meshgrid(np.asarray(ws), np.asarray(bs))
    values = np.asarray(values)
    traces = [
        {"type": "scatter", "x": w_grid.ravel(), "y": b_grid.ravel(), "mode": "markers", "name": labels["value"],
         "showlegend": False, "hovertemplate": "w=%{x:.2f}, b=%{y:.2f}: %{marker.color:.4g}<extra></extra>",
         "marker": {"symbol": "square", "size": 13, "color": values.ravel(), "colorscale": "Viridis",
                    "showscale": True, "line": {"width": 0},
                    "colorbar": {"title": {"text": labels["value"], "side": "right"}, "thickness": 12, "len": 0.9}}},
        {"type": "scatter", "x": [current[0]], "y": [current[1]], "mode": "markers", "name": labels["current"],
         "marker": dict(_CURRENT)},
        {"type": "scatter", "x": [best[0]], "y": [best[1]], "mode": "markers", "name": labels["best"],
         "marker": dict(_BEST)},
    ]
    layout: dict = {}
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision=uirevision)
    merge(layout, legend_below(400))
    pad_w, pad_b = (ws[1] - ws[0]) / 2, (bs[1] - bs[0]) / 2
    merge(layout, {"hovermode": "closest", "xaxis": {"range": [ws[0] - pad_w, ws[-1] + pad_w], "showgrid": False},
                   "yaxis": {"range": [bs[0] - pad_b, bs[-1] + pad_b], "showgrid": False}})
    return figure(traces, layout)


def slice_figure(ws, likelihood, bce, *, current: tuple[float, float, float], best_w: float,
                 labels: dict[str, str]) -> go.Figure:
    """The likelihood (top) and the mean BCE (bottom) along w for one b; ``current`` = (w, L, BCE) marked on
    both rows and a dashed line at ``best_w``, where L peaks and BCE bottoms. ``labels``: title, x,
    likelihood, bce, current, best."""
    w, lik, loss = current
    traces = [
        {"type": "scatter", "x": ws, "y": likelihood, "mode": "lines", "name": labels["likelihood"],
         "line": {"color": colour(0), "width": 2.5}, "xaxis": "x", "yaxis": "y"},
        {"type": "scatter", "x": ws, "y": bce, "mode": "lines", "name": labels["bce"],
         "line": {"color": colour(2), "width": 2.5, "dash": "dash"}, "xaxis": "x2", "yaxis": "y2"},
        {"type": "scatter", "x": [w], "y": [lik], "mode": "markers", "name": labels["current"],
         "marker": dict(_CURRENT), "legendgroup": "current", "xaxis": "x", "yaxis": "y"},
        {"type": "scatter", "x": [w], "y": [loss], "mode": "markers", "name": labels["current"],
         "marker": dict(_CURRENT), "legendgroup": "current", "showlegend": False, "xaxis": "x2", "yaxis": "y2"},
        {"type": "scatter", "x": [None], "y": [None], "mode": "lines", "name": labels["best"],
         "line": {"color": PALETTE["black"], "dash": "dash", "width": 1.5}},
    ]
    layout = rows_layout(2, vertical_spacing=0.1)
    base_layout(layout, title=labels["title"], x_title="", y_title=labels["likelihood"], uirevision="lo_slice")
    merge(layout, {"xaxis": {"title": {}}, "yaxis2": {"title": {"text": labels["bce"]}},
                   "xaxis2": {"title": {"text": labels["x"]}}})
    merge(layout, legend_below(520))
    vline(layout, best_w, line={"color": PALETTE["black"], "dash": "dash", "width": 1.5})
    layout["shapes"][-1]["yref"] = "paper"  # across both rows
    return figure(traces, layout)
