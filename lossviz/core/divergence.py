"""NLLLoss and KLDivLoss, mirrored on ``torch.nn.functional`` (torch 2.13, CPU), in numpy.

Both take LOG-probabilities as ``input`` (``log_softmax`` output, see
:func:`lossviz.core.activations.log_softmax_grad` for its gradient). As in
:mod:`lossviz.core.functional`, ``<loss>_grad`` beside each loss is the gradient of the reduced
loss (of its sum for ``reduction="none"``) with respect to ``input``, as autograd returns it, and
arrays keep their dtype (16-bit types computed in float32 and rounded back, as torch's CPU kernels).
Re-exported by :mod:`lossviz.core.functional`.
"""

from __future__ import annotations

import warnings

import numpy as np

from lossviz.core import _checks
from lossviz.core.activations import WIDE
from lossviz.core.dtypes import opmath, reduce_loss, round_to
from lossviz.core.errors import LossRuntimeError

# torch 2.13's own UserWarning for kl_div(..., reduction="mean"), word for word (torch/nn/functional.py)
KL_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release."
)
_CASCADE_LEVELS = 8  # ATen LossNLL.cpp: cascaded summation, 8 levels


# ------------------------------------------------------------ NLLLoss ----


def _nll_parts(input, target, weight, ignore_index):
    """Per-target pieces shared by loss and gradient, each rounded as torch's kernel rounds it."""
    xl, t, w, n_classes = _checks.nll_inputs(input, target, weight, ignore_index)
    dt = xl.dtype
    single = xl.ndim == 1 and t.ndim == 1  # a (1,) target for 1-D input: torch's forward reads it as ()
    t = t.reshape(()) if single else t
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    picked = np.take_along_axis(xl, safe[..., None], -1)[..., 0]  # x[n, y_n], in the input's dtype
    w_t = np.ones(t.shape, dt) if w is None else w[safe]
    with np.errstate(invalid="ignore", over="ignore"):
        loss = round_to(-(picked.astype(WIDE) * w_t.astype(WIDE)), dt)  # -w[y_n] x[n, y_n], one rounding
    loss = np.where(keep, loss, dt.type(0))
    w_t = np.where(keep, w_t, dt.type(0))
    return xl, t, keep, loss, w_t, w is not None, single


def _cascade_sum(values: np.ndarray, keep: np.ndarray) -> np.generic:
    """Σ of the kept ``values`` as torch's nll_loss kernel adds them: in their own dtype, element by
    element, partial sums carried one level up every 16 elements (ATen ``LossNLL.cpp``)."""
    dt = values.dtype.type
    n = values.size
    power = max(4, int(np.ceil(np.log2(n))) // _CASCADE_LEVELS if n > 1 else 0)
    mask = (1 << power) - 1
    partial = [dt(0)] * _CASCADE_LEVELS
    with np.errstate(invalid="ignore", over="ignore"):
        for i, (v, k) in enumerate(zip(values.ravel(), keep.ravel(), strict=True)):
            if not k:
                continue  # an ignored position does not move the cascade
            partial[0] = dt(partial[0] + v)
            for j in range(_CASCADE_LEVELS - 1):
                if i & (mask << (j * power)):
                    break
                partial[j + 1], partial[j] = dt(partial[j + 1] + partial[j]), dt(0)
        total = dt(0)
        for p in partial:
            total = dt(total + p)
    return total


def _total_weight(w_t, keep, weighted: bool):
    """The mean's denominator: Σ w[y_n] (cascaded) with a weight, else the count of kept targets."""
    return _cascade_sum(w_t, keep) if weighted else w_t.dtype.type(int(keep.sum()))


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean") -> np.ndarray:
    """NLLLoss on log-probabilities; class dim 1 (0 for 1-D input).

    ``l_n = -w[y_n] x_{n, y_n}``; ``mean`` = Σ l_n / Σ w[y_n] over targets that are not
    ``ignore_index`` — a weighted mean, so ``nll_loss(log_softmax(x), y)`` is exactly
    ``cross_entropy(x, y)``. Ignored targets give 0; all ignored: ``mean`` is NaN, ``sum`` 0
    (pytorch issue 70348). The input is not checked to be log-probabilities: feeding
    probabilities or logits runs silently (the softmax-then-NLL mistake). Sums run in the input's
    dtype as torch's kernel adds them: in float16, 4000 targets of -ln 2 sum to 2778, not 2772.59.

    Args:
        input: log-probabilities (C), (N, C) or (N, C, d1..dk).
        target: class indices (int64 or uint8) of shape (), (N) or (N, d1..dk); a (1,) target
            for 1-D input is accepted by the forward only, as torch.
        weight: (C,) class weights (torch accepts any C elements for K-dim input).
        ignore_index: the target value that contributes nothing.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Returns:
        (N, d1..dk) for ``"none"`` (() for 1-D input), else a 0-d array; ``input``'s dtype.

    Raises:
        LossIndexError: a target outside [0, C) that is not ``ignore_index``.
        LossRuntimeError: target dtype or size, weight size (torch's messages per input rank).
        LossValueError: 0-d input, batch size mismatch, unknown reduction.

    >>> float(nll_loss([[-0.5, -1.0], [-2.0, -0.25]], [1, 1]))  # (1.0 + 0.25) / 2
    0.625
    """
    _checks.check_reduction(reduction)
    xl, t, keep, loss, w_t, weighted, _ = _nll_parts(input, target, weight, ignore_index)
    if reduction == "none":
        return loss
    total = _cascade_sum(loss, keep)
    if reduction == "sum":
        return np.asarray(total)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(total / _total_weight(w_t, keep, weighted))  # 0/0 = NaN when all are ignored


def nll_loss_grad(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean") -> np.ndarray:
    """d loss / d input for :func:`nll_loss`: ``-w[y_n]`` at ``(n, y_n)`` (÷ Σ w[y] for mean), 0 elsewhere.

    Ignored targets get 0. When Σ w[y] = 0 (weights of 0) the mean's gradient is 0·inf = NaN, as torch.
    Raises torch's backward error for a (1,) target with 1-D input. Same shape as ``input``.
    """
    _checks.check_reduction(reduction)
    xl, t, keep, _, w_t, weighted, single = _nll_parts(input, target, weight, ignore_index)
    dt = xl.dtype.type
    if single:  # torch's backward rejects what its forward accepted
        raise LossRuntimeError("grad_1d_target", f"size mismatch (got input: {list(xl.shape)}, target: [1])")
    scale = dt(1)
    if reduction == "mean":
        with np.errstate(divide="ignore"):
            scale = dt(scale / _total_weight(w_t, keep, weighted))  # grad_output / total_weight, rounded
    with np.errstate(invalid="ignore", over="ignore"):
        per_target = np.where(keep, round_to(-(w_t.astype(WIDE) * WIDE(scale)), xl.dtype), dt(0))
    onehot = np.arange(xl.shape[-1]) == np.where(keep, t, -1)[..., None]
    g = np.where(onehot, per_target[..., None], dt(0)).astype(xl.dtype)
    return g if xl.ndim <= 2 else np.moveaxis(g, -1, 1)


# ---------------------------------------------------------- KLDivLoss ----


def _kl_pointwise(x: np.ndarray, y: np.ndarray, log_target: bool) -> np.ndarray:
    """torch's two tensor ops, each rounded to the dtype: ``xlogy(y, y) - y·x`` or ``exp(y)·(y - x)``."""
    dt, om = x.dtype, opmath(x.dtype)

    def r(a):
        return round_to(a, dt).astype(om)

    xo, yo = x.astype(WIDE), y.astype(WIDE)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if log_target:
            return round_to(r(np.exp(yo)) * r(yo - xo), dt)
        xlogy = np.where(yo == 0, 0.0, yo * np.log(yo))  # xlogy(0, 0) = 0: zero targets add nothing
        xlogy = np.where(np.isnan(yo), np.nan, xlogy)
        return round_to(r(xlogy) - r(yo * xo), dt)


def kl_div(input, target, reduction: str = "mean", log_target: bool = False) -> np.ndarray:
    """KLDivLoss: ``input`` is log-probabilities log q; ``target`` is p (or log p with ``log_target``).

    ``l = p (log p - log q)``, with ``xlogy`` so p = 0 contributes 0 (but a log q of -inf there
    gives 0·inf = NaN, as torch); with ``log_target=True``: ``l = exp(t) (t - log q)``, where
    t = -inf gives 0·inf = NaN. Input and target broadcast. Reductions: ``"batchmean"`` =
    Σ l / input.shape[0] (KL(p‖q) per sample, the definition); ``"mean"`` = Σ l / numel
    divides by the classes too and warns as torch does (:data:`KL_MEAN_WARNING`;
    docs: ``torch.nn.KLDivLoss``); ``"sum"``; ``"none"``. Targets are not validated.

    Args:
        input: log-probabilities, any shape (floating). target: broadcastable, floating.
        reduction: ``"none"`` | ``"batchmean"`` | ``"sum"`` | ``"mean"``.
        log_target: whether ``target`` holds log-probabilities.

    Returns:
        The broadcast shape for ``"none"``, else a 0-d array; ``input``'s dtype.

    Raises:
        LossRuntimeError: integer input or target, shapes that do not broadcast.
        LossValueError: unknown reduction.

    Differs from PyTorch: the target is cast to the input's dtype; torch promotes the pair
    (a float32 input with a float64 target gives a float64 loss there).

    >>> round(float(kl_div(np.log([0.5, 0.5]), [0.25, 0.75], reduction="sum")), 6)  # KL(p‖q)
    0.130812
    """
    x, y, _ = _checks.kl_div_inputs(input, target, reduction)
    if reduction == "mean":
        warnings.warn(KL_MEAN_WARNING, UserWarning, stacklevel=2)
    loss = _kl_pointwise(x, y, log_target)
    if reduction != "batchmean":
        return reduce_loss(loss, reduction, x.dtype)
    total = reduce_loss(loss, "sum", x.dtype)
    if x.ndim == 0:
        return total  # torch divides by input.size(0) only when input has a dimension
    with np.errstate(invalid="ignore", divide="ignore"):
        return round_to(total.astype(opmath(x.dtype)) / opmath(x.dtype).type(x.shape[0]), x.dtype)


def kl_div_grad(input, target, reduction: str = "mean", log_target: bool = False) -> np.ndarray:
    """d loss / d input for :func:`kl_div`: ``-p`` (``-exp(t)`` with ``log_target``), ÷ numel for
    ``"mean"``, ÷ input.shape[0] for ``"batchmean"``; summed over broadcast dimensions back to
    ``input``'s shape. Does not depend on ``input``: even where the loss is NaN the gradient is finite.
    """
    x, y, shape = _checks.kl_div_inputs(input, target, reduction)
    dt, om = x.dtype, opmath(x.dtype)
    scale = om.type(1)
    numel = int(np.prod(shape))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if reduction == "mean":
            scale = round_to(om.type(1) / om.type(numel), dt).astype(om)
        elif reduction == "batchmean" and x.ndim:
            scale = round_to(om.type(1) / om.type(x.shape[0]), dt).astype(om)
        p = round_to(np.exp(y.astype(WIDE)), dt) if log_target else y
        g = -round_to(np.broadcast_to(p, shape).astype(om) * scale, dt).astype(WIDE)
        extra = len(shape) - x.ndim
        g = g.sum(axis=tuple(range(extra))) if extra else g
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1 and g.shape[i] != 1)
        g = g.sum(axis=axes, keepdims=True) if axes else g
    return round_to(g, dt)
