"""Lesson 2, BCELoss vs BCEWithLogitsLoss: element comparisons, where the two part, and the scale sweep.

No streamlit and no translation: rows use language-neutral column ids and reason codes,
which the page maps to translated headers and sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F
from lossviz.core.dtypes import finfo, opmath, resolve, round_to
from lossviz.lessons.stability import saturation
from lossviz.text import codegen, fmt

SEED_X = ((0.4, 0.7, 1.2, 0.3), (1.1, 0.6, 0.9, 1.6))  # seed 003


SEED_Y = ((1.0, 0.0, 1.0, 0.0), (0.0, 1.0, 1.0, 0.0))


def scaled(x, scale: float, dtype: str) -> np.ndarray:
    """``torch.tensor(x, dtype=dtype) * scale``: x rounded to ``dtype``, multiplied in torch's opmath
    (float32 for the 16-bit types, the scalar cast to it) and rounded back."""
    dt = resolve(dtype)
    op = opmath(dt)
    with np.errstate(over="ignore", invalid="ignore"):  # beyond the dtype's range the tensor holds ±inf, as in torch
        return round_to(np.asarray(x, dtype=dt).astype(op) * op.type(scale), dt)


def reasons(x, y, naive, stable) -> list[str]:
    """Why each element's two losses differ, as a code.

    ``clamp_one``: σ(x) rounded to exactly 1.0, so log(1 − σ) = log 0, clamped to −100.
    ``clamp_zero``: σ(x) rounded to exactly 0.0, so log σ = log 0, clamped to −100.
    ``rounding``: σ(x) is close to 0 or 1 and 1 − σ(x) kept only a few digits.
    ``same``: equal to within 16 ulps of the dtype.
    """
    x = np.asarray(x)
    sig = F.sigmoid(x)
    yy = np.asarray(y, dtype=np.float64)
    a, b = np.asarray(naive, dtype=np.float64), np.asarray(stable, dtype=np.float64)
    tol = 16 * float(finfo(x.dtype).eps)
    out = []
    for i in np.ndindex(x.shape):
        if sig[i] == 1.0 and yy[i] < 1:
            out.append("clamp_one")
        elif sig[i] == 0.0 and yy[i] > 0:
            out.append("clamp_zero")
        elif not abs(a[i] - b[i]) <= tol * max(1.0, abs(b[i])):
            out.append("rounding")
        else:
            out.append("same")
    return out


def compare_rows(x, y) -> list[dict[str, str]]:
    """BCELoss(sigmoid(x), y) next to BCEWithLogitsLoss(x, y), element by element, with the
    difference and its reason code. ``x`` keeps its dtype; raises like BCELoss for bad targets."""
    x = np.asarray(x)
    naive = F.naive_bce_from_logits(x, y, reduction="none")
    stable = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    diff = naive.astype(np.float64) - stable.astype(np.float64)
    sig = F.sigmoid(x)
    yy = np.asarray(y, dtype=x.dtype)
    why = reasons(x, y, naive, stable)
    return [
        {"element": fmt.element_label(i), "x": fmt.cell(x[i]), "y": fmt.cell(yy[i]), "sigma": fmt.value(sig[i]),
         "naive": fmt.cell(naive[i]), "stable": fmt.cell(stable[i]), "diff": fmt.cell(diff[i], 3),
         "reason": why[k]}
        for k, i in enumerate(np.ndindex(x.shape))
    ]


def parting_scale(x, y, dtype: str) -> tuple[float, tuple[int, ...]] | None:
    """The smallest scale at which some element of ``scale · x`` makes σ saturate against its label
    (σ == 1 with y < 1, or σ == 0 with y > 0), and that element; None if no scale does.

    Uses the searched saturation points of ``dtype`` (float32: x ≥ 16.6355 or x ≤ −88.72).
    """
    s = saturation(resolve(dtype).name)
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    best: tuple[float, tuple[int, ...]] | None = None
    for i in np.ndindex(xs.shape):
        xi, yi = xs[i], ys[i]
        limits = []
        if yi < 1:
            limits.append(s.sigmoid_one / xi if xi > 0 else None)
        if yi > 0:
            limits.append(s.sigmoid_zero / xi if xi < 0 else None)
        for lim in limits:
            if lim is not None and (best is None or lim < best[0]):
                best = (float(lim), i)
    return best


@dataclass(frozen=True)
class Sweep:
    """The mean loss both ways at every scale s of a sweep: one value per scale, in the sweep's order."""

    naive: np.ndarray  # BCELoss(sigmoid(s·x), y), reduction="mean"
    stable: np.ndarray  # BCEWithLogitsLoss(s·x, y), reduction="mean"


def scale_sweep(x, y, scales, dtype: str) -> Sweep:
    """Mean loss both ways for every scale: BCELoss(sigmoid(s·x)) and BCEWithLogitsLoss(s·x).

    The sweep does not depend on the page's scale slider: the page caches it per input."""
    naive, stable = [], []
    for s in scales:
        xs = scaled(x, s, dtype)
        yy = np.asarray(y, dtype=xs.dtype)
        naive.append(float(F.naive_bce_from_logits(xs, yy)))
        stable.append(float(F.binary_cross_entropy_with_logits(xs, yy)))
    return Sweep(np.asarray(naive), np.asarray(stable))


def scaled_code(x, y, scale: float, dtype: str) -> str:
    """Runnable torch code for the scaled tensor: both routes' means, then each element both ways."""
    return "\n".join([
        "import torch",
        codegen.tensor("x", x, dtype) + f" * {float(scale)!r}",
        codegen.tensor("y", y, dtype),
        "print(torch.nn.BCELoss()(torch.sigmoid(x), y).item())",
        "print(torch.nn.BCEWithLogitsLoss()(x, y).item())",
        "print(torch.nn.BCELoss(reduction='none')(torch.sigmoid(x), y).tolist())",
        "print(torch.nn.BCEWithLogitsLoss(reduction='none')(x, y).tolist())",
    ])
