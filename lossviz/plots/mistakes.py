"""Figures for "Common mistakes": both versions' loss and gradient norm against the logit scale."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lossviz.plots.base import PALETTE, base_layout
from lossviz.plots.train import legend_below


def sweep_figure(
    scales, sweep: dict[str, np.ndarray], *, current: tuple[float, float | None, float | None], labels: dict[str, str]
) -> go.Figure:
    """Top: loss of the mistake and the fix vs the logit scale; bottom: gradient norms (log axis).

    ``sweep``: keys wrong, right, wrong_grad, right_grad (NaN where torch raised).
    ``current``: (scale, wrong loss, right loss) of the live example, marked on the top panel.
    ``labels``: title, x, loss, grad, wrong, right, current.
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    styles = {"wrong": (PALETTE["vermillion"], "dash"), "right": (PALETTE["blue"], "solid")}
    for side, (col, dash) in styles.items():
        line = {"color": col, "dash": dash, "width": 2.5}
        fig.add_trace(go.Scatter(x=list(scales), y=sweep[side], mode="lines", name=labels[side], line=line,
                                 legendgroup=side), 1, 1)
        g = np.asarray(sweep[side + "_grad"], dtype=np.float64)
        fig.add_trace(go.Scatter(x=list(scales), y=np.where(g > 0, g, np.nan), mode="lines", name=labels[side],
                                 line=line, legendgroup=side, showlegend=False), 2, 1)
    scale, *values = current
    ys = [v for v in values if v is not None and np.isfinite(v)]
    fig.add_trace(go.Scatter(x=[scale] * len(ys), y=ys, mode="markers", name=labels["current"],
                             marker={"size": 12, "color": PALETTE["black"], "line": {"width": 2, "color": "white"}}), 1, 1)
    fig.update_xaxes(type="log", row=1, col=1)
    fig.update_xaxes(type="log", title_text=labels["x"], row=2, col=1)
    fig.update_yaxes(title_text=labels["loss"], row=1, col=1)
    fig.update_yaxes(title_text=labels["grad"], type="log", row=2, col=1)
    base_layout(fig, title=labels["title"], x_title="", y_title=labels["loss"], uirevision="mistake_sweep")
    fig.update_layout(height=540, xaxis_title=None, xaxis2_title=labels["x"])
    return legend_below(fig, y=-0.12)
