"""Figures for the weights and negative-loss lessons (pure builders, labels passed in)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import (
    PALETTE,
    base_layout,
    colour,
    figure,
    hline,
    legend_below,
    marker,
    merge,
    point_legend,
    point_mark,
)


def _finish(traces: list[dict], layout: dict, labels: dict[str, str], uirevision: str) -> go.Figure:
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision=uirevision)
    merge(layout, legend_below())
    return figure(traces, layout)


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
    return _finish(traces, {"barmode": "group", "xaxis": {"type": "category"}}, labels, "elements")


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
    layout["annotations"] = [point_mark(current[0], current[1], colour=colour(0), size=26, log_x=True)] if current[0] > 0 else []
    lo, hi = float(np.min(pos_weights)), float(np.max(pos_weights))
    ticks = [m * 10.0**e for e in range(-3, 7) for m in (1, 2, 5) if lo <= m * 10.0**e <= hi]
    layout["xaxis"] = {"type": "log", "tickvals": ticks, "ticktext": [f"{v:g}" for v in ticks]}
    layout["yaxis"] = {"range": [-0.02, 1.02]}
    return _finish(traces, layout, labels, "imbalance")


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
    return _finish(traces, layout, labels, "signed")
