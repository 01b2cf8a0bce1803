"""Errors raised by :mod:`lossviz.core.functional`, of the same kinds torch raises.

Each error is a ``ValueError``/``RuntimeError``/``IndexError`` exactly where torch raises
that kind, carries torch's own message (so a page can show "what PyTorch says"), and a
language-neutral ``code`` with ``params`` so the page can explain it in the learner's
language (catalog key ``error.<code>``).
"""

from __future__ import annotations


class LossVizError(Exception):
    """Base of every error the loss core raises on bad input."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class LossValueError(LossVizError, ValueError):
    """Where torch raises ``ValueError`` (wrong sizes, unknown reduction)."""


class LossRuntimeError(LossVizError, RuntimeError):
    """Where torch raises ``RuntimeError`` (values out of range, wrong dtype, broadcasting)."""


class LossIndexError(LossVizError, IndexError):
    """Where torch raises ``IndexError`` (class index out of range)."""
