"""LossViz: PyTorch's classification losses, taught and checked against torch.

``lossviz.explain(loss, input, target)`` (from :mod:`lossviz.doctor`) explains a learner's own
loss call; it is imported on first use, so ``import lossviz`` stays light.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name == "explain":
        from lossviz.doctor import explain

        return explain
    raise AttributeError(f"module 'lossviz' has no attribute {name!r}")
