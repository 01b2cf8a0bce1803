"""pos_weight in practice: the class-imbalance recipe, what it does to predictions, and shapes.

For BCEWithLogitsLoss with ``pos_weight`` p, the expected loss at a point whose true
positive probability is q, ``p·q·(−log σ) + (1−q)·(−log(1−σ))``, is smallest at
``σ = p·q / (p·q + 1 − q)`` (set the gradient ``(p·q + 1 − q)·σ − p·q`` to zero).
Two readings of that one formula:

* a constant prediction for a batch of P positives and N negatives (q = P / (P + N)):
  ``σ* = p·P / (p·P + N)``; with the recipe p = N / P it becomes exactly 0.5;
* a calibrated score thresholded at 0.5 calls "positive" once q > 1 / (1 + p): p > 1 lowers
  that bar — more recall, less precision (torch docs, BCEWithLogitsLoss).
"""

from __future__ import annotations

import numpy as np

from lossviz.core.dtypes import as_floating
from lossviz.core.errors import LossValueError


def recommended_pos_weight(positives: float, negatives: float) -> float:
    """The docs' recipe: negatives / positives (100 positives, 300 negatives → 3).

    >>> recommended_pos_weight(100, 300)
    3.0
    """
    if not (np.isfinite(positives) and np.isfinite(negatives)) or positives <= 0 or negatives < 0:
        raise LossValueError(
            "imbalance_counts",
            f"need positives > 0 and negatives >= 0, got {positives} and {negatives}",
            positives=positives,
            negatives=negatives,
        )
    return float(negatives) / float(positives)


def weighted_optimum(q, pos_weight) -> np.ndarray:
    """σ minimising the expected pos-weighted loss at true positive rate q: p·q / (p·q + 1 − q)."""
    q = as_floating(q)
    p = as_floating(pos_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        return p * q / (p * q + 1.0 - q)


def optimal_constant(pos_weight, positives: float, negatives: float) -> np.ndarray:
    """The loss-minimising constant prediction σ* = p·P / (p·P + N) for P positives, N negatives.

    >>> float(optimal_constant(3.0, 100, 300))
    0.5
    """
    recommended_pos_weight(positives, negatives)  # validates the counts
    return weighted_optimum(positives / (positives + negatives), pos_weight)


def threshold_on_probability(pos_weight) -> np.ndarray:
    """True positive probability above which σ > 0.5 after training with ``pos_weight``: 1 / (1 + p)."""
    p = as_floating(pos_weight)
    with np.errstate(divide="ignore"):
        return 1.0 / (1.0 + p)


def constant_batch(positives: int, negatives: int) -> np.ndarray:
    """Targets of a batch with ``positives`` ones then ``negatives`` zeros (to check σ* against torch)."""
    return np.concatenate([np.ones(int(positives)), np.zeros(int(negatives))])


def pos_weight_cases(pos_weight, n_classes: int) -> list[dict[str, object]]:
    """Three shapes for one (C,) pos_weight: (C,) on (N, C) works, (C,) on (N, C, H, W) fails,
    (C, 1, 1) on (N, C, H, W) works (pytorch issues 82496, 65702).

    H = W = C + 1, so the (C,) case always fails rather than silently lining up with W.
    ``pos_weight`` that is not a length-C vector is replaced by ones.
    """
    c = int(n_classes)
    pw = as_floating(pos_weight) if pos_weight is not None else np.ones(c)
    if pw.shape != (c,):
        pw = np.ones(c)
    h = c + 1
    cases = []
    for case, shape, pw_case in (
        ("nc", (2, c), pw),
        ("nchw_flat", (2, c, h, h), pw),
        ("nchw_c11", (2, c, h, h), pw.reshape(c, 1, 1)),
    ):
        size = int(np.prod(shape))
        x = np.linspace(-1.5, 1.5, size).reshape(shape)
        y = (np.arange(size) % 3 == 0).astype(np.float64).reshape(shape)
        cases.append({"id": case, "input": x, "target": y, "pos_weight": pw_case,
                      "input_shape": list(shape), "pos_weight_shape": list(pw_case.shape)})
    return cases


def constant_prediction_grad(pos_weight: float, positives: int, negatives: int) -> float:
    """d(mean loss)/d z at the shared logit z = logit(σ*) of a P/N batch: ≈ 0, so σ* is the minimum."""
    from lossviz.core import functional as F

    s = float(optimal_constant(pos_weight, positives, negatives))
    with np.errstate(divide="ignore"):
        z = np.log(s) - np.log1p(-s)  # logit(σ*)
    y = constant_batch(positives, negatives)
    g = F.binary_cross_entropy_with_logits_grad(np.full(y.shape, z), y, pos_weight=np.asarray(pos_weight, dtype=np.float64))
    return float(np.sum(g))


def bce_logits_snippet(x, y, weight, pos_weight, reduction: str) -> str:
    """Runnable torch code for the weighted batch, printing the value and the mean's denominator."""
    from lossviz.text import codegen

    lines = [
        "import torch",
        "import torch.nn.functional as F",
        codegen.tensor("x", x, "float64"),
        codegen.tensor("y", y, "float64"),
        codegen.tensor("weight", weight, "float64") if weight is not None else "weight = None",
        codegen.tensor("pos_weight", pos_weight, "float64") if pos_weight is not None else "pos_weight = None",
        "kw = dict(weight=weight, pos_weight=pos_weight)",
        f"loss = F.binary_cross_entropy_with_logits(x, y, reduction={reduction!r}, **kw)",
        "print(loss.tolist() if loss.dim() else loss.item())",
        "total = F.binary_cross_entropy_with_logits(x, y, reduction='sum', **kw)",
        "print('sum =', total.item(), '  mean = sum /', x.numel(), '=', (total / x.numel()).item())",
    ]
    return "\n".join(lines)
