"""Run the same call in real torch: the live "checked against torch" on every page, and the
reference the tests compare :mod:`lossviz.core.functional` with.

``reference("binary_cross_entropy_with_logits", x, y, reduction="none")`` returns the
value and the gradient w.r.t. ``input`` from ``torch.nn.functional`` and
``torch.autograd.grad``, as numpy arrays of the input's dtype, or the error torch raised.
torch is imported lazily: importing :mod:`lossviz` stays cheap.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F
from lossviz.core.dtypes import name_of

LOSSES = ("binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div")
NAIVE = ("naive_bce_from_logits",)


@dataclass(frozen=True)
class Reference:
    """What torch returned: ``value`` and ``grad`` (None when it raised), or ``error``."""

    value: np.ndarray | None
    grad: np.ndarray | None
    error: BaseException | None = None

    @property
    def error_kind(self) -> str | None:
        return None if self.error is None else type(self.error).__name__


@functools.cache
def torch_module():
    import torch

    torch.set_num_threads(1)  # small tensors: threads only add latency beside the server
    return torch


def torch_version() -> str:
    return torch_module().__version__


def to_torch(a, dtype_name: str | None = None):
    """numpy (incl. ml_dtypes.bfloat16) → torch tensor, keeping the dtype."""
    torch = torch_module()
    arr = np.asarray(a)
    if arr.dtype.name == "bfloat16":
        return torch.from_numpy(np.array(arr, dtype=np.float32)).to(torch.bfloat16)
    if dtype_name is not None:
        return torch.from_numpy(np.array(arr, copy=True)).to(getattr(torch, dtype_name))
    return torch.from_numpy(np.array(arr, copy=True))


def to_numpy(t, like: np.dtype) -> np.ndarray:
    torch = torch_module()
    t = t.detach()
    if t.dtype == torch.bfloat16:
        return t.to(torch.float32).numpy().astype(like)
    return t.numpy().astype(like)


def reference(name: str, input, target, **kwargs) -> Reference:
    """Run ``torch.nn.functional.<name>`` (or the naive sigmoid→BCE route) and its gradient.

    The gradient is of the reduced loss (of its sum for ``reduction="none"``), as
    ``lossviz``'s ``*_grad`` functions return it.
    """
    torch = torch_module()
    x_np = np.asarray(input)
    if not (np.issubdtype(x_np.dtype, np.floating) or x_np.dtype.name == "bfloat16"):
        x_np = x_np.astype(np.float64)
    x = to_torch(x_np).clone().requires_grad_(True)
    t_np = np.asarray(target)
    target_t = to_torch(t_np)
    kw = {}
    for k, v in kwargs.items():
        kw[k] = to_torch(np.asarray(v, dtype=x_np.dtype)) if k in ("weight", "pos_weight") and v is not None else v
    try:
        if name == "naive_bce_from_logits":
            out = torch.nn.functional.binary_cross_entropy(torch.sigmoid(x), target_t, **kw)
        else:
            out = getattr(torch.nn.functional, name)(x, target_t, **kw)
        (g,) = torch.autograd.grad(out.sum(), x)
    except (RuntimeError, ValueError, IndexError) as exc:
        return Reference(None, None, exc)
    return Reference(to_numpy(out, x_np.dtype), to_numpy(g, x_np.dtype))


def ours(name: str, input, target, **kwargs) -> Reference:
    """The same call through :mod:`lossviz.core.functional`, packed like :func:`reference`."""
    try:
        value = getattr(F, name)(input, target, **kwargs)
        grad = getattr(F, name + "_grad")(input, target, **kwargs)
    except (RuntimeError, ValueError, IndexError) as exc:
        return Reference(None, None, exc)
    return Reference(np.asarray(value), np.asarray(grad))


def agrees(a: Reference, b: Reference, dtype_name: str | None = None, k: float = 8.0) -> bool:
    """True when both raised the same kind of error, or values and gradients agree to k·eps."""
    if a.error is not None or b.error is not None:
        return a.error_kind is not None and b.error_kind is not None and _same_kind(a.error, b.error)
    dt = dtype_name or name_of(a.value.dtype)
    from lossviz.core.dtypes import finfo

    eps = float(finfo(dt).eps)
    tol = k * eps if dt == "float64" else max(k * eps, 1e-5)
    return _close(a.value, b.value, tol) and _close(a.grad, b.grad, tol)


def _same_kind(e1: BaseException, e2: BaseException) -> bool:
    return any(isinstance(e1, k) and isinstance(e2, k) for k in (IndexError, ValueError, RuntimeError))


def _close(a, b, tol: float) -> bool:
    a64 = np.asarray(a, dtype=np.float64)
    b64 = np.asarray(b, dtype=np.float64)
    return a64.shape == b64.shape and bool(np.allclose(a64, b64, rtol=tol, atol=tol, equal_nan=True))
