"""Figures for lesson 7: the 2-class bridge curve (CE on [a, b] = BCEWithLogits on b − a).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import base_layout, colour, figure, legend_below, marker, merge


def bridge_figure(
    ds: np.ndarray,
    ce_curve: np.ndarray,
    bce_curve: np.ndarray,
    *,
    current: tuple[float, float],
    labels: dict[str, str],
) -> go.Figure:
    """Loss against d = b - a: 2-class CE (solid) and BCEWithLogits on d (dashed) coincide.

    ``labels``: title, x, y, ce, bce, current.
    """
    traces = [
        {"type": "scatter", "x": ds, "y": ce_curve, "mode": "lines", "name": labels["ce"],
         "line": {"color": colour(0), "width": 6}},
        {"type": "scatter", "x": ds, "y": bce_curve, "mode": "lines", "name": labels["bce"],
         "line": {"color": colour(3), "width": 2, "dash": "dash"}},
    ]
    marker(traces, current[0], current[1], name=labels["current"])
    layout = base_layout({}, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="bridge")
    return figure(traces, merge(layout, legend_below()))
