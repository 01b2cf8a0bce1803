"""Figures for the binary lessons: the sigmoid, and BCE as a function of the logit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import PALETTE, base_layout, colour, figure, legend_below, marker, merge, point_mark, vline


def _legend(layout: dict, where: str) -> dict:
    """``layout`` with its legend "top" (as base_layout puts it) or "below" the plot."""
    if where not in ("top", "below"):
        raise ValueError(f"legend must be 'top' or 'below', not {where!r}")
    return merge(layout, legend_below()) if where == "below" else layout


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
    return figure(traces, _legend(layout, legend))


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
    return figure(traces, _legend(layout, legend))


def scale_sweep_figure(
    scales: np.ndarray,
    curves: dict[str, np.ndarray],
    *,
    current: tuple[float, list[float]],
    parting: float | None,
    labels: dict[str, str],
) -> go.Figure:
    """Mean loss against the scale of the logits, one line per route, a dotted line where the
    routes part and a point on each route at the current scale: ``current = (scale, [value per
    route])``. ``labels``: title, x, y, parting.

    The points are annotations (``point_mark``): a step on the scale moves them and leaves
    the lines as they were, so the browser redraws only the points."""
    traces = [{"type": "scatter", "x": scales, "y": np.asarray(ys, dtype=np.float64), "mode": "lines",
               "name": name, "line": {"color": colour(i), "dash": "solid" if i == 0 else "dash"}}
              for i, (name, ys) in enumerate(curves.items())]
    layout: dict = {"annotations": [point_mark(float(current[0]), float(v), colour=colour(i))
                                    for i, v in enumerate(current[1]) if np.isfinite(v)]}
    if parting is not None and scales[0] <= parting <= scales[-1]:
        vline(layout, parting, line={"color": PALETTE["grey"], "dash": "dot"},
              annotation={"text": labels["parting"], "font": {"size": 11}})
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="scale")
    return figure(traces, merge(layout, legend_below()))


def element_compare_figure(elements: list[str], curves: dict[str, np.ndarray], *, labels: dict[str, str]) -> go.Figure:
    """Grouped bars: each element's loss by each route. ``labels``: title, x, y."""
    traces = [{"type": "bar", "x": elements, "y": np.asarray(ys, dtype=np.float64), "name": name,
               "marker": {"color": colour(i)}} for i, (name, ys) in enumerate(curves.items())]
    layout = {"barmode": "group"}
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="elements")
    return figure(traces, merge(layout, legend_below()))
