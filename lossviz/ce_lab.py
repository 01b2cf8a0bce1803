"""The numbers behind the cross-entropy lessons (6, 7, 8), from page state to plain data.

Each ``*_view`` takes the learner's controls as plain numbers and returns a dict of
arrays and scalars computed through :mod:`lossviz.core.functional`; pages only lay them out.
No streamlit, no translation.
"""

from __future__ import annotations

import numpy as np

from lossviz.core import functional as F
from lossviz.text import fmt

IGNORE = -100  # CrossEntropyLoss's default ignore_index


def onehot(index: int, n_classes: int) -> np.ndarray:
    """The one-hot row e_index of length ``n_classes`` (float64)."""
    return np.eye(n_classes, dtype=np.float64)[index]


# ------------------------------------------------------------- lesson 6 --


def softmax_view(logits, target, *, temperature: float = 1.0, shift: float = 0.0) -> dict:
    """Softmax and CE for one sample of C logits, at a temperature, with a shift test.

    ``target``: a class index (int) or a probability row of length C. The loss is
    ``cross_entropy(z, target)`` with ``z = logits / temperature``; ``shifted_loss`` is
    the same with ``z + shift`` (mathematically equal: softmax ignores a common shift).

    >>> v = softmax_view([0.8, 0.2, 0.4], 0)
    >>> round(float(v["loss"]), 6), round(float(v["lse_minus_xy"]), 6)
    (0.797116, 0.797116)
    """
    x = np.asarray(logits, dtype=np.float64)
    z = x / float(temperature)
    index = isinstance(target, (int, np.integer))
    tgt = np.asarray(target, dtype=np.int64 if index else np.float64)
    out = {
        "z": z,
        "p": F.softmax(z),
        "p_t1": F.softmax(x),
        "loss": F.cross_entropy(z, tgt),
        "grad": F.cross_entropy_grad(z, tgt),
        "lse": F.logsumexp(z),
        "shifted_loss": F.cross_entropy(z + shift, tgt),
        "p_shifted": F.softmax(z + shift),
    }
    out["shift_delta"] = out["shifted_loss"] - out["loss"]
    out["grad_sum"] = np.sum(out["grad"])
    out["top"] = int(np.argmax(out["p"]))
    out["lowest_grad"] = int(np.argmin(out["grad"]))
    out["p_shift_maxdiff"] = np.max(np.abs(out["p_shifted"] - out["p"]))
    out["onehot"] = onehot(int(tgt), x.size) if index else tgt
    if index:
        out["neg_log_p"] = -F.log_softmax(z)[int(tgt)]
        out["lse_minus_xy"] = out["lse"] - z[int(tgt)]
    else:
        out["target_sum"] = np.sum(tgt)
    return out


# ------------------------------------------------------------- lesson 7 --


def ce_vs_bce_view(pred, label) -> dict:
    """Seed 002 step by step: BCELoss and CrossEntropyLoss on the SAME float32 tensors.

    BCE reads ``pred`` as independent probabilities; CE (shapes equal: the soft-target
    path) reads it as the logits of one sample and softmaxes it.

    >>> v = ce_vs_bce_view([0.8, 0.2, 0.4], [1.0, 0.0, 0.0])
    >>> fmt.value(v["bce"]), fmt.value(v["ce"])
    ('0.3190375864505768', '0.7971159815788269')
    """
    x = np.asarray(pred, dtype=np.float32)
    y = np.asarray(label, dtype=np.float32)
    lsm = F.log_softmax(x)
    return {
        "bce_terms": F.binary_cross_entropy(x, y, reduction="none"),
        "bce": F.binary_cross_entropy(x, y),
        "softmax": F.softmax(x),
        "ce_terms": -(y * lsm),
        "ce": F.cross_entropy(x, y),
        "lse": F.logsumexp(x),
        "label_sum": np.sum(y, dtype=np.float32),
        "label_dot_x": np.sum(y * x, dtype=np.float32),
    }


def multi_view(logits, label) -> dict:
    """One row of logits through CE (one softmax over the row: multi-class) and
    BCEWithLogits (one sigmoid per entry: multi-label)."""
    x = np.asarray(logits, dtype=np.float32)
    y = np.asarray(label, dtype=np.float32)
    sig = F.sigmoid(x)
    sm = F.softmax(x)
    return {
        "softmax": sm,
        "sigmoid": sig,
        "softmax_sum": np.sum(sm, dtype=np.float64),
        "sigmoid_sum": np.sum(sig, dtype=np.float64),
        "ce": F.cross_entropy(x, y),
        "bcel_terms": F.binary_cross_entropy_with_logits(x, y, reduction="none"),
        "bcel": F.binary_cross_entropy_with_logits(x, y),
    }


def bridge_view(a: float, b: float, y: int, grid=None) -> dict:
    """2-class CE on logits (a, b) with class ``y`` vs BCEWithLogits on d = b - a, target y.

    ``softmax([a, b])[1] = σ(b - a)``, so the two losses are the same function of d.
    """
    d = float(b) - float(a)
    ds = np.linspace(-10.0, 10.0, 201) if grid is None else np.asarray(grid, dtype=np.float64)
    rows = np.stack([np.zeros_like(ds), ds], axis=1)
    ce = F.cross_entropy(np.array([a, b], dtype=np.float64), np.array(y))
    bcel = F.binary_cross_entropy_with_logits(d, float(y))
    return {
        "d": d,
        "diff": ce - bcel,
        "ce": ce,
        "bcel": bcel,
        "p1": F.softmax(np.array([a, b], dtype=np.float64))[1],
        "sigma_d": F.sigmoid(d),
        "grid": ds,
        "ce_curve": F.cross_entropy(rows, np.full(ds.size, y), reduction="none"),
        "bcel_curve": F.binary_cross_entropy_with_logits(ds, np.full(ds.size, float(y)), reduction="none"),
    }


# ------------------------------------------------------------- lesson 8 --


def batch_view(logits, targets, weight, *, reduction: str = "mean", label_smoothing: float = 0.0) -> dict:
    """A batch through weighted CE, with the weighted mean written out term by term:
    :func:`weighted_terms` and :func:`smoothing_view` in one dict."""
    return {**weighted_terms(logits, targets, weight),
            **smoothing_view(logits, targets, weight, reduction=reduction, label_smoothing=label_smoothing)}


def _batch_arrays(logits, targets, weight):
    """(logits, targets, class weights, samples not ignored) as float64 / int64 / float64 / bool arrays."""
    t = np.asarray(targets, dtype=np.int64)
    return np.asarray(logits, dtype=np.float64), t, np.asarray(weight, dtype=np.float64), t != IGNORE


def weighted_terms(logits, targets, weight) -> dict:
    """The weighted mean written out term by term (no label smoothing, no reduction choice).

    ``l_n = -log softmax(x_n)[y_n]`` (unweighted); ``mean = Σ w[y_n] l_n / Σ w[y_n]`` over
    samples whose target is not ``ignore_index``. Depends on the batch only, so a page
    computes it once per batch, not on every step of ε or the reduction.
    """
    x, t, w, keep = _batch_arrays(logits, targets, weight)
    safe = np.where(keep, t, 0)
    lsm = F.log_softmax(x)
    nll = np.where(keep, -lsm[np.arange(t.size), safe], np.nan)
    w_y = np.where(keep, w[safe], np.nan)
    return {
        "keep": keep,
        "nll": nll,
        "w_y": w_y,
        "contrib": w_y * nll,
        "numerator": float(np.sum(np.where(keep, w_y * nll, 0.0))),
        "denominator": float(np.sum(np.where(keep, w_y, 0.0))),
        "n_kept": int(np.sum(keep)),
        "nll_mean": F.cross_entropy(x, t, weight=w),
        "softmax": F.softmax(x),
    }


def smoothing_view(logits, targets, weight, *, reduction: str = "mean", label_smoothing: float = 0.0) -> dict:
    """What ε and the reduction change: the loss, its gradient, and the mean four ways (index or
    one-hot probability targets, with and without weights; the one-hot rows drop ignored
    samples, and their mean divides by N instead of Σ w[y_n])."""
    x, t, w, keep = _batch_arrays(logits, targets, weight)
    kw = {"label_smoothing": label_smoothing}
    loss = F.cross_entropy(x, t, weight=w, reduction=reduction, **kw)
    out = {
        "loss": loss,
        "loss_none": F.cross_entropy(x, t, weight=w, reduction="none", **kw),
        "grad": F.cross_entropy_grad(x, t, weight=w, reduction=reduction, **kw),
        "mean_index_w": loss if reduction == "mean" else F.cross_entropy(x, t, weight=w, **kw),
        "mean_index": F.cross_entropy(x, t, **kw),
    }
    if keep.any():
        hot = np.eye(x.shape[1])[t[keep]]
        out["mean_onehot_w"] = F.cross_entropy(x[keep], hot, weight=w, **kw)
        out["mean_onehot"] = F.cross_entropy(x[keep], hot, **kw)
    else:
        out["mean_onehot_w"] = out["mean_onehot"] = np.float64(np.nan)
    return out


def weighted_mean_formula(w_y, nll, keep) -> tuple[str, str]:
    """``("(w1·l1 + …) / (w1 + …)", "(0.5·1.2 + …) / (0.5 + …)")``: the mean, symbols and numbers.

    Ignored samples are left out of both sums; an empty sum is written ``0``.

    >>> weighted_mean_formula([2.0, 1.0], [0.5, 0.25], [True, False])
    ('(w[y₁]·l₁) / (w[y₁])', '(2·0.5) / (2)')
    """
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    idx = [i for i, k in enumerate(keep) if k]
    if not idx:
        return "0 / 0", "0 / 0"
    n = [str(i + 1).translate(sub) for i in idx]
    sym = "(" + " + ".join(f"w[y{k}]·l{k}" for k in n) + ") / (" + " + ".join(f"w[y{k}]" for k in n) + ")"
    num = "(" + " + ".join(f"{fmt.cell(w_y[i], 4)}·{fmt.cell(nll[i], 4)}" for i in idx) + ")"
    den = "(" + " + ".join(fmt.cell(w_y[i], 4) for i in idx) + ")"
    return sym, f"{num} / {den}"


def smoothed_target(index: int, n_classes: int, eps: float) -> np.ndarray:
    """(1 - ε)·onehot + ε/C: the target label smoothing trains toward (no weights).

    A negative ε acts as 0, as in torch.
    """
    e = max(float(eps), 0.0)
    return (1.0 - e) * onehot(index, n_classes) + e / n_classes
