"""Figures for "Train it": loss per epoch, the three losses side by side, the probability map."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lossviz.plots.base import DASHES, PALETTE, base_layout, colour

# Colour-blind-safe diverging scale for probabilities: Okabe–Ito blue (0) → white → orange (1).
PROB_SCALE = [[0.0, PALETTE["blue"]], [0.5, "#ffffff"], [1.0, PALETTE["orange"]]]


def legend_below(fig: go.Figure, *, y: float = -0.16) -> go.Figure:
    """Legend under the plot, left-aligned: on a phone a legend beside the title covers it."""
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": y, "xanchor": "left", "x": 0.0},
        margin={"l": 10, "r": 10, "t": 50, "b": 20},
    )
    return fig


def epoch_loss_figure(losses, *, labels: dict[str, str]) -> go.Figure:
    """Loss per epoch of the seed's loop. ``labels``: title, x, y, curve."""
    epochs = np.arange(len(losses))
    fig = go.Figure(
        go.Scatter(x=epochs, y=list(losses), mode="lines+markers", name=labels["curve"], line={"color": colour(0)})
    )
    return base_layout(fig, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="train_linear")


def curves_figure(runs: dict[str, tuple[list[float], list[float]]], *, labels: dict[str, str]) -> go.Figure:
    """All runs in one chart: the loss each minimises (top) and its gradient norm (bottom, log).

    ``runs``: display name → (per-step losses, per-step gradient norms).
    ``labels``: title, x, loss, grad. Both axes are logarithmic (the losses differ by orders of
    magnitude); an exactly-zero gradient is a gap.
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for i, (name, (losses, grads)) in enumerate(runs.items()):
        steps = np.arange(len(losses))
        style = {"color": colour(i), "dash": DASHES[i % len(DASHES)], "width": 2.5}
        fig.add_trace(go.Scatter(x=steps, y=list(losses), mode="lines", name=name, line=style, legendgroup=name), 1, 1)
        g = np.asarray(grads, dtype=np.float64)
        g = np.where(g > 0, g, np.nan)  # log axis: an exactly-zero gradient cannot be drawn
        fig.add_trace(
            go.Scatter(x=steps, y=g, mode="lines", name=name, line=style, legendgroup=name, showlegend=False), 2, 1
        )
    fig.update_yaxes(title_text=labels["loss"], type="log", row=1, col=1)
    fig.update_yaxes(title_text=labels["grad"], type="log", row=2, col=1)
    fig.update_xaxes(title_text=labels["x"], row=2, col=1)
    base_layout(fig, title=labels["title"], x_title="", y_title=labels["loss"], uirevision="train_curves")
    fig.update_layout(height=540, xaxis_title=None, xaxis2_title=labels["x"])
    return legend_below(fig, y=-0.12)


def probability_map_figure(
    xs, ys, prob, points, classes, *, boundary_y=None, labels: dict[str, str]
) -> go.Figure:
    """σ(w·p + b) as a heatmap, the 0.5 contour, the data coloured by class and the boundary line.

    ``points``: (n, 2); ``classes``: (n,) of 0/1. ``labels``: title, x, y, prob, class0, class1, boundary.
    """
    fig = go.Figure(
        go.Heatmap(
            x=list(xs), y=list(ys), z=np.asarray(prob), zmin=0.0, zmax=1.0, colorscale=PROB_SCALE,
            colorbar={"title": {"text": labels["prob"]}, "thickness": 12}, name=labels["prob"],
        )
    )
    pts = np.asarray(points)
    cls = np.asarray(classes)
    # white circles / black diamonds: readable on both ends of the blue–orange map, and without colour
    for k, (symbol, fill) in enumerate((("circle", "#ffffff"), ("diamond", PALETTE["black"]))):
        sel = cls == k
        fig.add_trace(
            go.Scatter(
                x=pts[sel, 0], y=pts[sel, 1], mode="markers", name=labels[f"class{k}"],
                marker={"symbol": symbol, "size": 8, "color": fill, "line": {"width": 1.5, "color": PALETTE["black"]}},
            )
        )
    if boundary_y is not None:  # a black line on a white halo: visible on blue, white and orange alike
        fig.add_trace(go.Scatter(x=list(xs), y=list(boundary_y), mode="lines", line={"color": "#ffffff", "width": 7},
                                 hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=list(xs), y=list(boundary_y), mode="lines", name=labels["boundary"],
                                 line={"color": PALETTE["black"], "width": 3}))
    fig.update_xaxes(range=[float(xs[0]), float(xs[-1])], constrain="domain")
    fig.update_yaxes(range=[float(ys[0]), float(ys[-1])], scaleanchor="x", scaleratio=1, constrain="domain")
    base_layout(fig, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="train_map")
    fig.update_layout(hovermode="closest", height=480)
    return legend_below(fig, y=-0.14)
