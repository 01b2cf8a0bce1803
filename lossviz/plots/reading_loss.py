"""Figures for "Reading a loss value": a batch of logits on the sigmoid with two thresholds, loss and
accuracy per epoch, a reliability diagram, and what pos_weight does to a score. Pure builders: data
and translated labels in, figure out (scatter and bar traces only: the app's plotly.js is the basic bundle)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import (
    DASHES,
    PALETTE,
    base_layout,
    colour,
    figure,
    hline,
    labelled_figure,
    legend_below,
    merge,
    rows_layout,
    vline,
)


def threshold_figure(logits, sigma, labels_y, *, cut: float, flipped, labels: dict[str, str]) -> go.Figure:
    """σ over the logit, the batch on it (one trace per label), the flipped points ringed, the right
    threshold (logit 0) and the wrong one (logit ``cut``) as vertical lines. ``labels``: title, x, y,
    curve, label0, label1, flipped."""
    xs = np.linspace(-3.0, 3.0, 241)
    traces = [{"type": "scatter", "x": xs, "y": 1.0 / (1.0 + np.exp(-xs)), "mode": "lines", "name": labels["curve"],
               "line": {"color": PALETTE["grey"], "width": 2}}]
    logits, sigma, labels_y, flipped = (np.asarray(v) for v in (logits, sigma, labels_y, flipped))
    for k, symbol in ((0, "circle"), (1, "diamond")):
        m = labels_y == k
        traces.append({"type": "scatter", "x": logits[m], "y": sigma[m], "mode": "markers", "name": labels[f"label{k}"],
                       "marker": {"size": 12, "symbol": symbol, "color": colour(k),
                                  "line": {"width": 1, "color": "white"}}})
    traces.append({"type": "scatter", "x": logits[flipped], "y": sigma[flipped], "mode": "markers",
                   "name": labels["flipped"],
                   "marker": {"size": 22, "symbol": "circle-open", "color": PALETTE["black"], "line": {"width": 2}}})
    layout: dict = {}
    vline(layout, 0.0, line={"color": PALETTE["green"], "width": 2})
    vline(layout, cut, line={"color": PALETTE["vermillion"], "width": 2, "dash": "dash"})
    hline(layout, 0.5, line={"color": PALETTE["grey"], "width": 1, "dash": "dot"})
    merge(layout, {"yaxis": {"range": [-0.02, 1.02]}, "xaxis": {"range": [-3.0, 3.0]}, "hovermode": "closest"})
    return labelled_figure(traces, layout, labels, "rl_threshold")


def training_figure(run, *, epoch: int, best: int, labels: dict[str, str]) -> go.Figure:
    """Loss (top) and accuracy (bottom) per epoch, training and validation; dotted line at ``best``
    (lowest validation loss), dashed at ``epoch``. ``labels``: title, x, loss, accuracy, train, val."""
    epochs = np.arange(len(run.val_loss))
    traces = []
    for i, (name, loss, acc) in enumerate(((labels["train"], run.train_loss, run.train_acc),
                                           (labels["val"], run.val_loss, run.val_acc))):
        style = {"color": colour(i), "dash": DASHES[i], "width": 2.5}
        traces.append({"type": "scatter", "x": epochs, "y": list(loss), "mode": "lines", "name": name, "line": style,
                       "legendgroup": name, "xaxis": "x", "yaxis": "y"})
        traces.append({"type": "scatter", "x": epochs, "y": list(acc), "mode": "lines", "name": name,
                       "line": dict(style), "legendgroup": name, "showlegend": False, "xaxis": "x2", "yaxis": "y2"})
    layout = rows_layout(2, vertical_spacing=0.1)
    base_layout(layout, title=labels["title"], x_title="", y_title=labels["loss"], uirevision="rl_training")
    merge(layout, {"xaxis": {"title": {}}, "yaxis2": {"title": {"text": labels["accuracy"]}, "range": [0.4, 1.02]},
                   "xaxis2": {"title": {"text": labels["x"]}}, "yaxis": {"rangemode": "tozero"}})
    merge(layout, legend_below(520))
    for x, dash in ((best, "dot"), (epoch, "dash")):
        vline(layout, x, line={"color": PALETTE["black"], "dash": dash, "width": 1.5})
        layout["shapes"][-1]["yref"] = "paper"  # across both rows
    return figure(traces, layout)


def reliability_figure(early, late, *, labels: dict[str, str]) -> go.Figure:
    """Accuracy per confidence bin at two epochs (grouped bars, each with its count) against
    the diagonal of a calibrated model. ``early``/``late``: :class:`~lossviz.lessons.reading_loss.Reliability`.
    ``labels``: title, x, y, early, late, ideal."""
    traces = [{"type": "scatter", "x": [0.5, 1.0], "y": [0.5, 1.0], "mode": "lines", "name": labels["ideal"],
               "line": {"color": PALETTE["grey"], "dash": "dot", "width": 2}}]
    centres = [0.55, 0.65, 0.75, 0.85, 0.95]
    for i, (rel, name) in enumerate(((early, labels["early"]), (late, labels["late"]))):
        traces.append({"type": "bar", "x": centres, "y": [None if np.isnan(a) else a for a in rel.accuracy],
                       "name": name, "marker": {"color": colour(i + 2)}, "width": 0.04, "offset": -0.04 + 0.04 * i,
                       "text": [str(n) if n else "" for n in rel.count], "textposition": "inside",
                       "insidetextanchor": "start", "textangle": 0, "textfont": {"size": 11, "color": PALETTE["black"]},
                       "customdata": list(zip(rel.count, rel.confidence, strict=True)),
                       "hovertemplate": "%{y:.3f} (n = %{customdata[0]}, conf %{customdata[1]:.3f})"})
        traces.append({"type": "scatter", "x": [c - 0.02 + 0.04 * i for c in centres],
                       "y": [None if np.isnan(c) else c for c in rel.confidence], "mode": "markers",
                       "showlegend": False, "name": name,
                       "marker": {"symbol": "line-ew", "size": 14, "line": {"width": 3, "color": PALETTE["black"]}}})
    layout = {"xaxis": {"range": [0.5, 1.0], "dtick": 0.1}, "yaxis": {"range": [0.0, 1.02]}, "hovermode": "closest",
              "bargap": 0.0}
    return labelled_figure(traces, layout, labels, "rl_reliability")


def tilt_figure(t, *, labels: dict[str, str]) -> go.Figure:
    """The loss-minimising σ against the true positive probability q, with pos_weight 1 (the diagonal)
    and with ``t.pos_weight``; where the tilted curve crosses 0.5 (q = 1 / (1 + p)) marked.
    ``labels``: title, x, y, calibrated, tilted, cross."""
    traces = [
        {"type": "scatter", "x": t.qs, "y": t.calibrated, "mode": "lines", "name": labels["calibrated"],
         "line": {"color": colour(0), "width": 2.5}},
        {"type": "scatter", "x": t.qs, "y": t.tilted, "mode": "lines", "name": labels["tilted"],
         "line": {"color": colour(1), "width": 2.5, "dash": "dash"}},
        {"type": "scatter", "x": [t.q_cross], "y": [0.5], "mode": "markers", "name": labels["cross"],
         "marker": {"size": 13, "color": PALETTE["black"], "line": {"width": 2, "color": "white"}}},
    ]
    layout: dict = {"xaxis": {"range": [0, 1]}, "yaxis": {"range": [0, 1.02]}}
    hline(layout, 0.5, line={"color": PALETTE["grey"], "width": 1, "dash": "dot"})
    return labelled_figure(traces, layout, labels, "rl_tilt")
