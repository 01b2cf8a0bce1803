"""Lesson 1, Sigmoid & binary cross-entropy: the element table of a small batch of logits.
"""

from __future__ import annotations

import numpy as np

from lossviz.core import functional as F
from lossviz.text import codegen, fmt


def logits_rows(x, y, reduction: str = "mean") -> list[dict[str, str]]:
    """BCEWithLogitsLoss element by element: x, σ(x), y, the element's loss and the gradient
    of the *reduced* loss with respect to that logit (σ(x) − y, ÷ numel for ``mean``).

    Raises the same :class:`~lossviz.core.errors.LossVizError` as the loss for bad shapes or reductions.
    """
    x = np.asarray(x)
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    grad = F.binary_cross_entropy_with_logits_grad(x, y, reduction=reduction)
    sig = F.sigmoid(x)
    y = np.asarray(y, dtype=x.dtype)
    return [
        {"element": fmt.element_label(i), "x": fmt.cell(x[i]), "sigma": fmt.cell(sig[i]), "y": fmt.cell(y[i]),
         "loss": fmt.cell(loss[i]), "grad": fmt.cell(grad[i])}
        for i in np.ndindex(x.shape)
    ]


def small_tensor_code(x, y, reduction: str = "mean") -> str:
    """Runnable torch code for the small tensor in float32: σ(x), the reduced loss, the gradient of each logit."""
    out = "loss.tolist()" if reduction == "none" else "loss.item()"
    per_numel = " divided by numel" if reduction == "mean" else ""
    return "\n".join([
        "import torch",
        codegen.tensor("x", x, "float32", requires_grad=True),
        codegen.tensor("y", y, "float32"),
        f"loss = torch.nn.BCEWithLogitsLoss(reduction={reduction!r})(x, y)",
        "print(torch.sigmoid(x).tolist())",
        f"print({out})",
        "loss.sum().backward()",
        "print(x.grad.tolist())  # sigmoid(x) - y" + per_numel,
    ])
