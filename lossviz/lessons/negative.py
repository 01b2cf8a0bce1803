"""Why a binary loss goes negative: what is wrong with the targets or the weights.

``BCEWithLogitsLoss`` does not validate its targets (pytorch issues 123339, 110865). Its
per-element loss ``w [(1 − y) x + (1 + (p − 1) y) softplus(−x)]`` behaves like
``w (1 − y) x`` as x → +∞ and like ``−w p y x`` as x → −∞, so it has no lower bound as soon
as ``w (1 − y) < 0`` or ``w p y < 0``: y > 1, y < 0, a negative weight or pos_weight.
Gradient descent then pushes the logit to ±∞ and the loss keeps falling below zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F

PROBLEMS = ("target_high", "target_low", "weight_negative", "pos_weight_negative")


def problems(target, weight=None, pos_weight=None) -> list[str]:
    """Codes of what makes a binary loss meaningless (catalog ``negative.problem_<code>``).

    >>> problems([0.0, 2.0])
    ['target_high']
    """
    y = np.asarray(target, dtype=np.float64)
    found = []
    if np.any(y > 1):
        found.append("target_high")
    if np.any(y < 0):
        found.append("target_low")
    if weight is not None and np.any(np.asarray(weight, dtype=np.float64) < 0):
        found.append("weight_negative")
    if pos_weight is not None and np.any(np.asarray(pos_weight, dtype=np.float64) < 0):
        found.append("pos_weight_negative")
    return found


def unbounded_below(target: float, weight: float = 1.0, pos_weight: float = 1.0) -> bool:
    """True when the loss of one element falls to −∞ as the logit runs to +∞ or −∞.

    >>> unbounded_below(2.0), unbounded_below(0.3)
    (True, False)
    """
    return bool(weight * (1.0 - target) < 0 or weight * pos_weight * target < 0)


def curve(xs, target: float, weight: float = 1.0, pos_weight: float = 1.0) -> np.ndarray:
    """BCEWithLogits(x, target) for every logit in ``xs``, with one weight and pos_weight."""
    xs = np.asarray(xs, dtype=np.float64)
    return F.binary_cross_entropy_with_logits(
        xs, np.full(xs.shape, float(target)), np.asarray(weight, dtype=np.float64), "none",
        np.asarray(pos_weight, dtype=np.float64),
    )


@dataclass(frozen=True)
class ScaledCE:
    """CrossEntropy with a soft target p and with k·p, which is k times the first: CE(x, k·p) = k·CE(x, p)."""

    target: np.ndarray  # k·p, the scaled soft target
    base: float  # CE(x, p)
    scaled: float  # CE(x, k·p)
    ratio: float  # scaled / base, NaN when base is 0


def ce_scaled(logits, probs, scale: float) -> ScaledCE:
    """CrossEntropy with the soft target ``probs`` and with ``scale · probs``: CE(x, k·p) = k·CE(x, p)."""
    x = np.asarray(logits, dtype=np.float64)
    p = np.asarray(probs, dtype=np.float64)
    scaled_target = scale * p
    base = float(F.cross_entropy(x, p))
    scaled = float(F.cross_entropy(x, scaled_target))
    ratio = scaled / base if base != 0 else float("nan")
    return ScaledCE(target=scaled_target, base=base, scaled=scaled, ratio=ratio)


def snippet(x: float, y: float, weight: float, pos_weight: float) -> str:
    """Runnable torch code: BCEWithLogitsLoss accepts the target, BCELoss refuses it, and the check."""
    return "\n".join([
        "import torch",
        "import torch.nn.functional as F",
        f"x = torch.tensor([{float(x)!r}], dtype=torch.float64)",
        f"y = torch.tensor([{float(y)!r}], dtype=torch.float64)",
        f"w = torch.tensor([{float(weight)!r}], dtype=torch.float64)",
        f"pw = torch.tensor([{float(pos_weight)!r}], dtype=torch.float64)",
        "print('BCEWithLogitsLoss:', F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw).item())",
        "try:",
        "    print('BCELoss:', F.binary_cross_entropy(torch.sigmoid(x), y, weight=w).item())",
        "except RuntimeError as e:",
        "    print('BCELoss raises:', e)",
        "# the check to put in your training loop:",
        "ok = bool(y.min() >= 0 and y.max() <= 1 and (w >= 0).all() and (pw >= 0).all())",
        "print('targets in [0, 1] and weights >= 0:', ok)",
    ])
