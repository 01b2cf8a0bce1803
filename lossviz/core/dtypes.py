"""Floating-point dtypes as torch uses them on the CPU.

numpy has no bfloat16, so it comes from ``ml_dtypes`` (Google's small, numpy-native
package that JAX uses for the same purpose): the lessons need bfloat16 arrays that
round exactly like ``torch.bfloat16`` without calling torch in the hot path.

torch computes float16/bfloat16 element-wise ops in float32 ("opmath") and rounds the
result back; :func:`opmath` and :func:`round_to` reproduce that.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

DTYPES: dict[str, np.dtype] = {
    "float16": np.dtype(np.float16),
    "bfloat16": np.dtype(ml_dtypes.bfloat16),
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
}
"""The four dtypes the lessons compare, keyed by torch's names."""


def resolve(dtype: str | np.dtype | type | None, default: str = "float64") -> np.dtype:
    """Return the numpy dtype for a torch-style name (``"float32"``) or a numpy dtype.

    >>> resolve("bfloat16").name
    'bfloat16'
    """
    if dtype is None:
        dtype = default
    if isinstance(dtype, str):
        name = dtype.removeprefix("torch.")
        if name not in DTYPES:
            raise ValueError(f"unsupported dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
        return DTYPES[name]
    return np.dtype(dtype)


def name_of(dtype: np.dtype) -> str:
    """Torch's name for a numpy dtype (``float32``, ``bfloat16``, ...)."""
    return np.dtype(dtype).name


def opmath(dtype: np.dtype) -> np.dtype:
    """The dtype torch computes in for ``dtype``: float32 for the 16-bit types."""
    dtype = np.dtype(dtype)
    return np.dtype(np.float32) if dtype.itemsize == 2 else dtype


def as_floating(x, dtype: str | np.dtype | None = None) -> np.ndarray:
    """``x`` as an array of a floating dtype: ``dtype`` if given, else its own if floating, else float64."""
    if dtype is not None:
        return np.asarray(x, dtype=resolve(dtype))
    arr = np.asarray(x)
    if arr.dtype in DTYPES.values():
        return arr
    return arr.astype(np.float64)


def round_to(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Round an opmath result back to ``dtype``, as torch does at the end of a kernel."""
    return np.asarray(x).astype(dtype)


def finfo(dtype: str | np.dtype) -> ml_dtypes.finfo:
    """``finfo`` that also knows bfloat16."""
    return ml_dtypes.finfo(resolve(dtype))


def reduce_loss(loss: np.ndarray, reduction: str, dtype: np.dtype) -> np.ndarray:
    """none / sum / mean of a loss tensor as torch's ``sum()``/``mean()``: elements rounded to ``dtype`` first.

    Below float64 the sum runs sequentially in float32, the order torch's CPU kernel
    uses for small tensors, so float32 results such as the seed's 0.8354646563529968
    come out bit-identical rather than merely close.
    """
    loss = round_to(loss, dtype)
    if reduction == "none":
        return loss
    if dtype == np.float64:
        total = loss.sum()
    else:
        acc = np.float32
        total = np.cumsum(loss.astype(acc).ravel(), dtype=acc)[-1] if loss.size else acc(0)
    if reduction == "sum":
        return round_to(total, dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = type(total)(loss.size)
        return round_to(total / n, dtype)
