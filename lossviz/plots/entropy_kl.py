"""Figures for Entropy, cross-entropy, KL: H(y) and KL(y‖p) stacked, with the cross-entropy on top.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import PALETTE, base_layout, colour, figure, legend_below, merge


def split_figure(
    columns: Sequence[str],
    entropy: Sequence[float],
    kl: Sequence[float],
    ce: Sequence[float | None],
    *,
    labels: dict[str, str],
    uirevision: str = "ek_split",
) -> go.Figure:
    """One stacked bar per column: H(y) (bottom) + KL(y‖p) (top), and a diamond at the cross-entropy
    computed on its own (``None``: no diamond), which sits exactly on the top of the stack.

    ``labels``: title, y, entropy, kl, ce (the legend names).
    """
    cols = list(columns)
    h, k = np.asarray(entropy, dtype=np.float64), np.asarray(kl, dtype=np.float64)
    traces = [
        {"type": "bar", "x": cols, "y": h, "name": labels["entropy"], "marker": {"color": colour(0)},
         "text": [f"{v:.4g}" for v in h], "textposition": "inside", "insidetextanchor": "middle"},
        {"type": "bar", "x": cols, "y": k, "name": labels["kl"], "marker": {"color": colour(1)},
         "text": [f"{v:.4g}" for v in k], "textposition": "inside", "insidetextanchor": "middle"},
    ]
    shown = [(c, v) for c, v in zip(cols, ce, strict=True) if v is not None]
    if shown:
        traces.append({"type": "scatter", "mode": "markers+text",
                       "x": [c for c, _ in shown], "y": [v for _, v in shown],
                       "name": labels["ce"], "text": [f"{v:.4g}" for _, v in shown], "textposition": "top center",
                       "cliponaxis": False,
                       "marker": {"symbol": "diamond", "size": 13, "color": PALETTE["black"],
                                  "line": {"width": 2, "color": "white"}}})
    top = max([float(a + b) for a, b in zip(h, k, strict=True)] + [v for _, v in shown] + [0.1])
    layout: dict = {"barmode": "stack", "hovermode": "x", "xaxis": {"type": "category"},
                    "yaxis": {"range": [0.0, top * 1.2], "rangemode": "tozero"}}
    base_layout(layout, title=labels["title"], x_title="", y_title=labels["y"], uirevision=uirevision)
    return figure(traces, merge(layout, legend_below()))
