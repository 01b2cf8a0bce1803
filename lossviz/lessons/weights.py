"""pos_weight in practice: the class-imbalance recipe, what it does to predictions, and shapes.

For BCEWithLogitsLoss with ``pos_weight`` p, the expected loss at a point whose true
positive probability is q, ``p·q·(−log σ) + (1−q)·(−log(1−σ))``, is smallest at
``σ = p·q / (p·q + 1 − q)`` (set the gradient ``(p·q + 1 − q)·σ − p·q`` to zero).
Two readings of that one formula:

* a constant prediction for a batch of P positives and N negatives (q = P / (P + N)):
  ``σ* = p·P / (p·P + N)``; with the recipe p = N / P it becomes exactly 0.5;
* a score trained with pos_weight p, thresholded at 0.5, calls "positive" once q > 1 / (1 + p)
  (a calibrated score, trained with p = 1, crosses at q = 0.5): p > 1 lowers that bar — more
  recall, less precision (torch docs, BCEWithLogitsLoss). The tilted score is not calibrated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F
from lossviz.core.dtypes import as_floating
from lossviz.core.errors import LossValueError
from lossviz.text import fmt


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


@dataclass(frozen=True)
class PosWeightCase:
    """One pos_weight shape on one input shape: the tensors to run the loss on, and their shapes to print."""

    id: str  # "nc", "nchw_flat" or "nchw_c11" (catalog ``weights.case_<id>``)
    input: np.ndarray  # logits of shape (2, C) or (2, C, H, W)
    target: np.ndarray  # every third element 1, the others 0
    pos_weight: np.ndarray  # (C,) or (C, 1, 1)

    @property
    def input_shape(self) -> list[int]:
        """The input's shape as torch prints it: ``[2, 3, 4, 4]``."""
        return list(self.input.shape)

    @property
    def pos_weight_shape(self) -> list[int]:
        """pos_weight's shape as torch prints it: ``[3]`` or ``[3, 1, 1]``."""
        return list(self.pos_weight.shape)


def pos_weight_cases(pos_weight, n_classes: int) -> list[PosWeightCase]:
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
        cases.append(PosWeightCase(case, x, y, pw_case))
    return cases


def constant_prediction_grad(pos_weight: float, positives: int, negatives: int) -> float:
    """d(mean loss)/d z at the shared logit z = logit(σ*) of a P/N batch: ≈ 0, so σ* is the minimum."""
    from lossviz.core import functional as F

    s = float(optimal_constant(pos_weight, positives, negatives))
    with np.errstate(divide="ignore"):
        z = np.log(s) - np.log1p(-s)  # logit(σ*)
    y = constant_batch(positives, negatives)
    pw = np.asarray(pos_weight, dtype=np.float64)
    g = F.binary_cross_entropy_with_logits_grad(np.full(y.shape, z), y, pos_weight=pw)
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


BCE_LOGITS_COLUMNS = ("element", "formula", "x", "y", "w", "p", "sigma", "pos_term", "neg_term", "loss", "grad")


def _multiplier(value, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """``weight`` / ``pos_weight`` as the per-element multiplier (1 where None)."""
    return np.broadcast_to(as_floating(1.0 if value is None else value, dtype), shape)


def bce_logits_rows(input, target, weight=None, pos_weight=None, *, digits: int = 4) -> list[dict[str, str]]:
    """BCEWithLogitsLoss element by element, each multiplier written into the formula.

    ``formula`` reads ``w·[p·y·(−log σ(x)) + (1−y)·(−log(1−σ(x)))] = l`` with the numbers put in,
    e.g. ``2·[3·1·0.3133 + 0·1.313] = 1.88``. Raises the same :class:`LossVizError` as
    :func:`lossviz.core.functional.binary_cross_entropy_with_logits` for bad shapes.

    >>> bce_logits_rows([0.0], [1.0], pos_weight=[3.0])[0]["formula"]
    '1·[3·1·0.6931 + 0·0.6931] = 2.079'
    """
    x = as_floating(input)
    y = np.asarray(target, dtype=x.dtype)
    loss = F.binary_cross_entropy_with_logits(x, y, weight, "none", pos_weight)
    grad = F.binary_cross_entropy_with_logits_grad(x, y, weight, "none", pos_weight)
    w = _multiplier(weight, x.shape, x.dtype)
    p = _multiplier(pos_weight, x.shape, x.dtype)
    sig = F.sigmoid(x)
    pos_term = -F.log_sigmoid(x)  # −log σ(x), stable
    neg_term = F.softplus(x)  # −log(1 − σ(x)) = softplus(x), stable
    rows: list[dict[str, str]] = []
    for idx in np.ndindex(x.shape):
        c = {k: fmt.cell(v[idx], digits) for k, v in
             {"x": x, "y": y, "w": w, "p": p, "sigma": sig, "pos_term": pos_term,
              "neg_term": neg_term, "loss": loss, "grad": grad}.items()}
        one_minus_y = fmt.cell(1.0 - float(y[idx]), digits)
        formula = f"{c['w']}·[{c['p']}·{c['y']}·{c['pos_term']} + {one_minus_y}·{c['neg_term']}] = {c['loss']}"
        rows.append({"element": fmt.element_label(idx), "formula": formula, **c})
    return rows


@dataclass(frozen=True)
class Reduction:
    """The reduced values of a weighted batch and their exact denominators."""

    numel: int  # the mean's denominator
    sum: float  # Σ w·l
    mean: float  # Σ w·l / numel, as torch
    weight_sum: float  # Σ w (1 where weight is None): what torch does NOT divide by
    normalised: float  # Σ w·l / Σ w: shown only as what torch does not do


def reduction_summary(input, target, weight=None, pos_weight=None) -> Reduction:
    """The reduced values and their exact denominators.

    ``sum`` = Σ w·l, ``mean`` = Σ w·l / numel (torch does NOT divide by Σ w);
    ``weight_sum`` and ``normalised`` (Σ w·l / Σ w) are shown only as what torch does not do.
    """
    x = as_floating(input)
    y = np.asarray(target, dtype=x.dtype)
    total = float(F.binary_cross_entropy_with_logits(x, y, weight, "sum", pos_weight))
    mean = float(F.binary_cross_entropy_with_logits(x, y, weight, "mean", pos_weight))
    weight_sum = float(np.sum(_multiplier(weight, x.shape, np.dtype(np.float64))))
    with np.errstate(divide="ignore", invalid="ignore"):
        normalised = float(np.float64(total) / np.float64(weight_sum))
    return Reduction(numel=int(x.size), sum=total, mean=mean, weight_sum=weight_sum, normalised=normalised)


def relabel(rows: list[dict[str, str]], labels: dict[str, str]) -> list[dict[str, str]]:
    """Rename column ids to (translated) headers; columns missing from ``labels`` are dropped."""
    return [{labels[k]: v for k, v in row.items() if k in labels} for row in rows]
