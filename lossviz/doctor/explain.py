"""``explain(loss, input, target)``: torch's real answer for a learner's own call, and why.

It runs the call in torch (the value, or the exact error), the gradient w.r.t. the input,
lossviz's own value where :mod:`lossviz.core.functional` has the loss (a cross-check), the
per-element losses (worst first), the reduction's numerator and denominator, and the
findings of :mod:`lossviz.doctor.findings`. The result prints as plain text in a terminal
and renders as HTML in Jupyter; the page is a view of the same object.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from lossviz.doctor.call import FUNCTIONAL, LOSSES, LossCall
from lossviz.doctor.files import to_numpy
from lossviz.doctor.findings import Case, Finding, diagnose
from lossviz.doctor.report import render_html, render_text

DEFAULTS = {"weight": None, "pos_weight": None, "ignore_index": -100, "reduction": "mean", "label_smoothing": 0.0}
MAX_ROWS = 20


@dataclass(frozen=True)
class Row:
    """One element of the per-element losses: its index, input, target, the model's probability
    of the target (``σ(x)``, ``softmax(x)[y]``, ``x`` for BCELoss) and its loss."""

    index: tuple[int, ...]
    input: float | None
    target: float | None
    prob: float | None
    loss: float
    ignored: bool = False


@dataclass(frozen=True)
class Reduction:
    """How the elements became the value: ``numerator / denominator`` (None for ``"none"``)."""

    reduction: str
    formula: str
    numerator: float | None
    denominator: float | None
    counted: int
    ignored: int


@dataclass(frozen=True, eq=False)
class Explanation:
    """Everything :func:`explain` found; ``str()`` for a terminal, ``_repr_html_`` for Jupyter."""

    loss: str
    call: str
    input_shape: tuple[int, ...]
    input_dtype: str
    target_shape: tuple[int, ...]
    target_dtype: str
    value: np.ndarray | None
    error: str | None
    grad: np.ndarray | None
    grad_error: str | None
    lossviz_value: np.ndarray | None
    lossviz_note: str
    elements: np.ndarray | None
    rows: tuple[Row, ...]
    reduction: Reduction | None
    findings: tuple[Finding, ...]
    torch_version: str

    def __str__(self) -> str:
        return render_text(self)

    def _repr_html_(self) -> str:
        return render_html(self)


@functools.cache
def _torch():
    import torch

    return torch


def explain(loss, input, target, **kwargs) -> Explanation:
    """Run ``loss(input, target)`` in torch and explain the result.

    Args:
        loss: a loss module (``nn.CrossEntropyLoss(weight=...)``: its weight, pos_weight,
            ignore_index, reduction and label_smoothing are read), a functional name
            (``"cross_entropy"``, ``"F.nll_loss"``), a class name (``"BCELoss"``) or a
            :class:`~lossviz.doctor.call.LossCall`.
        input, target: torch tensors, numpy arrays or lists (lists as ``torch.tensor`` reads them).
        **kwargs: the loss's keywords; they override the module's.

    >>> e = explain("binary_cross_entropy", np.float32([0.8, 0.2, 0.4]), np.float32([1, 0, 0]))
    >>> round(float(e.value), 6), e.reduction.formula
    (0.319038, 'Σ w·l / numel')
    """
    name, opts = _resolve(loss, kwargs)
    x, t = _array(input), _array(target)
    opts = {k: _array(v) if k in ("weight", "pos_weight") and v is not None else v for k, v in opts.items()}
    torch = _torch()
    value, grad, error, grad_error = _call(name, x, t, opts, grad=True)
    elements = None
    if error is None:
        elements, _, _, _ = _call(name, x, t, {**opts, "reduction": "none"}, grad=False)
    lv, note = _lossviz(name, x, t, opts, value)
    reduced = float(value) if value is not None and value.ndim == 0 else None
    case = Case(name, x, t, opts, reduced, error, functools.partial(_run, base=(name, opts)))
    return Explanation(
        loss=name, call=_call_text(name, opts), input_shape=tuple(x.shape), input_dtype=x.dtype.name,
        target_shape=tuple(t.shape), target_dtype=t.dtype.name, value=value, error=error, grad=grad,
        grad_error=grad_error, lossviz_value=lv, lossviz_note=note, elements=elements,
        rows=_rows(name, x, t, opts, elements) if elements is not None else (),
        reduction=_reduction(name, x, t, opts, elements) if elements is not None else None,
        findings=diagnose(case), torch_version=torch.__version__,
    )


def _resolve(loss, kwargs: dict) -> tuple[str, dict]:
    """(functional name, keywords) from a module, a name or a LossCall; unknown keywords raise TypeError."""
    if isinstance(loss, LossCall):
        name, opts = loss.name, dict(loss.kwargs)
    elif isinstance(loss, str):
        key = loss.split(".")[-1].removesuffix("()")
        if key in LOSSES:
            key = LOSSES[key][0]
        if key not in FUNCTIONAL:
            raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(FUNCTIONAL)} or {', '.join(LOSSES)}")
        name, opts = key, {}
    elif type(loss).__name__ in LOSSES:
        name = LOSSES[type(loss).__name__][0]
        allowed = LOSSES[type(loss).__name__][1]
        opts = {k: getattr(loss, k) for k in allowed if hasattr(loss, k)}
    else:
        raise TypeError(f"explain() takes a loss module ({', '.join(LOSSES)}) or its functional name, not {loss!r}")
    allowed = LOSSES[FUNCTIONAL[name]][1]
    unknown = set(kwargs) - set(allowed)
    if unknown:
        raise TypeError(f"{name}() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    opts.update(kwargs)
    return name, {k: opts[k] for k in allowed if k in opts and not (opts[k] is None and DEFAULTS[k] is None)}


def _array(a) -> np.ndarray:
    """numpy of the tensor's dtype; lists and numbers as ``torch.tensor`` reads them (float32/int64)."""
    if type(a).__module__.startswith("torch"):
        return to_numpy(a)
    if isinstance(a, np.ndarray | np.generic):
        return np.asarray(a)
    arr = np.asarray(a)
    return arr.astype(np.float32) if arr.dtype == np.float64 else arr


def _tensor(a: np.ndarray):
    torch = _torch()
    if a.dtype.name == "bfloat16":
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(np.array(a, copy=True))


def _call(name, x, t, opts, *, grad: bool):
    """torch's (value, grad, error text, grad error text), all numpy; the error as "Type: message"."""
    torch = _torch()
    xt, tt = _tensor(x), _tensor(t)
    if grad and xt.is_floating_point():
        xt.requires_grad_(True)
    kw = {k: _tensor(v) if isinstance(v, np.ndarray) else v for k, v in opts.items()}
    try:
        out = getattr(torch.nn.functional, name)(xt, tt, **kw)
    except Exception as exc:  # the learner's call: any error torch raises is the answer to show
        return None, None, f"{type(exc).__name__}: {exc}", None
    g, grad_error = None, None
    if xt.requires_grad:
        try:
            (gt,) = torch.autograd.grad(out.sum(), xt)
            g = to_numpy(gt)
        except RuntimeError as exc:
            grad_error = f"{type(exc).__name__}: {exc}"
    return to_numpy(out), g, None, grad_error


def _run(name, x, t, *, base: tuple[str, dict] = ("", {}), **opts) -> float | None:
    """A fixed call's reduced value (float) or None when torch raises.

    The learner's own options (``base``) fill in the rest for the same loss only: a
    CrossEntropyLoss class weight is no BCELoss weight.
    """
    allowed = LOSSES[FUNCTIONAL[name]][1]
    merged = {k: v for k, v in {**(base[1] if base[0] == name else {}), **opts}.items() if k in allowed}
    value, _, error, _ = _call(name, np.asarray(x), np.asarray(t), merged, grad=False)
    if error is not None or value is None or value.ndim != 0:
        return None
    return float(value)


def _lossviz(name, x, t, opts, value) -> tuple[np.ndarray | None, str]:
    """lossviz's own value, and how it compares with torch's."""
    from lossviz.core import functional as LF
    from lossviz.core.errors import LossVizError

    fn = getattr(LF, name, None)
    if fn is None:
        return None, f"lossviz has no {name}"
    if x.dtype.name not in ("float16", "bfloat16", "float32", "float64"):
        return None, f"lossviz computes floating inputs only ({x.dtype.name} given)"
    try:
        with np.errstate(all="ignore"):
            lv = np.asarray(fn(x, t, **opts))
    except LossVizError as exc:
        return None, f"lossviz raises {'too' if value is None else 'but torch does not'}: {type(exc).__name__}: {exc}"
    except Exception as exc:  # a gap in lossviz's mirror of torch: report it, the learner still gets torch's answer
        return None, f"DIFFERS from torch: lossviz failed with {type(exc).__name__}: {exc}"
    if value is None:
        return lv, "torch raised, lossviz did not"
    tol = {"float64": 1e-9, "float32": 1e-5}.get(x.dtype.name, 1e-2)
    same = lv.shape == value.shape and np.allclose(lv.astype(np.float64), value.astype(np.float64), rtol=tol,
                                                   atol=tol, equal_nan=True)
    return lv, "agrees with torch" if same else "DIFFERS from torch"


def _call_text(name: str, opts: dict) -> str:
    def show(v):
        if isinstance(v, np.ndarray):
            body = np.array2string(v.astype(np.float64) if v.dtype.name == "bfloat16" else v, separator=", ",
                                   threshold=8, edgeitems=3)
            return f"torch.tensor({body}, dtype=torch.{v.dtype.name})"
        return repr(v)

    shown = {k: v for k, v in opts.items() if isinstance(v, np.ndarray) or v != DEFAULTS[k]}
    return f"F.{name}(input, target" + "".join(f", {k}={show(v)}" for k, v in shown.items()) + ")"


def _rows(name, x, t, opts, elements) -> tuple[Row, ...]:
    loss = elements.astype(np.float64).reshape(-1)
    if loss.size == 0:
        return ()
    key = np.where(np.isnan(loss), np.inf, loss)
    top = np.argpartition(-key, MAX_ROWS - 1)[:MAX_ROWS] if key.size > MAX_ROWS else np.arange(key.size)
    top = top[np.lexsort((top, -key[top]))]  # worst first, then by position
    shape = elements.shape
    rows = []
    ignore = opts.get("ignore_index", -100)
    for flat in top:
        idx = tuple(int(i) for i in np.unravel_index(flat, shape))
        xin, tgt, prob, ignored = _row_values(name, x, t, idx, ignore)
        rows.append(Row(idx, xin, tgt, prob, float(loss[flat]), ignored))
    return tuple(rows)


def _row_values(name, x, t, idx, ignore):
    """(input, target, probability of the target, ignored) for one element."""
    if name in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        xv = float(x[idx]) if x.shape == t.shape else None
        tv = float(np.broadcast_to(t, x.shape)[idx]) if x.shape == t.shape else None
        prob = None if xv is None else xv if name == "binary_cross_entropy" else float(1 / (1 + np.exp(-xv)))
        return xv, tv, prob, False
    cd = 0 if x.ndim == 1 else 1
    logits = x.astype(np.float64)
    if x.ndim == 1:
        row = logits
    else:
        row = np.take(logits, idx[0], axis=0)
        row = row[(slice(None), *idx[1:])]
    if row.size == 0:  # no classes at all
        return None, None, None, False
    if name == "cross_entropy":
        p = np.exp(row - row.max())
        p = p / p.sum()
    else:
        p = np.exp(row)
    if t.shape == x.shape:  # probability targets: show the most likely target class
        trow = np.moveaxis(t.astype(np.float64), cd, -1)[idx] if x.ndim > 1 else t.astype(np.float64)
        c = int(np.argmax(trow))
        return float(row[c]), float(c), float(p[c]), False
    y = int(t[idx]) if t.ndim else int(t)
    if y == ignore:
        return None, float(y), None, True
    if not 0 <= y < row.size:
        return None, float(y), None, False
    return float(row[y]), float(y), float(p[y]), False


def _reduction(name, x, t, opts, elements) -> Reduction:
    reduction = opts.get("reduction", "mean")
    total = float(elements.astype(np.float64).sum())
    ignored = 0
    if name in ("cross_entropy", "nll_loss") and t.shape != x.shape:
        ignore = opts.get("ignore_index", -100)
        keep = np.asarray(t) != ignore
        ignored = int((~keep).sum())
        weight = opts.get("weight")
        if weight is not None:
            w = weight.astype(np.float64)
            safe = np.where(keep, t, 0).astype(np.int64)
            ok = (safe >= 0) & (safe < w.size)
            den = float(np.where(keep & ok, w[np.clip(safe, 0, w.size - 1)], 0.0).sum())
            formula = "Σ w[y]·l / Σ w[y]"
        else:
            den, formula = float(keep.sum()), "Σ l / (targets not ignored)"
        counted = int(keep.sum())
    elif name in ("cross_entropy", "nll_loss"):
        counted = elements.size
        den, formula = float(elements.size), "Σ l / N (probability targets: N = numel / C, never Σ w)"
    else:
        counted = elements.size
        den, formula = float(elements.size), "Σ w·l / numel"
    if reduction == "sum":
        return Reduction("sum", formula.split(" / ")[0], total, 1.0, counted, ignored)
    if reduction == "none":
        return Reduction("none", "no reduction: one loss per element", None, None, counted, ignored)
    return Reduction("mean", formula, total, den, counted, ignored)
