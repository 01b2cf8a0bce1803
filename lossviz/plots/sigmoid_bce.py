"""Figures for lesson 1 (and Start's demo): the sigmoid, and BCE as a function of the logit.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import (
    PALETTE,
    base_layout,
    colour,
    figure,
    legend_at,
    marker,
)


def sigmoid_figure(
    xs: np.ndarray, sig: np.ndarray, *, current: tuple[float, float], labels: dict[str, str], legend: str = "top"
) -> go.Figure:
    """σ(x) against x with the current point. ``labels``: title, x, y, curve, current.

    ``legend="below"``: the legend under the plot (a half-width or phone chart, where a legend on
    top covers the title)."""
    traces = [{"type": "scatter", "x": xs, "y": sig, "mode": "lines", "name": labels["curve"],
               "line": {"color": colour(0)}}]
    marker(traces, current[0], current[1], name=labels["current"])
    layout = {"yaxis": {"range": [-0.05, 1.05]}}
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="sigmoid")
    return figure(traces, legend_at(layout, legend))


def loss_curves_figure(
    xs: np.ndarray,
    curves: dict[str, np.ndarray],
    *,
    current: tuple[float, float] | None,
    labels: dict[str, str],
    slope: float | None = None,
    log_y: bool = False,
    legend: str = "top",
) -> go.Figure:
    """Loss against the logit, one line per named curve, the current point and its tangent.

    ``labels``: title, x, y, current, slope. ``slope`` draws the gradient as a tangent.
    ``legend``: "top" or "below", as in :func:`sigmoid_figure`.
    """
    traces = [{"type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": name, "line": {"color": colour(i)}}
              for i, (name, ys) in enumerate(curves.items())]
    if current is not None:
        if slope is not None and np.isfinite(slope) and np.isfinite(current[1]):
            half = (xs[-1] - xs[0]) / 8
            tx = np.array([current[0] - half, current[0] + half])
            traces.append({"type": "scatter", "x": tx, "y": current[1] + slope * (tx - current[0]), "mode": "lines",
                           "name": labels["slope"], "line": {"color": PALETTE["grey"], "dash": "dash"}})
        marker(traces, current[0], current[1], name=labels["current"])
    layout = {"yaxis": {"type": "log"}} if log_y else {}
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="loss")
    return figure(traces, legend_at(layout, legend))
