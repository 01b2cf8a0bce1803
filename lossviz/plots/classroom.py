"""Figures for the class poll: the answers as a histogram, the true value marked once revealed."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from lossviz.plots.base import PALETTE, base_layout, colour, figure


def poll_figure(
    bars: Sequence[str],
    counts: Sequence[int],
    *,
    labels: dict[str, str],
    truth_bar: int | None = None,
) -> go.Figure:
    """One bar per option (or per bin of a number question); ``truth_bar`` (shown after the reveal)
    is drawn in the palette's green, its count followed by ✓. ``labels``: title, x, y."""
    colours = [PALETTE["green"] if i == truth_bar else colour(0) for i in range(len(bars))]
    traces = [{
        "type": "bar", "x": list(bars), "y": list(counts), "marker": {"color": colours},
        "text": [f"{c} ✓" if i == truth_bar else str(c) for i, c in enumerate(counts)],
        "textposition": "outside", "cliponaxis": False, "showlegend": False,
    }]
    layout: dict = {"xaxis": {"type": "category"}, "yaxis": {"rangemode": "tozero"}}
    if max(counts, default=0) <= 10:
        layout["yaxis"]["dtick"] = 1  # whole students, not 0.5 of one
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="poll")
    return figure(traces, layout)
