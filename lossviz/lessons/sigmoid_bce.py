"""Lesson 1, Sigmoid & binary cross-entropy: the element table of a small batch of logits.
"""

from __future__ import annotations

import numpy as np

from lossviz.core import functional as F
from lossviz.text import fmt


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
