"""Lesson 6, Softmax & cross-entropy: one sample's softmax, loss and gradient, index or probability target.
"""

from __future__ import annotations

import numpy as np

from lossviz.core import functional as F


def onehot(index: int, n_classes: int) -> np.ndarray:
    """The one-hot row e_index of length ``n_classes`` (float64)."""
    return np.eye(n_classes, dtype=np.float64)[index]


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
