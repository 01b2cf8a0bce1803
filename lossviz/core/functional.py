"""The three losses, mirrored on ``torch.nn.functional`` (torch 2.13, CPU), in numpy.

Names, keywords, broadcasting, reductions and errors follow torch. Beside each loss sits
``<loss>_grad`` with the same arguments: the analytic gradient of the reduced loss with
respect to ``input`` (for ``reduction="none"``, the gradient of its sum), as autograd
would return it. Deliberately naive forms are named ``naive_*`` so lessons can show them
failing; nothing here quietly clips a number to hide a failure.

Arrays keep their dtype: float64 by default, float32/float16/bfloat16 to reproduce what
torch does in those dtypes (16-bit types are computed in float32 and rounded back, as
torch's CPU kernels do).
"""

from __future__ import annotations

import numpy as np

from lossviz.core import _checks
from lossviz.core.activations import (  # noqa: F401 - part of this module's API, as in torch.nn.functional
    WIDE,
    _exp_opmath,
    log_sigmoid,
    log_softmax,
    log_softmax_grad,
    logit,
    logit_grad,
    logsumexp,
    sigmoid,
    softmax,
    softplus,
)
from lossviz.core.divergence import kl_div, kl_div_grad, nll_loss, nll_loss_grad  # noqa: F401 - API, as torch
from lossviz.core.dtypes import as_floating, opmath, round_to
from lossviz.core.dtypes import reduce_loss as _reduce
from lossviz.core.regression import mse_loss, mse_loss_grad  # noqa: F401 - part of this module's API

REDUCTIONS = _checks.REDUCTIONS
LOG_CLAMP = -100.0  # BCELoss clamps each log at -100 (torch docs, BCELoss)
# torch's binary_cross_entropy_backward divides by max(x(1-x), EPS), with EPS a C++ float
# constant (`constexpr float EPSILON = 1e-12`): 1e-12 rounded to float32, also in float64.
BCE_GRAD_EPS = float(np.float32(1e-12))


def _scale_for(reduction: str, numel: int) -> float:
    """d(reduced)/d(element) for an unweighted mean or a sum."""
    return 1.0 / numel if reduction == "mean" and numel else 1.0


# ---------------------------------------------------------- naive forms ----


def naive_log_sigmoid(input, *, dtype=None) -> np.ndarray:
    """log(sigmoid(x)) in two steps: -inf once σ(x) underflows to 0 (x ≤ -88.72 in float32)."""
    s = sigmoid(input, dtype=dtype)
    with np.errstate(divide="ignore"):
        return round_to(np.log(s.astype(opmath(s.dtype))), s.dtype)


def naive_log1m_sigmoid(input, *, dtype=None) -> np.ndarray:
    """log(1 - sigmoid(x)) in two steps: -inf once σ(x) rounds to 1 (x ≥ 16.6355 in float32)."""
    s = sigmoid(input, dtype=dtype)
    with np.errstate(divide="ignore"):
        return round_to(np.log1p(-s.astype(opmath(s.dtype))), s.dtype)


def naive_softmax(input, dim: int = -1, *, dtype=None) -> np.ndarray:
    """``torch.exp(x) / torch.exp(x).sum(dim, keepdim=True)``: softmax WITHOUT the max shift, op by op.

    Each step is a tensor of x's dtype: the exps, their sum (rounded to the dtype), the quotient.
    So it fails three ways: inf / inf = NaN once an exp overflows, 0 / 0 = NaN once every exp
    underflows, and silently all zeros (x / inf) once only the sum overflows (float16
    [10.5, 10.5, 1]: 72630 > 65504; float32 [88.5, 88.5, 1]).

    Differs from PyTorch: the sum is added up in float64 and rounded once; torch's vectorised sum
    adds in an order that depends on the CPU, so float32 and float64 rows can differ from torch's
    in the last bits (the 16-bit types agree exactly).
    """
    x = as_floating(input, dtype)
    op = opmath(x.dtype)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = round_to(_exp_opmath(x), x.dtype)
        total = round_to(round_to(e.astype(np.float64).sum(axis=dim, keepdims=True), op), x.dtype)  # torch.exp(x).sum()
        return round_to(e.astype(op) / total.astype(op), x.dtype)


def naive_bce_from_logits(input, target, weight=None, reduction: str = "mean") -> np.ndarray:
    """``binary_cross_entropy(sigmoid(input), target)``: the route BCEWithLogitsLoss replaces.

    Exact until σ(x) rounds to 0 or 1; then log(0) is clamped to -100 and the loss jumps
    to 100 (float32: from ≈15.94 at x = 16.6 to 100 at x ≥ 16.6355). pytorch issue 751.
    """
    return binary_cross_entropy(sigmoid(input), target, weight, reduction)


def naive_bce_from_logits_grad(input, target, weight=None, reduction: str = "mean") -> np.ndarray:
    """Autograd's gradient of :func:`naive_bce_from_logits` w.r.t. the logits.

    Chain rule as torch runs it: BCE backward, then sigmoid backward g·(1-σ)·σ.
    Where σ saturates that factor is exactly 0, so the gradient vanishes although the
    loss is 100.
    """
    s = sigmoid(input)
    g = binary_cross_entropy_grad(s, target, weight, reduction)
    so = s.astype(opmath(s.dtype))
    with np.errstate(invalid="ignore", over="ignore"):  # inf·0 = NaN is torch's answer too (float16)
        return round_to(g.astype(opmath(s.dtype)) * (1.0 - so) * so, s.dtype)


# ------------------------------------------------------------ BCELoss ----


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean") -> np.ndarray:
    """BCELoss on probabilities, with torch's log clamp at -100.

    ``l_n = -w_n [ y_n · max(log x_n, -100) + (1 - y_n) · max(log(1 - x_n), -100) ]``;
    ``mean`` = Σ w_n l_n / numel (weights are not normalised).

    Args:
        input: probabilities in [0, 1], any shape.
        target: same shape, floating, in [0, 1] (soft targets allowed).
        weight: broadcasts against ``target`` from the right.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Returns:
        The loss: ``input``'s shape for ``"none"``, else a 0-d array; ``input``'s dtype.

    Raises:
        LossRuntimeError: input or target outside [0, 1] or NaN (torch: RuntimeError).
        LossValueError: sizes differ or unknown reduction (torch: ValueError).

    >>> float(binary_cross_entropy(0.0, 1.0))  # log(0) is clamped: BCE(0, 1) = 100
    100.0
    """
    _checks.check_reduction(reduction)
    x, y, w = _checks.bce_inputs(input, target, weight)
    xo, yo = x.astype(WIDE), y.astype(WIDE)
    r = lambda a: round_to(a, x.dtype).astype(WIDE)  # noqa: E731 torch rounds each op
    with np.errstate(divide="ignore"):
        log_x = r(np.maximum(r(np.log(xo)), LOG_CLAMP))
        log_1mx = r(np.maximum(r(np.log1p(-xo)), LOG_CLAMP))
    loss = r(r((yo - 1.0) * log_1mx) - r(yo * log_x))  # clamp before multiplying: 0·(-100) = 0
    if w is not None:
        loss = r(loss * w.astype(WIDE))
    return _reduce(loss, reduction, x.dtype)


def binary_cross_entropy_grad(input, target, weight=None, reduction: str = "mean") -> np.ndarray:
    """d loss / d input for :func:`binary_cross_entropy`: ``w (x - y) / max(x (1 - x), 1e-12)``.

    Not clamped like the forward: at x = 0, y = 1 the gradient is ≈ -1e12 (÷ numel for mean).
    """
    _checks.check_reduction(reduction)
    x, y, w = _checks.bce_inputs(input, target, weight)
    xo, yo = x.astype(WIDE), y.astype(WIDE)
    scale = _scale_for(reduction, x.size)
    eps = float(round_to(np.asarray(BCE_GRAD_EPS), x.dtype))  # the C++ constant in scalar_t: 0 in float16
    with np.errstate(divide="ignore", invalid="ignore"):  # float16: 0/0 = NaN where x(1-x) = 0, as torch
        g = scale * (xo - yo) / np.maximum((1.0 - xo) * xo, eps)
    if w is not None:
        g = g * w.astype(WIDE)
    return round_to(g, x.dtype)


# -------------------------------------------------- BCEWithLogitsLoss ----


def binary_cross_entropy_with_logits(
    input, target, weight=None, reduction: str = "mean", pos_weight=None
) -> np.ndarray:
    """BCEWithLogitsLoss on logits, in the stable form torch ≥ 2.3 uses.

    ``l_n = w_n [ (1 - y_n) x_n - (1 + (p - 1) y_n) log σ(x_n) ]``, the same as
    ``-w_n [ p y_n log σ(x_n) + (1 - y_n) log(1 - σ(x_n)) ]``; ``mean`` = Σ/numel.

    Targets are NOT validated, exactly as torch: y = 2 or y = -1 is accepted and can give
    a negative loss (pytorch issues 123339, 110865). ``pos_weight`` multiplies the positive
    term only and broadcasts from the right (class dim last; (C, 1, 1) for NCHW).

    Args:
        input: logits, any shape. target: same shape. weight, pos_weight: broadcastable.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Returns:
        ``input``'s shape for ``"none"``, else a 0-d array, in ``input``'s dtype.

    >>> round(float(binary_cross_entropy_with_logits(0.5, 2.0)), 4)  # a target of 2: negative
    -0.0259
    """
    _checks.check_reduction(reduction)
    x, y, w, p = _checks.bce_with_logits_inputs(input, target, weight, pos_weight)
    if x.dtype != np.float64:
        return _reduce(_bce_with_logits_elements_low(x, y, w, p), reduction, x.dtype)
    ot = WIDE
    xo, yo = x.astype(ot), y.astype(ot)
    log_sig = -np.logaddexp(0.0, -xo)  # log σ(x) without overflow
    if p is not None:
        log_sig = log_sig * ((p.astype(ot) - 1.0) * yo + 1.0)
    with np.errstate(invalid="ignore"):
        loss = (1.0 - yo) * xo - log_sig
    if w is not None:
        loss = loss * w.astype(ot)
    return _reduce(loss, reduction, x.dtype)


def _bce_with_logits_elements_low(x, y, w, p) -> np.ndarray:
    """The elements of BCEWithLogitsLoss below float64, op by op as torch rounds them.

    torch computes ``(1 - y)·x − log σ(x)`` as tensor ops in the input's dtype, each result
    rounded to it (in float32 for the 16-bit dtypes). For y = 0 and x < 0 the subtraction cancels: at x = −12
    float32 gives 5.722046e-06 where the exact loss is 6.144193e-06, and a sum over many such
    elements is off by their sum. The lesson shows torch's numbers, so these are reproduced."""
    dt, om = x.dtype, opmath(x.dtype)

    def r(a):  # one torch op's result: rounded to the dtype, carried on in opmath
        return round_to(a, dt).astype(om)

    xo, yo = x.astype(om), y.astype(om)
    with np.errstate(over="ignore", invalid="ignore"):
        log_sig = log_sigmoid(x).astype(om)  # correctly rounded: torch's vectorized kernel is within an ulp
        if p is not None:
            log_sig = r(log_sig * r(r(r(p.astype(om) - om.type(1)) * yo) + om.type(1)))
        loss = r(r(r(om.type(1) - yo) * xo) - log_sig)
        if w is not None:
            loss = r(loss * w.astype(om))
    return loss


def binary_cross_entropy_with_logits_grad(
    input, target, weight=None, reduction: str = "mean", pos_weight=None
) -> np.ndarray:
    """d loss / d logits: ``w [ (p y + 1 - y) σ(x) - p y ]``; with p = 1 it is ``w (σ(x) - y)``."""
    _checks.check_reduction(reduction)
    x, y, w, p = _checks.bce_with_logits_inputs(input, target, weight, pos_weight)
    ot = WIDE
    yo = y.astype(ot)
    s = sigmoid(x).astype(ot)  # σ in the input's dtype, as torch's backward: exactly 1.0 at x ≥ 16.64 (float32)
    if p is None:
        g = s - yo
    else:
        py = p.astype(ot) * yo
        g = (py + 1.0 - yo) * s - py
    if w is not None:
        g = g * w.astype(ot)
    return round_to(g * _scale_for(reduction, x.size), x.dtype)


# --------------------------------------------------- CrossEntropyLoss ----


def _ce_parts(input, target, weight, ignore_index, label_smoothing):
    """Shared by loss and gradient: per-sample coefficients of the target distribution."""
    kind, xl, t, w, n_classes = _checks.cross_entropy_inputs(input, target, weight, ignore_index, label_smoothing)
    dtype = xl.dtype
    ot = WIDE
    xo = xl.astype(ot)
    wc = np.ones(n_classes, dtype=ot) if w is None else w.astype(ot)
    eps = max(float(label_smoothing), 0.0)  # a negative ε is silently treated as 0 (torch)
    return kind, xo, t, wc, w is not None, n_classes, eps, dtype


def cross_entropy(
    input,
    target,
    weight=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """CrossEntropyLoss on logits; class dim 1 (0 for 1-D input).

    Index targets (shape (), (N) or (N, d1..dk), integers):
    ``l_n = w[y_n] (logsumexp(x_n) - x_n[y_n])``; ``mean`` = Σ w[y_n] l_n / Σ w[y_n] over
    non-ignored n — a weighted mean; all ignored gives NaN (pytorch issue 70348).
    Probability targets (same shape as input): ``l_n = -Σ_c w_c y_nc log softmax(x_n)_c``,
    ``mean`` divides by N = numel / C (pytorch issue 11959); rows are not validated.
    Label smoothing ε: index targets ``(1-ε)·NLL + (ε/C)·Σ_c -w_c log p_c`` with NLL's
    normaliser; probability targets use ``y(1-ε) + ε/C`` (pytorch issue 104776).

    Returns:
        (N, d1..dk) for ``"none"`` (() for 1-D input), else a 0-d array; input's dtype.

    Raises:
        LossIndexError: a class index outside [0, C) that is not ``ignore_index``.
        LossRuntimeError: float index targets, ε > 1, bad weight or target size.
        LossValueError: batch size mismatch, unknown reduction.

    Differs from PyTorch: a (1,) target for 1-D input raises here (ValueError); torch's forward
    accepts it, but its backward and its weighted label smoothing then raise RuntimeError.

    >>> round(float(cross_entropy([0.8, 0.2, 0.4], 0)), 6)
    0.797116
    """
    _checks.check_reduction(reduction)
    kind, xo, t, wc, weighted, C, eps, dtype = _ce_parts(input, target, weight, ignore_index, label_smoothing)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        lsm = log_softmax(xo, -1)  # shifts by the max even when it is +inf: NaN row, as torch
        if kind == "prob":
            yo = t.astype(xo.dtype)
            if eps > 0:
                yo = yo * (1.0 - eps) + eps / C
            loss = -(lsm * yo * wc).sum(axis=-1)
            if reduction == "none":
                return round_to(loss, dtype)
            total = loss.sum()
            if reduction == "sum":
                return round_to(total, dtype)
            n = loss.size
            return round_to(total / n if n else np.nan, dtype)
        keep = t != ignore_index
        safe_t = np.where(keep, t, 0)
        w_t = np.where(keep, wc[safe_t], 0.0)
        # −x[y]·w[y] where kept, +0 where ignored: torch's nll_loss writes 0, not −0·w = −0
        nll = np.where(keep, -np.take_along_axis(lsm, safe_t[..., None], -1)[..., 0] * w_t, 0.0)
        smooth = np.where(keep, -(lsm * wc).sum(axis=-1), 0.0)
        if reduction == "none":
            out = nll if eps == 0 else (1.0 - eps) * nll + (eps / C) * smooth
            return round_to(out, dtype)
        if reduction == "sum":
            nll_r, smooth_r = nll.sum(), smooth.sum()
        else:
            denom = w_t.sum() if weighted else keep.sum()
            nll_r, smooth_r = nll.sum() / denom, smooth.sum() / denom
        out = nll_r if eps == 0 else (1.0 - eps) * nll_r + (eps / C) * smooth_r
        return round_to(out, dtype)


def cross_entropy_grad(
    input,
    target,
    weight=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """d loss / d logits: ``w[y] (softmax(x) - onehot(y))`` (÷ Σ w[y] for mean).

    With label smoothing (index targets): ``(1-ε) w[y](p - e_y) + (ε/C)(p Σ_c w_c - w)``.
    Probability targets: ``p Σ_c w_c y_c - w ∘ y`` (÷ N for mean). Same shape as ``input``.
    """
    _checks.check_reduction(reduction)
    kind, xo, t, wc, weighted, C, eps, dtype = _ce_parts(input, target, weight, ignore_index, label_smoothing)
    class_dim = 0 if np.ndim(input) == 1 else 1
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        p = softmax(xo, -1)
        if kind == "prob":
            yo = t.astype(xo.dtype)
            if eps > 0:
                yo = yo * (1.0 - eps) + eps / C
            wy = yo * wc
            g = p * wy.sum(axis=-1, keepdims=True) - wy
            if reduction == "mean":
                n = g.size // C
                g = g / n if n else g * np.nan
        else:
            keep = t != ignore_index
            safe_t = np.where(keep, t, 0)
            onehot = np.eye(C, dtype=xo.dtype)[safe_t]
            w_t = np.where(keep, wc[safe_t], 0.0)[..., None]
            scale = 1.0
            if reduction == "mean":
                scale = 1.0 / (w_t.sum() if weighted else keep.sum())  # inf when nothing counts
            # scale each part before adding, as autograd does: w[y]·(1/Σw) = 0·inf = NaN when Σw = 0
            g = (1.0 - eps) * (w_t * scale) * (p - onehot) + (eps / C) * scale * (p * wc.sum() - wc)
            g = np.where(keep[..., None], g, 0.0)  # ignored positions get exactly 0, even if the mean is NaN
    return round_to(g if class_dim == g.ndim - 1 else np.moveaxis(g, -1, class_dim), dtype)
