"""Figures for lesson 5: the signed loss curve of a target outside [0, 1] (pure builders, labels passed in).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import (
    PALETTE,
    colour,
    hline,
    labelled_figure,
    marker,
)


def signed_loss_figure(
    xs: np.ndarray,
    curves: dict[str, np.ndarray],
    *,
    current: tuple[float, float] | None,
    labels: dict[str, str],
) -> go.Figure:
    """Loss against the logit where the loss may go below zero: a zero line and a shaded band.

    The first curve is the learner's; the rest are references. ``labels``: title, x, y,
    current, negative (the band's name).
    """
    traces: list[dict] = []
    finite = np.concatenate([np.asarray(v, dtype=np.float64)[np.isfinite(v)] for v in curves.values()] or [np.zeros(1)])
    low = float(min(np.min(finite, initial=0.0), 0.0))
    if low < 0:
        traces.append({"type": "scatter", "x": [xs[0], xs[-1], xs[-1], xs[0]], "y": [0, 0, low, low],
                       "fill": "toself", "mode": "none", "fillcolor": "rgba(213,94,0,0.10)",
                       "name": labels["negative"], "hoverinfo": "skip"})
    for i, (name, ys) in enumerate(curves.items()):
        traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": name,
                       "line": {"color": colour(i), "width": 3 if i == 0 else 1.5,
                                "dash": "solid" if i == 0 else "dot"}})
    layout: dict = {}
    hline(layout, 0.0, line={"color": PALETTE["black"], "width": 1})
    if current is not None and np.isfinite(current[1]):
        marker(traces, current[0], current[1], name=labels["current"])
    return labelled_figure(traces, layout, labels, "signed")
