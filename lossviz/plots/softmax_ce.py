"""Figures for the multi-class lessons: per-class bars (softmax, target, gradient).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import PALETTE, base_layout, colour, figure, legend_below, merge


def class_bars_figure(
    classes: Sequence[str],
    series: dict[str, np.ndarray],
    *,
    labels: dict[str, str],
    highlight: int | None = None,
    y_range: tuple[float, float] | None = None,
    uirevision: str = "bars",
) -> go.Figure:
    """Grouped bars, one group per class, one bar colour per named series.

    ``labels``: title, x, y. ``highlight`` outlines the bars of one class (the true class).
    Values are written on the bars so the chart reads without hovering.
    """
    traces = []
    for i, (name, ys) in enumerate(series.items()):
        ys = np.asarray(ys, dtype=np.float64)
        widths = [3 if c == highlight else 0 for c in range(len(classes))]
        traces.append({
            "type": "bar",
            "x": list(classes),
            "y": ys,
            "name": name,
            "marker": {"color": colour(i), "line": {"color": PALETTE["black"], "width": widths}},
            "text": [f"{v:.3g}" if np.isfinite(v) else str(v) for v in ys],
            "textposition": "outside",
            "cliponaxis": False,
        })
    layout: dict = {"barmode": "group", "hovermode": "x", "xaxis": {"type": "category"}}
    if y_range is not None:
        layout["yaxis"] = {"range": list(y_range)}
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision=uirevision)
    return figure(traces, merge(layout, legend_below()))
