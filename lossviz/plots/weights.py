"""Figures for lesson 4: weighted elements and the class-imbalance trade (pure builders, labels passed in).
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
    point_legend,
    point_mark,
)


def element_bars_figure(
    elements: list[str], plain: np.ndarray, weighted: np.ndarray, *, labels: dict[str, str]
) -> go.Figure:
    """Each element's loss without multipliers beside its loss with ``weight``/``pos_weight``.

    ``labels``: title, x, y, plain, weighted.
    """
    traces = [
        {"type": "bar", "x": elements, "y": np.ravel(plain), "name": labels["plain"], "marker": {"color": colour(0)}},
        {"type": "bar", "x": elements, "y": np.ravel(weighted), "name": labels["weighted"],
         "marker": {"color": colour(3)}},
    ]
    return labelled_figure(traces, {"barmode": "group", "xaxis": {"type": "category"}}, labels, "elements")


def imbalance_figure(
    pos_weights: np.ndarray,
    sigma_star: np.ndarray,
    threshold: np.ndarray,
    *,
    current: tuple[float, float],
    recommended: tuple[float, float],
    labels: dict[str, str],
) -> go.Figure:
    """σ* (loss-minimising constant prediction) and the 1/(1+p) probability bar against pos_weight.

    ``current`` and ``recommended`` are (p, σ*) points. ``labels``: title, x, y, sigma_star,
    threshold, current, recommended. The x axis is logarithmic (p from small to large).
    ``current`` moves with the pos_weight slider along curves that stay put, so it is an
    annotation in σ*'s colour (``point_mark``: a step redraws only it), with a legend entry.
    """
    traces = [
        {"type": "scatter", "x": pos_weights, "y": sigma_star, "mode": "lines", "name": labels["sigma_star"],
         "line": {"color": colour(0)}},
        {"type": "scatter", "x": pos_weights, "y": threshold, "mode": "lines", "name": labels["threshold"],
         "line": {"color": colour(1), "dash": "dash"}},
    ]
    layout: dict = {}
    hline(layout, 0.5, line={"color": PALETTE["grey"], "dash": "dot", "width": 1})
    marker(traces, recommended[0], recommended[1], name=labels["recommended"], colour_name="green")
    traces.append(point_legend(labels["current"], colour=colour(0)))
    # as large as the recipe's marker (13 px and its rim): the point the learner moves
    layout["annotations"] = (
        [point_mark(current[0], current[1], colour=colour(0), size=26, log_x=True)] if current[0] > 0 else []
    )
    lo, hi = float(np.min(pos_weights)), float(np.max(pos_weights))
    ticks = [m * 10.0**e for e in range(-3, 7) for m in (1, 2, 5) if lo <= m * 10.0**e <= hi]
    layout["xaxis"] = {"type": "log", "tickvals": ticks, "ticktext": [f"{v:g}" for v in ticks]}
    layout["yaxis"] = {"range": [-0.02, 1.02]}
    return labelled_figure(traces, layout, labels, "imbalance")
