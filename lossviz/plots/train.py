"""Figures for "Train it": loss per epoch, the three losses side by side, the probability map."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from lossviz.plots.base import DASHES, PALETTE, base_layout, colour, figure, legend_below, merge, rows_layout

# Colour-blind-safe diverging scale for probabilities: Okabe–Ito blue (0) → white → orange (1).
PROB_SCALE = [[0.0, PALETTE["blue"]], [0.5, "#ffffff"], [1.0, PALETTE["orange"]]]


def epoch_loss_figure(losses, *, labels: dict[str, str]) -> go.Figure:
    """Loss per epoch of the seed's loop. ``labels``: title, x, y, curve."""
    epochs = np.arange(len(losses))
    traces = [{"type": "scatter", "x": epochs, "y": list(losses), "mode": "lines+markers", "name": labels["curve"],
               "line": {"color": colour(0)}}]
    layout = base_layout({}, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="train_linear")
    return figure(traces, layout)


def _two_rows_titles(layout: dict, x_title: str, loss_title: str, grad_title: str) -> dict:
    """The layout of a two-row shared-x chart: log y axes titled loss/grad, x title under row 2."""
    layout["xaxis"]["title"] = {}
    merge(layout, {"yaxis": {"title": {"text": loss_title}}, "yaxis2": {"title": {"text": grad_title}, "type": "log"},
                   "xaxis2": {"title": {"text": x_title}}})
    return merge(layout, legend_below(540))


def curves_figure(runs: dict[str, tuple[list[float], list[float]]], *, labels: dict[str, str]) -> go.Figure:
    """All runs in one chart: the loss each minimises (top) and its gradient norm (bottom, log).

    ``runs``: display name → (per-step losses, per-step gradient norms).
    ``labels``: title, x, loss, grad. Both axes are logarithmic (the losses differ by orders of
    magnitude); an exactly-zero gradient is a gap.
    """
    traces = []
    for i, (name, (losses, grads)) in enumerate(runs.items()):
        steps = np.arange(len(losses))
        style = {"color": colour(i), "dash": DASHES[i % len(DASHES)], "width": 2.5}
        traces.append({"type": "scatter", "x": steps, "y": list(losses), "mode": "lines", "name": name,
                       "line": style, "legendgroup": name, "xaxis": "x", "yaxis": "y"})
        g = np.asarray(grads, dtype=np.float64)
        g = np.where(g > 0, g, np.nan)  # log axis: an exactly-zero gradient cannot be drawn
        traces.append({"type": "scatter", "x": steps, "y": g, "mode": "lines", "name": name, "line": dict(style),
                       "legendgroup": name, "showlegend": False, "xaxis": "x2", "yaxis": "y2"})
    layout = merge(rows_layout(2, vertical_spacing=0.08), {"yaxis": {"type": "log"}})
    base_layout(layout, title=labels["title"], x_title="", y_title=labels["loss"], uirevision="train_curves")
    return figure(traces, _two_rows_titles(layout, labels["x"], labels["loss"], labels["grad"]))


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def probability_png(prob) -> str:
    """``prob`` (rows = y ascending, columns = x) coloured with PROB_SCALE, as a PNG data URI (top row = max y)."""
    p = np.clip(np.asarray(prob, dtype=np.float64), 0.0, 1.0)
    stops = np.array([s for s, _ in PROB_SCALE])
    colours = np.stack([_rgb(c) for _, c in PROB_SCALE])
    rgb = np.stack([np.interp(p, stops, colours[:, k]) for k in range(3)], axis=-1)
    buf = io.BytesIO()
    Image.fromarray(np.round(rgb[::-1]).astype(np.uint8), "RGB").save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def probability_map_figure(
    xs, ys, prob, points, classes, *, boundary_y=None, labels: dict[str, str]
) -> go.Figure:
    """σ(w·p + b) as a coloured map, the data coloured by class and the boundary line.

    ``points``: (n, 2); ``classes``: (n,) of 0/1. ``labels``: title, x, y, prob, class0, class1, boundary.
    The map is a PNG under the plot (plotly's basic bundle has no heatmap trace), its colour bar a
    marker-less scatter, and a coarse grid of invisible points keeps σ readable on hover.
    """
    xs, ys, prob = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64), np.asarray(prob)
    dx, dy = (xs[-1] - xs[0]) / (len(xs) - 1), (ys[-1] - ys[0]) / (len(ys) - 1)
    image = {"source": probability_png(prob), "xref": "x", "yref": "y", "x": xs[0] - dx / 2, "y": ys[-1] + dy / 2,
             "sizex": xs[-1] - xs[0] + dx, "sizey": ys[-1] - ys[0] + dy, "sizing": "stretch", "layer": "below"}
    stride = max(1, len(xs) // 20)
    gx, gy = np.meshgrid(xs[::stride], ys[::stride])
    traces = [{
        "type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": labels["prob"], "showlegend": False,
        "hoverinfo": "skip", "marker": {"color": [0.0, 1.0], "cmin": 0.0, "cmax": 1.0, "colorscale": PROB_SCALE,
                                        "showscale": True,
                                        "colorbar": {"title": {"text": labels["prob"]}, "thickness": 12}},
    }, {
        "type": "scatter", "x": gx.ravel(), "y": gy.ravel(), "mode": "markers", "name": labels["prob"],
        "showlegend": False, "marker": {"size": 10, "opacity": 0}, "customdata": prob[::stride, ::stride].ravel(),
        "hovertemplate": (f"{labels['x']} %{{x:.2f}}, {labels['y']} %{{y:.2f}}<br>"
                          f"{labels['prob']} = %{{customdata:.3f}}<extra></extra>"),
    }]
    pts = np.asarray(points)
    cls = np.asarray(classes)
    # white circles with a black rim / black diamonds with a white rim: readable on both ends of the
    # blue–orange map, without colour, and in the legend on a light or a dark page
    class_marks = (("circle", "#ffffff", PALETTE["black"]), ("diamond", PALETTE["black"], "#ffffff"))
    for k, (symbol, fill, rim) in enumerate(class_marks):
        sel = cls == k
        traces.append({
            "type": "scatter", "x": pts[sel, 0], "y": pts[sel, 1], "mode": "markers", "name": labels[f"class{k}"],
            "marker": {"symbol": symbol, "size": 9, "color": fill, "line": {"width": 1.5, "color": rim}},
        })
    if boundary_y is not None:  # a black line on a white halo: visible on blue, white and orange alike
        traces.append({"type": "scatter", "x": list(xs), "y": list(boundary_y), "mode": "lines",
                       "line": {"color": "#ffffff", "width": 7}, "hoverinfo": "skip", "showlegend": False})
        traces.append({"type": "scatter", "x": list(xs), "y": list(boundary_y), "mode": "lines",
                       "name": labels["boundary"], "line": {"color": PALETTE["black"], "width": 3}})
    layout = {
        "xaxis": {"range": [float(xs[0]), float(xs[-1])], "constrain": "domain"},
        # no grid or zero lines: they showed through the map
        "yaxis": {"range": [float(ys[0]), float(ys[-1])], "scaleanchor": "x", "scaleratio": 1, "constrain": "domain",
                  "showgrid": False, "zeroline": False},
    }
    base_layout(layout, title=labels["title"], x_title=labels["x"], y_title=labels["y"], uirevision="train_map")
    merge(layout, {"hovermode": "closest", "images": [image]})
    return figure(traces, merge(layout, legend_below(480)))
