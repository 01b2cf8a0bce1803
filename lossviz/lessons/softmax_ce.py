"""Lesson 6, Softmax & cross-entropy: one sample's softmax, loss and gradient, index or probability target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F


def onehot(index: int, n_classes: int) -> np.ndarray:
    """The one-hot row e_index of length ``n_classes`` (float64)."""
    return np.eye(n_classes, dtype=np.float64)[index]


@dataclass(frozen=True)
class SoftmaxView:
    """One sample of C logits through softmax and CE at a temperature, with the shift test (float64)."""

    z: np.ndarray  # logits / temperature, (C,)
    p: np.ndarray  # softmax(z), (C,)
    p_t1: np.ndarray  # softmax(logits): the probabilities at temperature 1, (C,)
    loss: np.ndarray  # cross_entropy(z, target), ()
    grad: np.ndarray  # ∂loss/∂z = p·Σt − t, (C,)
    lse: np.ndarray  # logsumexp(z), ()
    shifted_loss: np.ndarray  # cross_entropy(z + shift, target), ()
    p_shifted: np.ndarray  # softmax(z + shift), (C,)
    shift_delta: float  # shifted_loss − loss: 0 up to rounding
    grad_sum: float  # Σ grad
    top: int  # the class of the largest p
    lowest_grad: int  # the class of the most negative gradient
    p_shift_maxdiff: float  # max |p_shifted − p|
    onehot: np.ndarray  # the target as a row: one-hot for an index, the probability row itself, (C,)
    neg_log_p: float | None = None  # −log_softmax(z)[y] (index target only)
    lse_minus_xy: float | None = None  # logsumexp(z) − z[y] (index target only)
    target_sum: float | None = None  # Σ t (probability target only)


def softmax_view(logits, target, *, temperature: float = 1.0, shift: float = 0.0) -> SoftmaxView:
    """Softmax and CE for one sample of C logits, at a temperature, with a shift test.

    ``target``: a class index (int) or a probability row of length C. The loss is
    ``cross_entropy(z, target)`` with ``z = logits / temperature``; ``shifted_loss`` is
    the same with ``z + shift`` (mathematically equal: softmax ignores a common shift).

    >>> v = softmax_view([0.8, 0.2, 0.4], 0)
    >>> round(float(v.loss), 6), round(float(v.lse_minus_xy), 6)
    (0.797116, 0.797116)
    """
    x = np.asarray(logits, dtype=np.float64)
    z = x / float(temperature)
    index = isinstance(target, (int, np.integer))
    tgt = np.asarray(target, dtype=np.int64 if index else np.float64)
    p = F.softmax(z)
    loss = F.cross_entropy(z, tgt)
    grad = F.cross_entropy_grad(z, tgt)
    lse = F.logsumexp(z)
    shifted_loss = F.cross_entropy(z + shift, tgt)
    p_shifted = F.softmax(z + shift)
    return SoftmaxView(
        z=z,
        p=p,
        p_t1=F.softmax(x),
        loss=loss,
        grad=grad,
        lse=lse,
        shifted_loss=shifted_loss,
        p_shifted=p_shifted,
        shift_delta=shifted_loss - loss,
        grad_sum=np.sum(grad),
        top=int(np.argmax(p)),
        lowest_grad=int(np.argmin(grad)),
        p_shift_maxdiff=np.max(np.abs(p_shifted - p)),
        onehot=onehot(int(tgt), x.size) if index else tgt,
        neg_log_p=-F.log_softmax(z)[int(tgt)] if index else None,
        lse_minus_xy=lse - z[int(tgt)] if index else None,
        target_sum=None if index else np.sum(tgt),
    )


def code(logits, target, *, temperature: float = 1.0, shift: float = 0.0) -> str:
    """The page's view as a torch snippet: softmax, loss and gradient at the temperature, and the shifted loss.

    ``target`` as in :func:`softmax_view`: a class index (int) or a probability row.
    """
    soft = not isinstance(target, (int, np.integer))
    target_code = (
        f"torch.tensor({[float(a) for a in target]!r}, dtype=torch.float64)" if soft else f"torch.tensor({target})"
    )
    return (
        "import torch\nimport torch.nn.functional as F\n"
        f"x = torch.tensor({[float(a) for a in logits]!r}, dtype=torch.float64)\n"
        f"z = (x / {float(temperature)!r}).requires_grad_()\n"
        f"target = {target_code}\n"
        "loss = F.cross_entropy(z, target)\n"
        "(grad,) = torch.autograd.grad(loss, z)\n"
        "print('softmax', [round(p, 6) for p in torch.softmax(z, 0).tolist()])\n"
        "print('loss', loss.item())\n"
        "print('grad', [round(g, 6) for g in grad.tolist()])\n"
        f"print('shifted by {float(shift)!r}:', F.cross_entropy(z + {float(shift)!r}, target).item())"
    )
