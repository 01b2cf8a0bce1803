"""Figures for lesson 2: BCELoss(σ(x)) against BCEWithLogitsLoss(x), by element and by logit scale.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import (
    PALETTE,
    base_layout,
    colour,
    figure,
    legend_below,
    merge,
    point_mark,
    vline,
)


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
