"""Lesson 7, CrossEntropy vs BCE on the same tensor: the seed's two numbers, multi-label, the 2-class bridge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F


@dataclass(frozen=True)
class SeedView:
    """Seed 002: BCELoss and CrossEntropyLoss on the same float32 ``pred`` and ``label`` (3 entries)."""

    bce_terms: np.ndarray  # binary_cross_entropy(pred, label, reduction="none"), (3,)
    bce: np.ndarray  # their mean, ()
    softmax: np.ndarray  # softmax(pred): CE reads pred as one sample's logits, (3,)
    ce_terms: np.ndarray  # −label·log_softmax(pred), (3,)
    ce: np.ndarray  # cross_entropy(pred, label) (probability target): Σ ce_terms, ()
    lse: np.ndarray  # logsumexp(pred), ()
    label_sum: np.float32  # Σ label
    label_dot_x: np.float32  # Σ label·pred


def ce_vs_bce_view(pred, label) -> SeedView:
    """Seed 002 step by step: BCELoss and CrossEntropyLoss on the SAME float32 tensors.

    BCE reads ``pred`` as independent probabilities; CE (shapes equal: the soft-target
    path) reads it as the logits of one sample and softmaxes it.

    >>> from lossviz.text import fmt
    >>> v = ce_vs_bce_view([0.8, 0.2, 0.4], [1.0, 0.0, 0.0])
    >>> fmt.value(v.bce), fmt.value(v.ce)
    ('0.3190375864505768', '0.7971159815788269')
    """
    x = np.asarray(pred, dtype=np.float32)
    y = np.asarray(label, dtype=np.float32)
    lsm = F.log_softmax(x)
    return SeedView(
        bce_terms=F.binary_cross_entropy(x, y, reduction="none"),
        bce=F.binary_cross_entropy(x, y),
        softmax=F.softmax(x),
        ce_terms=-(y * lsm),
        ce=F.cross_entropy(x, y),
        lse=F.logsumexp(x),
        label_sum=np.sum(y, dtype=np.float32),
        label_dot_x=np.sum(y * x, dtype=np.float32),
    )


@dataclass(frozen=True)
class MultiView:
    """One row of float32 logits read two ways: one softmax over the row, one sigmoid per entry."""

    softmax: np.ndarray  # softmax(logits): competes, sums to 1, (C,)
    sigmoid: np.ndarray  # σ(logits): independent, (C,)
    softmax_sum: np.float64  # Σ softmax
    sigmoid_sum: np.float64  # Σ σ
    ce: np.ndarray  # cross_entropy(logits, label): multi-class, ()
    bcel_terms: np.ndarray  # binary_cross_entropy_with_logits(logits, label, reduction="none"), (C,)
    bcel: np.ndarray  # their mean: multi-label, ()


def multi_view(logits, label) -> MultiView:
    """One row of logits through CE (one softmax over the row: multi-class) and
    BCEWithLogits (one sigmoid per entry: multi-label)."""
    x = np.asarray(logits, dtype=np.float32)
    y = np.asarray(label, dtype=np.float32)
    sig = F.sigmoid(x)
    sm = F.softmax(x)
    return MultiView(
        softmax=sm,
        sigmoid=sig,
        softmax_sum=np.sum(sm, dtype=np.float64),
        sigmoid_sum=np.sum(sig, dtype=np.float64),
        ce=F.cross_entropy(x, y),
        bcel_terms=F.binary_cross_entropy_with_logits(x, y, reduction="none"),
        bcel=F.binary_cross_entropy_with_logits(x, y),
    )


@dataclass(frozen=True)
class BridgeView:
    """2-class CE on logits (a, b) next to BCEWithLogits on d = b − a (float64), and both as curves of d."""

    d: float  # b − a
    diff: np.float64  # ce − bcel: 0 up to rounding
    ce: np.ndarray  # cross_entropy([a, b], y), ()
    bcel: np.ndarray  # binary_cross_entropy_with_logits(d, y), ()
    p1: np.float64  # softmax([a, b])[1]
    sigma_d: np.ndarray  # σ(d) = p1, ()
    grid: np.ndarray  # the values of d for the curves, (G,)
    ce_curve: np.ndarray  # CE([0, d], y) on the grid, (G,)
    bcel_curve: np.ndarray  # BCEWithLogits(d, y) on the grid, (G,)


def bridge_view(a: float, b: float, y: int, grid=None) -> BridgeView:
    """2-class CE on logits (a, b) with class ``y`` vs BCEWithLogits on d = b - a, target y.

    ``softmax([a, b])[1] = σ(b - a)``, so the two losses are the same function of d.
    """
    d = float(b) - float(a)
    ds = np.linspace(-10.0, 10.0, 201) if grid is None else np.asarray(grid, dtype=np.float64)
    rows = np.stack([np.zeros_like(ds), ds], axis=1)
    ce = F.cross_entropy(np.array([a, b], dtype=np.float64), np.array(y))
    bcel = F.binary_cross_entropy_with_logits(d, float(y))
    return BridgeView(
        d=d,
        diff=ce - bcel,
        ce=ce,
        bcel=bcel,
        p1=F.softmax(np.array([a, b], dtype=np.float64))[1],
        sigma_d=F.sigmoid(d),
        grid=ds,
        ce_curve=F.cross_entropy(rows, np.full(ds.size, y), reduction="none"),
        bcel_curve=F.binary_cross_entropy_with_logits(ds, np.full(ds.size, float(y)), reduction="none"),
    )


def task_t3_done(label) -> bool:
    """Task t3, a multi-label target: two entries equal to 1 and the third 0 (what its message speaks of)."""
    return sorted(float(v) for v in label) == [0.0, 1.0, 1.0]


def seed_code(pred, label) -> str:
    """The seed's view as a torch snippet: BCELoss and CrossEntropyLoss on the same tensors, softmax(pred),
    and BCEWithLogitsLoss (the multi-label reading)."""
    return (
        "import torch\nfrom torch import nn\n"
        f"pred = torch.tensor({[float(p) for p in pred]!r})\n"
        f"label = torch.tensor({[float(q) for q in label]!r})\n"
        "print('BCELoss', nn.BCELoss()(pred, label).item())\n"
        "print('CrossEntropyLoss', nn.CrossEntropyLoss()(pred, label).item())\n"
        "print('softmax(pred)', torch.softmax(pred, 0).tolist())\n"
        "print('BCEWithLogitsLoss', nn.BCEWithLogitsLoss()(pred, label).item())"
    )


def bridge_code(a: float, b: float, y: int) -> str:
    """The bridge as a torch snippet: 2-class CE on (a, b) and BCEWithLogits on b − a, in float64."""
    target = f"torch.tensor({float(y)!r}, dtype=torch.float64)"
    return (
        "import torch\nimport torch.nn.functional as F\n"
        f"ab = torch.tensor([{float(a)!r}, {float(b)!r}], dtype=torch.float64)\n"
        f"print('2-class CE', F.cross_entropy(ab, torch.tensor({y})).item())\n"
        f"print('BCEWithLogits(b - a)', F.binary_cross_entropy_with_logits(ab[1] - ab[0], {target}).item())"
    )
