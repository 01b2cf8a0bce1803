"""Reading numbers a learner typed ("0.4, 0.7; 1.1, 0.6") into arrays, with clear errors."""

from __future__ import annotations

import math
import re

import numpy as np

from lossviz.core.errors import LossValueError

_SPLIT = re.compile(r"[,\s，]+")


def parse_number(text: str, *, allow_nonfinite: bool = False) -> float:
    """One number; ``inf``/``nan`` only when ``allow_nonfinite``.

    >>> parse_number(" 1e3 ")
    1000.0
    """
    raw = str(text).strip()
    try:
        value = float(raw)
    except ValueError:
        raise LossValueError("parse", f"could not convert {raw!r} to a number", value=raw[:40]) from None
    if not allow_nonfinite and not math.isfinite(value):
        raise LossValueError("not_finite", f"{raw!r} is not finite", value=raw[:40])
    return value


def parse_matrix(text: str, *, shape: tuple[int, ...] | None = None, allow_nonfinite: bool = False) -> np.ndarray:
    """Rows separated by ``;`` or new lines, numbers by commas or spaces; optional exact ``shape``.

    >>> parse_matrix("1, 2; 3 4").tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    rows = [r for r in re.split(r"[;\n；]+", str(text).strip().strip("[]")) if r.strip(" []")]
    values = [[parse_number(v, allow_nonfinite=allow_nonfinite) for v in _SPLIT.split(r.strip(" []")) if v]
              for r in rows]
    values = [row for row in values if row]
    if not values:
        raise LossValueError("parse", "no numbers in the input", value=str(text)[:40])
    if shape is not None:
        flat = [v for row in values for v in row]
        expected = int(np.prod(shape))
        if len(flat) != expected:
            raise LossValueError("shape", f"expected {expected} numbers, got {len(flat)}",
                                 expected=expected, got=len(flat))
        return np.asarray(flat, dtype=np.float64).reshape(shape)
    widths = {len(r) for r in values}
    if len(widths) != 1:
        raise LossValueError("shape", "rows of different lengths", expected=max(widths), got=min(widths))
    arr = np.asarray(values, dtype=np.float64)
    return arr[0] if arr.shape[0] == 1 else arr
