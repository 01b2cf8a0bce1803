"""The activations the losses are built from, stable, in torch's arithmetic: sigmoid, log σ, softplus,
logsumexp, softmax, log_softmax. Re-exported by :mod:`lossviz.core.functional` (``F.sigmoid``), as
``torch.nn.functional`` has them beside the losses."""

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
