"""Figures for "Common mistakes": both versions' loss and gradient norm against the logit scale."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import PALETTE, base_layout, figure, merge, point_legend, point_mark, rows_layout
from lossviz.plots.train import _two_rows_titles

if TYPE_CHECKING:
    from lossviz.lessons.mistakes import Sweep


def sweep_figure(
    scales, sweep: Sweep, *, current: tuple[float, float | None, float | None], labels: dict[str, str]
) -> go.Figure:
    """Top: loss of the mistake and the fix vs the logit scale; bottom: gradient norms (log axis).

    ``sweep``: its wrong, right, wrong_grad, right_grad (NaN where torch raised).
    ``current``: (scale, wrong loss, right loss) of the live example, marked on the top panel
    with annotations (``point_mark``: a step on the scale redraws only them); a trace without
    data gives them their legend entry.
    ``labels``: title, x, loss, grad, wrong, right, current.
    """
    traces = []
    styles = {"wrong": (PALETTE["vermillion"], "dash"), "right": (PALETTE["blue"], "solid")}
    for side, (col, dash) in styles.items():
        loss, grad = getattr(sweep, side), getattr(sweep, side + "_grad")
        line = {"color": col, "dash": dash, "width": 2.5}
        traces.append({"type": "scatter", "x": list(scales), "y": loss, "mode": "lines", "name": labels[side],
                       "line": line, "legendgroup": side, "xaxis": "x", "yaxis": "y"})
        g = np.asarray(grad, dtype=np.float64)
        traces.append({"type": "scatter", "x": list(scales), "y": np.where(g > 0, g, np.nan), "mode": "lines",
                       "name": labels[side], "line": dict(line), "legendgroup": side, "showlegend": False,
                       "xaxis": "x2", "yaxis": "y2"})
    scale, *values = current
    traces.append(point_legend(labels["current"]))
    layout = merge(rows_layout(2, vertical_spacing=0.08), {"xaxis": {"type": "log"}, "xaxis2": {"type": "log"}})
    # each point in its curve's colour (black would vanish on the dark theme)
    layout["annotations"] = [point_mark(scale, v, colour=col, log_x=True)
                             for (col, _), v in zip(styles.values(), values, strict=True)
                             if scale > 0 and v is not None and np.isfinite(v)]
    base_layout(layout, title=labels["title"], x_title="", y_title=labels["loss"], uirevision="mistake_sweep")
    return figure(traces, _two_rows_titles(layout, labels["x"], labels["loss"], labels["grad"]))
