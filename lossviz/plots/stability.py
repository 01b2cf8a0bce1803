"""Figures for the numerical stability lab: losses and gradients against the logit per dtype,
with the dtype's saturation points marked, and softmax with and without the max shift."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import (
    DASHES,
    PALETTE,
    base_layout,
    colour,
    figure,
    legend_below,
    merge,
    point_legend,
    point_mark,
    vline,
)


def finite_or_nan(ys) -> np.ndarray:
    """float64 copy with ±inf replaced by NaN: plotly cannot draw inf, a gap is honest."""
    arr = np.asarray(ys, dtype=np.float64).copy()
    arr[~np.isfinite(arr)] = np.nan
    return arr


def logit_curves_figure(
    xs,
    curves: dict[str, np.ndarray],
    *,
    marks: Sequence[tuple[float, str]] = (),
    current: tuple[float, float] | None = None,
    labels: dict[str, str],
    uirevision: str = "stability",
) -> go.Figure:
    """Curves against the logit (non-finite values left as gaps), dotted vertical lines at
    ``marks`` ``(x, text)`` and the current point. ``labels``: title, x, y, current.

    The current point is an annotation (``point_mark``; a trace without data gives it its
    legend entry): a step on the probe moves it and leaves the curves as they were, so the
    browser redraws only the point."""
    xs = np.asarray(xs, dtype=np.float64)
    traces = [{"type": "scatter", "x": xs, "y": finite_or_nan(ys), "mode": "lines", "name": name,
               "line": {"color": colour(i), "dash": DASHES[i % len(DASHES)], "width": 3 - 0.5 * i},
               "connectgaps": False} for i, (name, ys) in enumerate(curves.items())]
    layout: dict = {}
    for k, (mx, text) in enumerate(marks):
        vline(layout, float(mx), line={"color": PALETTE["grey"], "dash": "dot", "width": 1},
              annotation={"text": text, "font": {"size": 11}, "textangle": -90,
                          "yanchor": "top" if k % 2 else "bottom"})
    if current is not None and np.isfinite(current[1]):
        traces.append(point_legend(labels["current"]))
        mark = point_mark(float(current[0]), float(current[1]), colour=PALETTE["grey"])
        layout.setdefault("annotations", []).append(mark)
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision=uirevision)
    return figure(traces, merge(layout, legend_below(460)))


def softmax_figure(classes: Sequence[str], naive, stable, *, labels: dict[str, str]) -> go.Figure:
    """Grouped bars: softmax without the max shift (NaN bars read "nan") and with it.
    ``labels``: title, x, y, naive, stable."""
    traces = []
    for name, ys, col in ((labels["naive"], naive, colour(1)), (labels["stable"], stable, colour(0))):
        arr = np.asarray(ys, dtype=np.float64)
        text = ["nan" if np.isnan(v) else f"{v:.3g}" for v in arr]
        traces.append({"type": "bar", "x": list(classes), "y": np.nan_to_num(arr, nan=0.0), "name": name,
                       "text": text, "textposition": "outside", "textfont": {"size": 11}, "marker": {"color": col}})
    layout = {"yaxis": {"range": [0, 1.15]}, "barmode": "group"}
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="softmax")
    return figure(traces, merge(layout, legend_below()))
