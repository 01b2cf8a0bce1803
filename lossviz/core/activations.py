"""The activations the losses are built from, stable, in torch's arithmetic: sigmoid, log σ, softplus,
logsumexp, softmax, log_softmax, and σ's inverse, logit. Re-exported by :mod:`lossviz.core.functional`
(``F.sigmoid``), as ``torch.nn.functional`` has them beside the losses."""

from __future__ import annotations

import numpy as np

from lossviz.core.dtypes import as_floating, opmath, round_to

# Each kernel is computed in float64 and rounded once to the input's dtype: the correctly
# rounded result, within an ulp of torch's. Only sigmoid and the naive forms compute in
# torch's own opmath (float32 below float64), because their failures come from that rounding.
WIDE = np.float64


def _exp_opmath(x: np.ndarray) -> np.ndarray:
    """exp(x) rounded once to torch's opmath dtype, as glibc's ``expf`` (and, within an ulp,
    torch's vectorised exp) returns it; numpy's own float32 exp is off by an ulp for ~40 % of inputs.
    """
    return round_to(np.exp(x.astype(WIDE)), opmath(x.dtype))


def sigmoid(input, *, dtype=None) -> np.ndarray:
    """σ(x) = 1 / (1 + exp(-x)), computed as torch does (it never overflows to NaN).

    In float32 σ(x) rounds to exactly 1.0 from x ≈ 16.6355 (24·ln 2) and to 0 below
    x ≈ -88.72, where exp(-x) overflows; torch returns the same numbers.

    >>> float(sigmoid(0.0))
    0.5
    """
    x = as_floating(input, dtype)
    with np.errstate(over="ignore"):
        return round_to(1.0 / (1.0 + _exp_opmath(-x)), x.dtype)  # each op rounded to opmath


def log_sigmoid(input, *, dtype=None) -> np.ndarray:
    """log σ(x), stable: never -inf for finite x.

    >>> float(log_sigmoid(-1000.0))
    -1000.0
    """
    x = as_floating(input, dtype)
    xo = x.astype(WIDE)
    return round_to(-np.logaddexp(0.0, -xo), x.dtype)  # log σ(x) without overflow


def softplus(input, *, dtype=None) -> np.ndarray:
    """softplus(x) = log(1 + exp(x)) = -log σ(-x), stable."""
    x = as_floating(input, dtype)
    xo = x.astype(WIDE)
    return round_to(np.logaddexp(0.0, xo), x.dtype)


def logsumexp(input, dim: int = -1, *, dtype=None) -> np.ndarray:
    """log Σ exp(x) along ``dim`` with the max shift; an infinite max is not subtracted (as torch).

    >>> float(logsumexp([1000.0, 1000.0]))  # doctest: +ELLIPSIS
    1000.693147...
    """
    x = as_floating(input, dtype)
    xo = x.astype(WIDE)
    m = xo.max(axis=dim, keepdims=True)
    m = np.where(np.isinf(m), 0.0, m)  # torch: do not shift by ±inf
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(np.exp(xo - m).sum(axis=dim, keepdims=True)) + m
    return round_to(np.squeeze(out, axis=dim), x.dtype)


def softmax(input, dim: int = -1, *, dtype=None) -> np.ndarray:
    """softmax along ``dim``, with the max shift: exp(x - max) / Σ exp(x - max).

    >>> softmax([0.0, 0.0]).tolist()
    [0.5, 0.5]
    """
    x = as_floating(input, dtype)
    xo = x.astype(WIDE)
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(xo - xo.max(axis=dim, keepdims=True))
        return round_to(e / e.sum(axis=dim, keepdims=True), x.dtype)


def log_softmax(input, dim: int = -1, *, dtype=None) -> np.ndarray:
    """log softmax along ``dim``: (x - max) - log Σ exp(x - max)."""
    x = as_floating(input, dtype)
    xo = x.astype(WIDE)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        shifted = xo - xo.max(axis=dim, keepdims=True)
        return round_to(shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True)), x.dtype)


def log_softmax_grad(input, grad_output, dim: int = -1, *, dtype=None) -> np.ndarray:
    """The gradient of ``log_softmax(input, dim)`` given the upstream gradient ``grad_output``:
    ``g - softmax(x) Σ_dim g``, as torch's backward computes it from the saved output y
    (``g - exp(y) Σ g``). For NLL's upstream gradient -w[y]·onehot it is ``w[y] (softmax(x) - onehot)``,
    cross_entropy's gradient.

    >>> log_softmax_grad([0.0, 0.0], [-1.0, 0.0]).tolist()  # NLL of class 0 through log_softmax
    [-0.5, 0.5]
    """
    x = as_floating(input, dtype)
    y = log_softmax(x, dim).astype(WIDE)  # the saved output, in the input's dtype
    g = np.asarray(grad_output, dtype=WIDE)
    with np.errstate(invalid="ignore", over="ignore"):
        return round_to(g - np.exp(y) * g.sum(axis=dim, keepdims=True), x.dtype)


def _logit_bounds(x: np.ndarray, eps: float | None) -> tuple[np.ndarray, np.ndarray] | None:
    """torch.logit's clamp range [eps, 1 − eps], both rounded to the input's dtype; None without eps
    (torch passes a missing eps to its kernel as −1, and any eps < 0 means "do not clamp")."""
    if eps is None or eps < 0:
        return None
    lo = round_to(np.asarray(eps, dtype=WIDE), x.dtype)
    hi = round_to(1.0 - lo.astype(WIDE), x.dtype)  # 1 − eps rounded: float32 logit(1, eps=1e-6) is 13.8023
    return lo, hi


def logit(input, eps: float | None = None, *, dtype=None) -> np.ndarray:
    """logit(p) = log(p / (1 − p)), the log-odds: σ's inverse, as ``torch.logit``.

    Without ``eps`` p = 0 gives −inf, p = 1 +inf and p outside [0, 1] NaN. With ``eps`` p is first
    clamped, ``p < eps → eps``, ``p > 1 − eps → 1 − eps`` (NaN kept; for eps > 0.5 the two bounds cross
    and torch's order of tests decides), so p = 0 and 1 give finite logits. ``eps < 0`` is no eps.
    p / (1 − p) is rounded in torch's opmath before the log, as torch's kernel computes it.

    Differs from PyTorch: an integer input gives float64 (torch: float32), as everywhere in lossviz.core.

    >>> float(logit(0.5)), float(logit(0.0)), round(float(logit(0.0, eps=1e-6)), 4)
    (0.0, -inf, -13.8155)
    """
    x = as_floating(input, dtype)
    ow = opmath(x.dtype)
    xo = x.astype(ow)
    bounds = _logit_bounds(x, eps)
    if bounds is not None:
        lo, hi = (b.astype(ow) for b in bounds)
        xo = np.where(xo < lo, lo, np.where(xo > hi, hi, xo))  # torch's order: a NaN fails both tests
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.asarray(xo / (ow.type(1) - xo), dtype=ow)  # p / (1 − p) in opmath: inf at p = 1
        return round_to(np.log(odds.astype(WIDE)), x.dtype)  # log of it, rounded once


def logit_grad(input, eps: float | None = None, *, dtype=None) -> np.ndarray:
    """The gradient of ``logit(input, eps).sum()``: 1 / (p(1 − p)), as torch's ``logit_backward``.

    Without ``eps``: +inf at p = 0 and p = 1, NaN outside [0, 1]. With ``eps``: 0 where p was clamped
    (p < eps or p > 1 − eps), so a clamped probability gets no gradient.

    Differs from PyTorch: a NaN input's gradient with ``eps`` is NaN here; torch 2.13 gives 0 or NaN
    depending on the dtype and on where the element falls (vectorised body or scalar tail).

    >>> logit_grad([0.5, 0.0, 1.5]).tolist(), logit_grad([0.0, 0.5], eps=1e-6).tolist()
    ([4.0, inf, nan], [0.0, 4.0])
    """
    x = as_floating(input, dtype)
    ow = opmath(x.dtype)
    xo = x.astype(ow)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.asarray(ow.type(1) / (xo * (ow.type(1) - xo)), dtype=ow)
    bounds = _logit_bounds(x, eps)
    if bounds is None:
        g = np.where((xo < 0) | (xo > 1), np.nan, g)
    else:
        lo, hi = (b.astype(ow) for b in bounds)
        g = np.where((xo < lo) | (xo > hi), 0.0, g)
    with np.errstate(over="ignore"):
        return round_to(g, x.dtype)  # float16: 1 / (p(1 − p)) above 65504 is inf, as in torch
