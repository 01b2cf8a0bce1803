"""MSELoss mirrored on ``torch.nn.functional.mse_loss`` (torch 2.13, CPU), with its gradient beside it.

Re-exported by :mod:`lossviz.core.functional` (``F.mse_loss``), as torch keeps it beside the
classification losses. Same conventions as there: torch's broadcasting, reductions, dtypes and errors.

torch's one surprise here: a target whose shape differs from the input's is NOT an error. torch
warns (``UserWarning: Using a target size ... This will likely lead to incorrect results due to
broadcasting``), broadcasts the two, and averages over the broadcast shape: an input of shape (N, 1)
against a target of shape (N,) gives an N × N matrix of squared errors. This module does the same,
warning included; only shapes that do not broadcast at all raise (torch: RuntimeError).
"""

from __future__ import annotations

import warnings

import numpy as np

from lossviz.core import _checks
from lossviz.core.dtypes import opmath, round_to
from lossviz.core.errors import LossRuntimeError

_FLOATS = ("float16", "bfloat16", "float32", "float64")


def _is_float(dt: np.dtype) -> bool:
    return dt.name in _FLOATS


def result_dtype(input_dtype, target_dtype) -> np.dtype:
    """torch's type promotion for ``input - target``: the wider float; float16 with bfloat16 is float32;
    an integer or bool operand takes the other's float dtype.

    >>> result_dtype(np.float32, np.int64).name, result_dtype(np.float16, np.float32).name
    ('float32', 'float32')
    """
    a, b = np.dtype(input_dtype), np.dtype(target_dtype)
    fa, fb = _is_float(a), _is_float(b)
    if fa and fb:
        if a == b:
            return a
        if a.itemsize == b.itemsize == 2:  # float16 and bfloat16: neither holds the other
            return np.dtype(np.float32)
        return a if a.itemsize > b.itemsize else b
    if fa or fb:
        return a if fa else b
    raise LossRuntimeError(
        "mse_integer", f"\"mse_cpu\" not implemented for '{_torch_name(a)}'", got=a.name
    )


def _torch_name(dt: np.dtype) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}.get(
        dt.name, dt.name
    )


def _size(a: np.ndarray) -> str:
    return "torch.Size([" + ", ".join(str(n) for n in a.shape) + "])"


def _mse_inputs(input, target):
    """Validate and broadcast like torch: (x, y) broadcast in the result dtype, and that dtype."""
    x, y = np.asarray(input), np.asarray(target)
    if not (_is_float(x.dtype) or x.dtype.kind in "iub"):
        x = x.astype(np.float64)
    if not (_is_float(y.dtype) or y.dtype.kind in "iub"):
        y = y.astype(np.float64)
    dtype = result_dtype(x.dtype, y.dtype)
    if y.shape != x.shape:
        warnings.warn(
            f"Using a target size ({_size(y)}) that is different to the input size ({_size(x)}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )
    try:
        xb, yb = np.broadcast_arrays(x, y)
    except ValueError:
        dim, a, b = _first_mismatch(x.shape, y.shape)
        raise LossRuntimeError(
            "broadcast",
            f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {dim}",
            name="input",
            got=list(x.shape),
            shape=list(y.shape),
        ) from None
    return xb.astype(dtype), yb.astype(dtype), dtype


def _first_mismatch(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, int, int]:
    """The dimension (of the broadcast shape) and sizes torch names when two shapes do not broadcast."""
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for dim in range(n - 1, -1, -1):
        if pa[dim] != pb[dim] and 1 not in (pa[dim], pb[dim]):
            return dim, pa[dim], pb[dim]
    return 0, pa[0], pb[0]


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast gradient back to ``shape``, as autograd does for ``broadcast_tensors``."""
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def mse_loss(input, target, reduction: str = "mean") -> np.ndarray:
    """MSELoss: ``l_n = (x_n - y_n)^2``; ``mean`` = Σ l_n / numel, ``sum`` = Σ l_n.

    Args:
        input: predictions, any shape (integers are promoted, as torch does).
        target: any shape that broadcasts against ``input``; a different shape warns, as torch.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Returns:
        The broadcast shape of input and target for ``"none"``, else a 0-d array; in torch's
        promoted dtype of input and target (float32 with a float64 target gives float64).
        An empty input gives NaN for ``"mean"``, as torch.

    Raises:
        LossRuntimeError: shapes that do not broadcast; integer input and target (torch:
            NotImplementedError, a RuntimeError).
        LossValueError: unknown reduction.

    Differs from PyTorch: no ``weight`` argument (torch 2.13's per-element weights) and no
    deprecated ``size_average``/``reduce``.

    >>> float(mse_loss([0.5, 1.0], [1.0, 1.0]))
    0.125
    """
    _checks.check_reduction(reduction)
    x, y, dtype = _mse_inputs(input, target)
    om = opmath(dtype)
    diff = round_to(x.astype(om) - y.astype(om), dtype).astype(om)
    loss = round_to(diff * diff, dtype)  # torch's kernel: diff = a - b; diff * diff, each in the dtype
    if reduction == "none":
        return loss
    with np.errstate(invalid="ignore"):
        total = loss.astype(np.float64).sum()
        return round_to(total if reduction == "sum" else total / loss.size if loss.size else np.nan, dtype)


def mse_loss_grad(input, target, reduction: str = "mean") -> np.ndarray:
    """d loss / d input: ``2 (x - y)`` (÷ numel of the broadcast shape for ``mean``), summed back
    to ``input``'s shape where the input was broadcast; in ``input``'s dtype, as autograd returns it.

    >>> mse_loss_grad([0.5, 1.0], [1.0, 1.0]).tolist()
    [-0.5, 0.0]
    """
    _checks.check_reduction(reduction)
    x_in = np.asarray(input)
    x, y, dtype = _mse_inputs(input, target)
    om = opmath(dtype)
    norm = 2.0 / x.size if reduction == "mean" and x.size else 2.0  # torch: 2. / numel for mean
    n = round_to(np.asarray(norm), dtype).astype(om)
    diff = round_to(x.astype(om) - y.astype(om), dtype).astype(om)
    g = round_to(n * diff, dtype)
    g = _sum_to(g.astype(np.float64), x_in.shape) if g.shape != x_in.shape else g
    out_dtype = x_in.dtype if _is_float(x_in.dtype) else dtype
    return round_to(g, out_dtype)
