"""Lesson 8, class weights, ignore_index and label smoothing: a batch through weighted CE, term by term.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from lossviz.core import functional as F
from lossviz.lessons.softmax_ce import onehot
from lossviz.text import codegen, fmt

IGNORE = -100  # CrossEntropyLoss's default ignore_index


@dataclass(frozen=True)
class WeightedTerms:
    """The weighted mean of a batch written out term by term (float64; ignored samples: NaN in ``nll``,
    ``w_y`` and ``contrib``)."""

    keep: np.ndarray  # y_n != ignore_index, (N,)
    nll: np.ndarray  # l_n = −log softmax(x_n)[y_n], unweighted, (N,)
    w_y: np.ndarray  # w[y_n], (N,)
    contrib: np.ndarray  # w[y_n]·l_n, (N,)
    numerator: float  # Σ over kept n of w[y_n]·l_n
    denominator: float  # Σ over kept n of w[y_n]
    n_kept: int  # samples whose target is not ignore_index
    nll_mean: np.ndarray  # cross_entropy(x, y, weight=w) = numerator / denominator, ()
    softmax: np.ndarray  # softmax(x, 1), (N, C)


@dataclass(frozen=True)
class SmoothingView:
    """What ε and the reduction change: the loss, its gradient, and the mean four ways (float64)."""

    loss: np.ndarray  # cross_entropy(x, y, weight=w, reduction=…, label_smoothing=ε): () or (N,)
    loss_none: np.ndarray  # the same with reduction="none", (N,)
    grad: np.ndarray  # ∂loss/∂x, (N, C)
    mean_index_w: np.ndarray  # index targets, weighted mean, ()
    mean_index: np.ndarray  # index targets, no weights, ()
    mean_onehot_w: np.ndarray | float  # one-hot rows of the kept samples, weighted (÷ N, not Σ w[y_n]); NaN if none
    mean_onehot: np.ndarray | float  # one-hot rows of the kept samples, no weights; NaN if none


@dataclass(frozen=True)
class BatchView:
    """A batch through weighted CE: :func:`weighted_terms` and :func:`smoothing_view` together."""

    terms: WeightedTerms  # depends on the batch only
    smoothing: SmoothingView  # depends on ε and the reduction too


class Tasks(NamedTuple):
    """The page's tasks, each achieved in this state or not (the page records them by name: ``_asdict()``)."""

    t1: bool  # every target ignored
    t2: bool  # three equal, positive class weights, with a sample counted
    t3: bool  # ε = 1


def batch_view(logits, targets, weight, *, reduction: str = "mean", label_smoothing: float = 0.0) -> BatchView:
    """A batch through weighted CE, with the weighted mean written out term by term:
    :func:`weighted_terms` and :func:`smoothing_view` in one view."""
    return BatchView(
        weighted_terms(logits, targets, weight),
        smoothing_view(logits, targets, weight, reduction=reduction, label_smoothing=label_smoothing),
    )


def _batch_arrays(logits, targets, weight):
    """(logits, targets, class weights, samples not ignored) as float64 / int64 / float64 / bool arrays."""
    t = np.asarray(targets, dtype=np.int64)
    return np.asarray(logits, dtype=np.float64), t, np.asarray(weight, dtype=np.float64), t != IGNORE


def weighted_terms(logits, targets, weight) -> WeightedTerms:
    """The weighted mean written out term by term (no label smoothing, no reduction choice).

    ``l_n = -log softmax(x_n)[y_n]`` (unweighted); ``mean = Σ w[y_n] l_n / Σ w[y_n]`` over
    samples whose target is not ``ignore_index``. Depends on the batch only, so a page
    computes it once per batch, not on every step of ε or the reduction.
    """
    x, t, w, keep = _batch_arrays(logits, targets, weight)
    safe = np.where(keep, t, 0)
    lsm = F.log_softmax(x)
    nll = np.where(keep, -lsm[np.arange(t.size), safe], np.nan)
    w_y = np.where(keep, w[safe], np.nan)
    return WeightedTerms(
        keep=keep,
        nll=nll,
        w_y=w_y,
        contrib=w_y * nll,
        numerator=float(np.sum(np.where(keep, w_y * nll, 0.0))),
        denominator=float(np.sum(np.where(keep, w_y, 0.0))),
        n_kept=int(np.sum(keep)),
        nll_mean=F.cross_entropy(x, t, weight=w),
        softmax=F.softmax(x),
    )


def smoothing_view(logits, targets, weight, *, reduction: str = "mean", label_smoothing: float = 0.0) -> SmoothingView:
    """What ε and the reduction change: the loss, its gradient, and the mean four ways (index or
    one-hot probability targets, with and without weights; the one-hot rows drop ignored
    samples, and their mean divides by N instead of Σ w[y_n])."""
    x, t, w, keep = _batch_arrays(logits, targets, weight)
    kw = {"label_smoothing": label_smoothing}
    loss = F.cross_entropy(x, t, weight=w, reduction=reduction, **kw)
    if keep.any():
        hot = np.eye(x.shape[1])[t[keep]]
        mean_onehot_w = F.cross_entropy(x[keep], hot, weight=w, **kw)
        mean_onehot = F.cross_entropy(x[keep], hot, **kw)
    else:
        mean_onehot_w = mean_onehot = np.float64(np.nan)
    return SmoothingView(
        loss=loss,
        loss_none=F.cross_entropy(x, t, weight=w, reduction="none", **kw),
        grad=F.cross_entropy_grad(x, t, weight=w, reduction=reduction, **kw),
        mean_index_w=loss if reduction == "mean" else F.cross_entropy(x, t, weight=w, **kw),
        mean_index=F.cross_entropy(x, t, **kw),
        mean_onehot_w=mean_onehot_w,
        mean_onehot=mean_onehot,
    )


def weighted_mean_formula(w_y, nll, keep) -> tuple[str, str]:
    """``("(w1·l1 + …) / (w1 + …)", "(0.5·1.2 + …) / (0.5 + …)")``: the mean, symbols and numbers.

    Ignored samples are left out of both sums; an empty sum is written ``0``.

    >>> weighted_mean_formula([2.0, 1.0], [0.5, 0.25], [True, False])
    ('(w[y₁]·l₁) / (w[y₁])', '(2·0.5) / (2)')
    """
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    idx = [i for i, k in enumerate(keep) if k]
    if not idx:
        return "0 / 0", "0 / 0"
    n = [str(i + 1).translate(sub) for i in idx]
    sym = "(" + " + ".join(f"w[y{k}]·l{k}" for k in n) + ") / (" + " + ".join(f"w[y{k}]" for k in n) + ")"
    num = "(" + " + ".join(f"{fmt.cell(w_y[i], 4)}·{fmt.cell(nll[i], 4)}" for i in idx) + ")"
    den = "(" + " + ".join(fmt.cell(w_y[i], 4) for i in idx) + ")"
    return sym, f"{num} / {den}"


def smoothed_target(index: int, n_classes: int, eps: float) -> np.ndarray:
    """(1 - ε)·onehot + ε/C: the target label smoothing trains toward (no weights).

    A negative ε acts as 0, as in torch.
    """
    e = max(float(eps), 0.0)
    return (1.0 - e) * onehot(index, n_classes) + e / n_classes


def entropy(target) -> float:
    """H(t) = −Σ_c t_c·log t_c (0·log 0 = 0): the smallest cross-entropy any logits reach
    against the probability row ``t`` (0 for a one-hot row).

    >>> round(entropy([0.5, 0.5]), 6)
    0.693147
    """
    t = np.asarray(target, dtype=np.float64)
    return float(-np.sum(np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0)))


def tasks_done(weight, eps: float, n_kept: int) -> Tasks:
    """The page's tasks, achieved in this state: t1 every target ignored; t2 three equal, positive
    class weights with a sample counted (an equal weight of 0 makes the mean 0/0 = NaN, not the
    plain mean); t3 ε = 1."""
    w = [float(a) for a in weight]
    return Tasks(t1=n_kept == 0, t2=n_kept > 0 and w[0] > 0 and w[0] == w[1] == w[2], t3=float(eps) >= 1.0)


def code(logits, targets, weight, reduction: str, eps: float) -> str:
    """The page's view as a torch snippet: the loss at the reduction and ε, per sample, and the
    weighted one-hot route (the kept samples' rows as probability targets)."""
    x = np.array(logits)
    smoothing = f"label_smoothing={float(eps)!r}"
    return (
        "import torch\nimport torch.nn.functional as F\n"
        + codegen.tensor("x", x, "float64") + "\n"
        + codegen.tensor("y", np.array(targets)) + "\n"
        + codegen.tensor("w", np.array(weight), "float64") + "\n"
        + f"print(F.cross_entropy(x, y, weight=w, reduction={reduction!r}, {smoothing}).tolist())\n"
        + f"print('reduction=none', F.cross_entropy(x, y, weight=w, reduction='none', {smoothing}).tolist())\n"
        + f"keep = y != {IGNORE}\n"
        + f"onehot = F.one_hot(y[keep], {x.shape[1]}).double()\n"
        + f"print('one-hot route, weighted mean', F.cross_entropy(x[keep], onehot, weight=w, {smoothing}).item())"
    )
