"""The shared look of every chart: a colour-blind-safe palette and one base layout."""

from __future__ import annotations

import plotly.graph_objects as go

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#7F7F7F",
}
SERIES = ("blue", "vermillion", "green", "orange", "purple", "sky", "black", "yellow")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def colour(i: int) -> str:
    """The i-th series colour."""
    return PALETTE[SERIES[i % len(SERIES)]]


def base_layout(fig: go.Figure, *, title: str, x_title: str, y_title: str, uirevision: str) -> go.Figure:
    """Apply the shared layout: readable fonts, legend on top, fixed ``uirevision``."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        xaxis_title=x_title,
        yaxis_title=y_title,
        font={"size": 14},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        height=360,
        uirevision=uirevision,
        hovermode="x unified",
    )
    return fig


def marker(fig: go.Figure, x: float, y: float, *, name: str, colour_name: str = "black") -> go.Figure:
    """A highlighted point at the current value (a trace, so tests can read it)."""
    fig.add_trace(
        go.Scatter(
            x=[x],
            y=[y],
            mode="markers",
            name=name,
            marker={"size": 13, "color": PALETTE[colour_name], "line": {"width": 2, "color": "white"}},
            showlegend=True,
        )
    )
    return fig
