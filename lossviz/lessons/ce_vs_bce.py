"""Lesson 7, CrossEntropy vs BCE on the same tensor: the seed's two numbers, multi-label, the 2-class bridge.
"""

from __future__ import annotations

import numpy as np

from lossviz.core import functional as F


def ce_vs_bce_view(pred, label) -> dict:
    """Seed 002 step by step: BCELoss and CrossEntropyLoss on the SAME float32 tensors.

    BCE reads ``pred`` as independent probabilities; CE (shapes equal: the soft-target
    path) reads it as the logits of one sample and softmaxes it.

    >>> from lossviz.text import fmt
    >>> v = ce_vs_bce_view([0.8, 0.2, 0.4], [1.0, 0.0, 0.0])
    >>> fmt.value(v["bce"]), fmt.value(v["ce"])
    ('0.3190375864505768', '0.7971159815788269')
    """
    x = np.asarray(pred, dtype=np.float32)
    y = np.asarray(label, dtype=np.float32)
    lsm = F.log_softmax(x)
    return {
        "bce_terms": F.binary_cross_entropy(x, y, reduction="none"),
        "bce": F.binary_cross_entropy(x, y),
        "softmax": F.softmax(x),
        "ce_terms": -(y * lsm),
        "ce": F.cross_entropy(x, y),
        "lse": F.logsumexp(x),
        "label_sum": np.sum(y, dtype=np.float32),
        "label_dot_x": np.sum(y * x, dtype=np.float32),
    }


def multi_view(logits, label) -> dict:
    """One row of logits through CE (one softmax over the row: multi-class) and
    BCEWithLogits (one sigmoid per entry: multi-label)."""
    x = np.asarray(logits, dtype=np.float32)
    y = np.asarray(label, dtype=np.float32)
    sig = F.sigmoid(x)
    sm = F.softmax(x)
    return {
        "softmax": sm,
        "sigmoid": sig,
        "softmax_sum": np.sum(sm, dtype=np.float64),
        "sigmoid_sum": np.sum(sig, dtype=np.float64),
        "ce": F.cross_entropy(x, y),
        "bcel_terms": F.binary_cross_entropy_with_logits(x, y, reduction="none"),
        "bcel": F.binary_cross_entropy_with_logits(x, y),
    }


def bridge_view(a: float, b: float, y: int, grid=None) -> dict:
    """2-class CE on logits (a, b) with class ``y`` vs BCEWithLogits on d = b - a, target y.

    ``softmax([a, b])[1] = σ(b - a)``, so the two losses are the same function of d.
    """
    d = float(b) - float(a)
    ds = np.linspace(-10.0, 10.0, 201) if grid is None else np.asarray(grid, dtype=np.float64)
    rows = np.stack([np.zeros_like(ds), ds], axis=1)
    ce = F.cross_entropy(np.array([a, b], dtype=np.float64), np.array(y))
    bcel = F.binary_cross_entropy_with_logits(d, float(y))
    return {
        "d": d,
        "diff": ce - bcel,
        "ce": ce,
        "bcel": bcel,
        "p1": F.softmax(np.array([a, b], dtype=np.float64))[1],
        "sigma_d": F.sigmoid(d),
        "grid": ds,
        "ce_curve": F.cross_entropy(rows, np.full(ds.size, y), reduction="none"),
        "bcel_curve": F.binary_cross_entropy_with_logits(ds, np.full(ds.size, float(y)), reduction="none"),
    }


def task_t3_done(label) -> bool:
    """Task t3, a multi-label target: two entries equal to 1 and the third 0 (what its message speaks of)."""
    return sorted(float(v) for v in label) == [0.0, 1.0, 1.0]
