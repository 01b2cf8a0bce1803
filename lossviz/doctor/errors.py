"""The doctor's one error type: where in the learner's text reading stopped, and why."""

from __future__ import annotations

import re

from lossviz.core.errors import LossValueError


class ParseError(LossValueError):
    """Input the doctor refuses; the English message says what and where.

    ``code`` names the kind (catalog key ``error.<code>``) and ``params`` fill its template.
    Text: ``doctor_token`` (an unreadable token), ``doctor_ragged`` (rows of different lengths;
    also ``row``, ``expected``, ``got``), ``doctor_unclosed``, ``doctor_summarised`` (torch's or
    numpy's ``...``), ``doctor_too_deep`` (also ``limit``) — each with ``line``, ``col`` and
    ``token``; ``doctor_too_long`` and ``doctor_too_many`` (``size``, ``limit``);
    ``doctor_dtype`` (``dtype`` or a position). A loss line: ``doctor_call`` (``line``,
    ``col``). Files: ``doctor_file_*``, see :func:`lossviz.doctor.files.load_tensors`.
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
