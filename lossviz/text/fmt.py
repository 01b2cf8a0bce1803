"""Number formatting shared by every page (no streamlit, no translation)."""

from __future__ import annotations

import math

import numpy as np


def value(v) -> str:
    """A headline value exactly as ``loss.item()`` prints it (``0.8354646563529968``).

    >>> value(np.float32(0.8354646563529968))
    '0.8354646563529968'
    """
    f = float(np.asarray(v, dtype=np.float64))
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return repr(f)


def cell(v, digits: int = 6) -> str:
    """A table cell: ``digits`` significant digits, ``nan``/``inf`` spelled out.

    >>> cell(0.51301527), cell(100.0), cell(-1e12)
    ('0.513015', '100', '-1e+12')
    """
    f = float(np.asarray(v, dtype=np.float64))
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    return f"{f:.{digits}g}"


def array(a, digits: int = 6) -> str:
    """A small array as a Python/torch literal, e.g. ``[[0.4, 0.7], [1.1, 0.6]]``."""
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 0:
        return cell(arr, digits)
    return "[" + ", ".join(array(sub, digits) for sub in arr) + "]"


def element_label(index: tuple[int, ...]) -> str:
    """``(0, 2)`` → ``"[0, 2]"``, as torch indexes the element."""
    return "[" + ", ".join(str(i) for i in index) + "]"
