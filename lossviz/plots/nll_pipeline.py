"""Figures for "log_softmax + NLLLoss = CrossEntropyLoss": one sample's tensors per class, and the loss of
each pipeline per sample. Pure builders: data and translated labels in, figure out (bar traces only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lossviz.plots.base import PALETTE, colour, hline, labelled_figure


def _text(v: float) -> str:
    return f"{v:.3g}" if np.isfinite(v) else str(v)


def bars_figure(categories: Sequence[str], series: dict[str, Sequence[float]], *, labels: dict[str, str],
                highlight: int | None = None, uirevision: str = "nl_bars") -> go.Figure:
    """Grouped bars, one group per category, one colour per named series, values written on the bars.

    ``highlight`` outlines the bars of one category (the target class); a zero line marks where a value
    changes sign. ``labels``: title, x, y."""
    traces = []
    for i, (name, ys) in enumerate(series.items()):
        ys = np.asarray(ys, dtype=np.float64)
        widths = [3 if c == highlight else 0 for c in range(len(categories))]
        traces.append({"type": "bar", "x": list(categories), "y": ys, "name": name,
                       "marker": {"color": colour(i), "line": {"color": PALETTE["black"], "width": widths}},
                       "text": [_text(v) for v in ys], "textposition": "outside", "cliponaxis": False,
                       "hovertemplate": "%{y:.6g}<extra>" + name.replace("<", "&lt;") + "</extra>"})
    # a value that would need a font under 11 px to fit its bar (a phone, many series) is hidden, not overlapped
    layout = {"barmode": "group", "hovermode": "closest", "xaxis": {"type": "category"},
              "uniformtext": {"mode": "hide", "minsize": 11}}
    hline(layout, 0.0, line={"color": PALETTE["grey"], "width": 1.5})
    return labelled_figure(traces, layout, labels, uirevision)


def pipeline_figure(logits: Sequence[float], log_probs: Sequence[float], *, target: int | None,
                    labels: dict[str, str]) -> go.Figure:
    """One sample: its logits and log_softmax per class (the same bars shifted down by logsumexp), the target
    class outlined. ``labels``: title, x, y, logits, log_probs."""
    classes = [str(c) for c in range(len(logits))]
    return bars_figure(classes, {labels["logits"]: logits, labels["log_probs"]: log_probs}, labels=labels,
                       highlight=target, uirevision="nl_pipeline")


def gradient_figure(chain: Sequence[float], ce: Sequence[float], *, target: int | None,
                    labels: dict[str, str]) -> go.Figure:
    """One sample's gradient w.r.t. the logits, two ways: chained through log_softmax and CrossEntropyLoss's.
    ``labels``: title, x, y, chain, ce."""
    classes = [str(c) for c in range(len(chain))]
    return bars_figure(classes, {labels["chain"]: chain, labels["ce"]: ce}, labels=labels, highlight=target,
                       uirevision="nl_grad")


def mistakes_figure(per_sample: dict[str, Sequence[float]], *, labels: dict[str, str]) -> go.Figure:
    """Each pipeline's loss per sample (reduction="none"), grouped by sample; ``per_sample``: name → losses.
    ``labels``: title, x, y."""
    n = len(next(iter(per_sample.values())))
    samples = [str(i) for i in range(n)]  # numbered from 0, as x[n] in torch
    return bars_figure(samples, per_sample, labels=labels, uirevision="nl_mistakes")
