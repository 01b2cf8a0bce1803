"""Figures for "Why not MSE for classification?": both losses and their gradients against the logit,
and the race (accuracy and loss per step). Pure builders: data and translated labels in, figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import DASHES, PALETTE, base_layout, colour, figure, legend_below, merge, rows_layout, vline


def _rows(labels: dict[str, str], top: str, bottom: str, uirevision: str, height: int) -> dict:
    """A two-row, shared-x layout: ``top`` / ``bottom`` y titles, the x title under row 2, legend below."""
    layout = rows_layout(2, vertical_spacing=0.1)
    base_layout(layout, title=labels["title"], x_title="", y_title=top, uirevision=uirevision)
    merge(layout, {"xaxis": {"title": {}}, "yaxis2": {"title": {"text": bottom}},
                   "xaxis2": {"title": {"text": labels["x"]}}})
    return merge(layout, legend_below(height))


def curves_figure(xs, series: dict[str, tuple[np.ndarray, np.ndarray]], *, current: float,
                  current_values: dict[str, tuple[float, float]], peak: tuple[float, float] | None = None,
                  labels: dict[str, str]) -> go.Figure:
    """Loss (top) and its gradient w.r.t. the logit (bottom) for each named loss, the current logit marked.

    ``series``: name → (loss over ``xs``, gradient over ``xs``); ``current_values``: name → (loss, grad) at
    ``current``. ``peak``: (x, gradient) of the first loss's largest gradient, marked on the gradient row.
    ``labels``: title, x, loss, grad, current (and peak, with ``peak``). The gradient row has a zero line: where a curve
    hugs it, that loss no longer moves the logit.
    """
    traces = []
    for i, (name, (loss, grad)) in enumerate(series.items()):
        style = {"color": colour(i), "dash": DASHES[i % len(DASHES)], "width": 2.5}
        traces.append({"type": "scatter", "x": xs, "y": loss, "mode": "lines", "name": name, "line": style,
                       "legendgroup": name, "xaxis": "x", "yaxis": "y"})
        traces.append({"type": "scatter", "x": xs, "y": grad, "mode": "lines", "name": name, "line": dict(style),
                       "legendgroup": name, "showlegend": False, "xaxis": "x2", "yaxis": "y2"})
    for i, (loss, grad) in enumerate(current_values.values()):
        mark = {"size": 12, "color": colour(i), "line": {"width": 2, "color": "white"}}
        traces.append({"type": "scatter", "x": [current], "y": [loss], "mode": "markers", "marker": mark,
                       "name": labels["current"], "legendgroup": "current", "showlegend": i == 0,
                       "xaxis": "x", "yaxis": "y"})
        traces.append({"type": "scatter", "x": [current], "y": [grad], "mode": "markers", "marker": dict(mark),
                       "name": labels["current"], "legendgroup": "current", "showlegend": False,
                       "xaxis": "x2", "yaxis": "y2"})
    if peak is not None:
        traces.append({"type": "scatter", "x": [peak[0]], "y": [peak[1]], "mode": "markers", "name": labels["peak"],
                       "marker": {"symbol": "diamond", "size": 11, "color": PALETTE["black"],
                                  "line": {"width": 1.5, "color": "white"}},
                       "xaxis": "x2", "yaxis": "y2"})
    layout = _rows(labels, labels["loss"], labels["grad"], "why_mse_curves", 560)
    vline(layout, current, line={"color": PALETTE["grey"], "dash": "dot", "width": 1})
    layout["shapes"][-1]["yref"] = "paper"  # the current logit across both rows
    merge(layout, {"yaxis2": {"zeroline": True, "zerolinecolor": PALETTE["grey"], "zerolinewidth": 1.5}})
    return figure(traces, layout)


def race_figure(runs: dict[str, tuple[list[float], list[float]]], *, labels: dict[str, str]) -> go.Figure:
    """Accuracy (top) and the loss each run minimises (bottom, linear from 0) per step.
    ``runs``: name → (losses, accuracy). ``labels``: title, x, accuracy, loss."""
    traces = []
    for i, (name, (losses, accs)) in enumerate(runs.items()):
        steps = np.arange(len(losses))
        style = {"color": colour(i), "dash": DASHES[i % len(DASHES)], "width": 2.5}
        traces.append({"type": "scatter", "x": steps, "y": list(accs), "mode": "lines", "name": name, "line": style,
                       "legendgroup": name, "xaxis": "x", "yaxis": "y"})
        traces.append({"type": "scatter", "x": steps, "y": list(losses), "mode": "lines", "name": name,
                       "line": dict(style), "legendgroup": name, "showlegend": False, "xaxis": "x2", "yaxis": "y2"})
    layout = _rows(labels, labels["accuracy"], labels["loss"], "why_mse_race", 520)
    merge(layout, {"yaxis": {"range": [0.0, 1.02]}, "yaxis2": {"rangemode": "tozero"}})
    return figure(traces, layout)
