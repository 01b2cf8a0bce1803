"""The doctor's one error type: where in the learner's text reading stopped, and why."""

from __future__ import annotations

import re

from lossviz.core.errors import LossValueError


class ParseError(LossValueError):
    """Text that is not a tensor; ``params`` carry ``line`` and ``col`` where reading stopped.

    ``code`` names the kind (catalog key ``error.<code>``): ``doctor_token`` (an unreadable
    token), ``doctor_ragged`` (rows of different lengths), ``doctor_unclosed``,
    ``doctor_too_long``, ``doctor_too_many``, ``doctor_too_deep``, ``doctor_summarised``
    (torch's or numpy's ``...``), ``doctor_dtype``, ``doctor_file`` (an upload), ``doctor_call``
    (a loss line).
    """


def position(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of character ``pos``.

    >>> position("[1,\\n x]", 5)
    (2, 2)
    """
    line = text.count("\n", 0, pos) + 1
    return line, pos - text.rfind("\n", 0, pos)


def error_at(code: str, what: str, text: str, pos: int, **params: object) -> ParseError:
    """A :class:`ParseError` saying ``what`` happened at line/column of ``pos``."""
    line, col = position(text, pos)
    token = re.match(r"[^\s,\[\]()]{0,20}|.", text[pos:], re.S)
    shown = token.group() if token and token.group() else text[pos : pos + 1]
    where = f"line {line}, column {col}"
    message = f"{what} at {where}" + (f": {shown!r}" if shown else " (end of text)")
    return ParseError(code, message, line=line, col=col, token=shown, **params)
