"""The shared look of every chart: a colour-blind-safe palette and one base layout.

Builders assemble traces and the layout as plain dicts and create the figure once with
``figure(traces, layout)`` (``go.Figure(..., _validate=False)``): plotly's per-property
validation of ``go.Scatter``/``add_trace``/``update_layout`` cost most of a page's rerun.
``base_layout`` and ``marker`` accept either a layout dict / trace list or a ``go.Figure``.
"""

from __future__ import annotations

import copy
import math
from functools import lru_cache

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


def merge(dst: dict, src: dict) -> dict:
    """Deep-merge ``src`` into ``dst`` in place (what ``update_layout`` does for nested dicts)."""
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            merge(dst[k], v)
        else:
            dst[k] = v
    return dst


def figure(traces: list[dict], layout: dict) -> go.Figure:
    """The figure of plain-dict ``traces`` (each with ``type``) and ``layout``, unvalidated.

    With an empty ``template``: plotly would otherwise copy its default template (Streamlit's)
    into every figure, half of the figure's cost, and the chart component never sends it
    (``ui_chart.spec_json``: the browser applies Streamlit's theme)."""
    return go.Figure(data=traces, layout={"template": {}, **layout}, _validate=False)


def _base(*, title: str, x_title: str, y_title: str, uirevision: str) -> dict:
    return {
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}},
        "font": {"size": 14},
        "margin": {"l": 10, "r": 20, "t": 60, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        "height": 360,
        "uirevision": uirevision,
        "hovermode": "x unified",
    }


def base_layout(fig, *, title: str, x_title: str, y_title: str, uirevision: str):
    """Apply the shared layout: readable fonts, legend on top, fixed ``uirevision``.

    ``fig``: a layout dict (merged in place) or a ``go.Figure``; returns it."""
    base = _base(title=title, x_title=x_title, y_title=y_title, uirevision=uirevision)
    if isinstance(fig, dict):
        return merge(fig, base)
    fig.update_layout(base)
    return fig


def legend_below(height: int = 420) -> dict:
    """Layout keys for a horizontal legend under the plot, at the bottom of the figure.

    Under the plot, long translated series names wrap on a phone instead of covering the
    title. ``yref="container"``: the legend sits at the figure's bottom edge and plotly makes
    room for it above, however many lines it wraps to; a legend placed in plot fractions
    (``y=-0.12``) moved up into the x-axis title when it wrapped to three lines on a phone."""
    return {"legend": {"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom",
                       "xanchor": "left", "x": 0.0},
            "height": height, "margin": {"l": 10, "r": 10, "t": 50, "b": 10}}


def marker_trace(x: float, y: float, *, name: str, colour_name: str = "black") -> dict:
    """The highlighted-point trace as a dict."""
    return {
        "type": "scatter",
        "x": [x],
        "y": [y],
        "mode": "markers",
        "name": name,
        "marker": {"size": 13, "color": PALETTE[colour_name], "line": {"width": 2, "color": "white"}},
        "showlegend": True,
    }


POINT = "●"  # U+25CF BLACK CIRCLE: the glyph point_mark draws


def point_mark(x: float, y: float, *, colour: str, size: int = 20, log_x: bool = False) -> dict:
    """A point drawn as a layout annotation: a "●" of ``colour`` centred on (x, y) of the first axes.

    For a point that a slider moves along curves that stay put. ``Plotly.react`` redraws a
    changed annotation alone (~3 ms) but replots the whole figure when any trace changes
    (~12 ms, more with subplots); the chart component keeps unchanged traces as the same
    objects (``components/chart/chart.js``), so a step that moves only this point skips the
    replot. An annotation, not a shape: plotly draws a pixel-sized shape half as wide on a log
    axis. On a log x axis plotly places annotations at log10(x): pass ``log_x`` (``x`` > 0)."""
    return {"x": math.log10(x) if log_x else x, "y": y, "xref": "x", "yref": "y", "text": POINT, "showarrow": False,
            "xanchor": "center", "yanchor": "middle", "font": {"size": size, "color": colour}}


def point_legend(name: str, *, colour: str = PALETTE["grey"]) -> dict:
    """A trace without data: the legend entry for points drawn with ``point_mark`` (grey when
    the points have several colours, else theirs)."""
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name,
            "marker": {"size": 11, "color": colour}, "xaxis": "x", "yaxis": "y"}


def marker(fig, x: float, y: float, *, name: str, colour_name: str = "black"):
    """A highlighted point at the current value (a trace, so tests can read it).

    ``fig``: a list of trace dicts (appended to) or a ``go.Figure``; returns it."""
    tr = marker_trace(x, y, name=name, colour_name=colour_name)
    if isinstance(fig, list):
        fig.append(tr)
    else:
        fig.add_trace(tr)
    return fig


def vline(layout: dict, x: float, *, line: dict, annotation: dict | None = None) -> dict:
    """What ``fig.add_vline`` adds (a full-height line at ``x``, text at its top right), on a dict."""
    layout.setdefault("shapes", []).append(
        {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain", "line": line})
    if annotation is not None:
        layout.setdefault("annotations", []).append(
            {"showarrow": False, "x": x, "xanchor": "left", "xref": "x", "y": 1, "yanchor": "top",
             "yref": "y domain", **annotation})
    return layout


def hline(layout: dict, y: float, *, line: dict) -> dict:
    """What ``fig.add_hline`` adds (a full-width line at ``y``), on a dict."""
    layout.setdefault("shapes", []).append(
        {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": "y", "line": line})
    return layout


@lru_cache(maxsize=8)
def _grid_layout(rows: int, vertical_spacing: float) -> dict:
    from plotly.subplots import make_subplots

    grid = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=vertical_spacing)
    lay = grid.to_plotly_json()["layout"]
    lay.pop("template", None)
    return lay


def rows_layout(rows: int, *, vertical_spacing: float) -> dict:
    """A fresh copy of ``make_subplots(rows, 1, shared_xaxes=True)``'s axes layout; put a trace in
    row r with ``xaxis="x<r>"``, ``yaxis="y<r>"`` (row 1: "x", "y")."""
    return copy.deepcopy(_grid_layout(rows, vertical_spacing))


def legend_at(layout: dict, where: str) -> dict:
    """``layout`` with its legend "top" (as base_layout puts it) or "below" the plot."""
    if where not in ("top", "below"):
        raise ValueError(f"legend must be 'top' or 'below', not {where!r}")
    return merge(layout, legend_below()) if where == "below" else layout


def labelled_figure(traces: list[dict], layout: dict, labels: dict[str, str], uirevision: str) -> go.Figure:
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision=uirevision)
    merge(layout, legend_below())
    return figure(traces, layout)
