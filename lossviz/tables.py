"""Per-element tables: one dict per tensor element, ready for ``st.table``.

No streamlit and no translation: keys are language-neutral column ids; the page maps them
to translated headers with :func:`relabel`. Every number comes from
:mod:`lossviz.functional`; cells are strings formatted by :mod:`lossviz.fmt`, so NaN and
±inf read as ``nan`` / ``inf`` rather than blanks.
"""

from __future__ import annotations

import numpy as np

from lossviz import fmt
from lossviz import functional as F
from lossviz.dtypes import as_floating

BCE_LOGITS_COLUMNS = ("element", "formula", "x", "y", "w", "p", "sigma", "pos_term", "neg_term", "loss", "grad")


def element_label(index: tuple[int, ...]) -> str:
    """``(0, 2)`` → ``"[0, 2]"``, as torch indexes the element."""
    return "[" + ", ".join(str(i) for i in index) + "]"


def _multiplier(value, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """``weight`` / ``pos_weight`` as the per-element multiplier (1 where None)."""
    return np.broadcast_to(as_floating(1.0 if value is None else value, dtype), shape)


def bce_logits_rows(input, target, weight=None, pos_weight=None, *, digits: int = 4) -> list[dict[str, str]]:
    """BCEWithLogitsLoss element by element, each multiplier written into the formula.

    ``formula`` reads ``w·[p·y·(−log σ(x)) + (1−y)·(−log(1−σ(x)))] = l`` with the numbers put in,
    e.g. ``2·[3·1·0.3133 + 0·1.313] = 1.88``. Raises the same :class:`LossVizError` as
    :func:`lossviz.functional.binary_cross_entropy_with_logits` for bad shapes.

    >>> bce_logits_rows([0.0], [1.0], pos_weight=[3.0])[0]["formula"]
    '1·[3·1·0.6931 + 0·0.6931] = 2.079'
    """
    x = as_floating(input)
    y = np.asarray(target, dtype=x.dtype)
    loss = F.binary_cross_entropy_with_logits(x, y, weight, "none", pos_weight)
    grad = F.binary_cross_entropy_with_logits_grad(x, y, weight, "none", pos_weight)
    w = _multiplier(weight, x.shape, x.dtype)
    p = _multiplier(pos_weight, x.shape, x.dtype)
    sig = F.sigmoid(x)
    pos_term = -F.log_sigmoid(x)  # −log σ(x), stable
    neg_term = F.softplus(x)  # −log(1 − σ(x)) = softplus(x), stable
    rows: list[dict[str, str]] = []
    for idx in np.ndindex(x.shape):
        c = {k: fmt.cell(v[idx], digits) for k, v in
             {"x": x, "y": y, "w": w, "p": p, "sigma": sig, "pos_term": pos_term,
              "neg_term": neg_term, "loss": loss, "grad": grad}.items()}
        one_minus_y = fmt.cell(1.0 - float(y[idx]), digits)
        formula = f"{c['w']}·[{c['p']}·{c['y']}·{c['pos_term']} + {one_minus_y}·{c['neg_term']}] = {c['loss']}"
        rows.append({"element": element_label(idx), "formula": formula, **c})
    return rows


def reduction_summary(input, target, weight=None, pos_weight=None) -> dict[str, float | int]:
    """The reduced values and their exact denominators.

    ``sum`` = Σ w·l, ``mean`` = Σ w·l / numel (torch does NOT divide by Σ w);
    ``weight_sum`` and ``normalised`` (Σ w·l / Σ w) are shown only as what torch does not do.
    """
    x = as_floating(input)
    y = np.asarray(target, dtype=x.dtype)
    total = float(F.binary_cross_entropy_with_logits(x, y, weight, "sum", pos_weight))
    mean = float(F.binary_cross_entropy_with_logits(x, y, weight, "mean", pos_weight))
    weight_sum = float(np.sum(_multiplier(weight, x.shape, np.dtype(np.float64))))
    with np.errstate(divide="ignore", invalid="ignore"):
        normalised = float(np.float64(total) / np.float64(weight_sum))
    return {"numel": int(x.size), "sum": total, "mean": mean, "weight_sum": weight_sum, "normalised": normalised}


def relabel(rows: list[dict[str, str]], labels: dict[str, str]) -> list[dict[str, str]]:
    """Rename column ids to (translated) headers; columns missing from ``labels`` are dropped."""
    return [{labels[k]: v for k, v in row.items() if k in labels} for row in rows]
