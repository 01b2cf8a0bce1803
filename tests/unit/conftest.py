"""Unit-layer fixtures: a torch oracle computed directly with ``torch.nn.functional`` and
``torch.autograd.grad`` (independent of ``lossviz.core.torch_ref``), and dtype-derived tolerances.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
import torch

torch.set_num_threads(1)  # tiny tensors: threads only add overhead, and xdist runs one worker per core

# Tolerance = ULPS[dtype] * finfo(dtype).eps, for rtol and atol alike. float32's 84 ulps is the
# agreed rtol = atol = 1e-5 (seed-facts); float64's 4096 ulps is ~1e-12; the 16-bit types are
# rounded once from float32, so a few ulps.
ULPS = {"float16": 4, "bfloat16": 4, "float32": 84, "float64": 4096}


def tolerance(dtype) -> float:
    """rtol/atol for ``dtype``: ``ULPS[dtype] * eps``."""
    name = np.dtype(dtype).name
    return ULPS[name] * float(ml_dtypes.finfo(np.dtype(dtype)).eps)


def to_tensor(a, *, requires_grad: bool = False) -> torch.Tensor:
    """numpy (incl. ml_dtypes.bfloat16) → torch, same dtype; integers stay integers."""
    arr = np.asarray(a)
    if arr.dtype.name == "bfloat16":
        t = torch.from_numpy(arr.astype(np.float32)).to(torch.bfloat16)
    else:
        t = torch.from_numpy(np.array(arr, copy=True))
    return t.requires_grad_(True) if requires_grad else t


def to_array(t: torch.Tensor, like: np.dtype) -> np.ndarray:
    """torch → numpy in ``like`` (bfloat16 passes through float32, which is exact)."""
    t = t.detach()
    if t.dtype == torch.bfloat16:
        t = t.to(torch.float32)
    return t.numpy().astype(like)


def torch_loss(name: str, input, target, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """``torch.nn.functional.<name>`` and ``torch.autograd.grad`` of its sum w.r.t. ``input``.

    ``name="naive_bce_from_logits"`` runs ``binary_cross_entropy(sigmoid(input), target)``.
    ``weight``/``pos_weight`` are cast to the input's dtype, as a learner would pass them.
    """
    x_np = np.asarray(input)
    x = to_tensor(x_np, requires_grad=True)
    y = to_tensor(target)
    kw = {
        k: to_tensor(np.asarray(v, dtype=x_np.dtype)) if k in ("weight", "pos_weight") and v is not None else v
        for k, v in kwargs.items()
    }
    if name == "naive_bce_from_logits":
        out = torch.nn.functional.binary_cross_entropy(torch.sigmoid(x), y, **kw)
    else:
        out = getattr(torch.nn.functional, name)(x, y, **kw)
    (grad,) = torch.autograd.grad(out.sum(), x)
    return to_array(out, x_np.dtype), to_array(grad, x_np.dtype)


def assert_close(actual, expected, dtype, *, what: str = "") -> None:
    """Assert same shape and |a - e| <= tol + tol·|e| with tol from ``dtype``; NaN equals NaN."""
    tol = tolerance(dtype)
    a = np.asarray(actual).astype(np.float64)
    e = np.asarray(expected).astype(np.float64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    np.testing.assert_allclose(a, e, rtol=tol, atol=tol, equal_nan=True, err_msg=what)


class TorchOracle:
    """``oracle(name, input, target, **kw) -> (value, grad)``, plus the numpy↔torch converters."""

    __call__ = staticmethod(torch_loss)
    tensor = staticmethod(to_tensor)
    array = staticmethod(to_array)


@pytest.fixture(scope="session")
def oracle() -> TorchOracle:
    """The torch oracle (see :class:`TorchOracle`)."""
    return TorchOracle()


@pytest.fixture(scope="session")
def close():
    """``close(actual, expected, dtype, what=...)``: the dtype-derived comparison."""
    return assert_close
