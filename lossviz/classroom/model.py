"""What the poll store hands out (small frozen dataclasses) and the typed errors it raises.

Everything here is language-neutral: a poll names its question and its options by catalog key
(``lossviz/locales``), never by text, so the question shown to a student never comes from user input.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

# Codes use no 0/O, 1/I/L: a student types them from a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 5

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")  # catalog key, e.g. "ce_options.predict_floor"
MAX_KEY = 120
MAX_OPTIONS = 12
MAX_PARAMS = 16
MAX_VOTER_ID = 128


class PollKind(enum.StrEnum):
    CHOICE = "choice"  # value: an option's index (or its key)
    NUMBER = "number"  # value: a finite number within [min_value, max_value]


class AnswerStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    ALREADY_ANSWERED = "already_answered"  # this browser answered this poll before: the first answer stands


class PollError(Exception):
    """Base of the store's refusals. ``reason`` is a stable, language-neutral key for the UI's message."""

    reason = "poll_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class PollNotFound(PollError):
    """No poll has this code (a typo, or a poll that expired and was purged)."""

    reason = "unknown_code"


class PollExpired(PollError):
    """The poll exists but its time is over: it takes no more answers."""

    reason = "expired"


class PollClosed(PollError):
    """The poll was revealed: answering now would only copy the answer."""

    reason = "closed"


class PollFull(PollError):
    """The poll reached its answer cap (flood protection)."""

    reason = "full"


class TooManyPolls(PollError):
    """The store holds its maximum of live polls (flood protection on create)."""

    reason = "too_many_polls"


class StoreUnavailable(PollError):
    """The database did not answer in time (down, restarting, or locked too long): try again shortly."""

    reason = "unavailable"


class InvalidValue(PollError, ValueError):
    """The answer is not a number, not finite, not an option, or out of the poll's range."""

    reason = "invalid_value"


class InvalidVoter(PollError, ValueError):
    """The voter token is empty or too long."""

    reason = "invalid_voter"


@dataclass(frozen=True)
class Poll:
    code: str
    question_key: str
    lesson: str
    kind: PollKind
    options: tuple[str, ...]  # option keys (CHOICE); empty for NUMBER
    min_value: float | None  # NUMBER only
    max_value: float | None
    params: Mapping[str, int | float | str | bool]  # the question's fixed numbers (e.g. {"eps": 0.1})
    created_at: float  # epoch seconds
    expires_at: float
    revealed_at: float | None
    answers: int

    @property
    def revealed(self) -> bool:
        return self.revealed_at is not None


@dataclass(frozen=True)
class AnswerResult:
    status: AnswerStatus
    total: int  # answers on the poll after this one

    @property
    def accepted(self) -> bool:
        return self.status is AnswerStatus.ACCEPTED


@dataclass(frozen=True)
class Histogram:
    code: str
    kind: PollKind
    total: int
    counts: tuple[int, ...]  # per option (CHOICE) or per bin (NUMBER)
    labels: tuple[str, ...]  # option keys (CHOICE); empty for NUMBER
    edges: tuple[float, ...]  # NUMBER: len(counts) + 1 bin edges, the last bin closed; empty for CHOICE
    mean: float | None  # NUMBER: the answers' mean; None without answers or for CHOICE
    revealed: bool


def check_key(what: str, key: str, max_len: int = MAX_KEY) -> str:
    if not isinstance(key, str) or not (0 < len(key) <= max_len) or not KEY_RE.match(key):
        raise ValueError(f"{what} must be a catalog-style key (a-z, 0-9, _ and dots), got {key!r}")
    return key


def check_params(params: Mapping[str, object] | None) -> dict[str, int | float | str | bool]:
    out: dict[str, int | float | str | bool] = {}
    for k, v in dict(params or {}).items():
        check_key("param name", k, 40)
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"param {k} must be finite, got {v!r}")
        if isinstance(v, str) and len(v) > 80:
            raise ValueError(f"param {k} is longer than 80 characters")
        if not isinstance(v, bool | int | float | str):
            raise ValueError(f"param {k} must be a number, a bool or a short string, got {type(v).__name__}")
        out[k] = v
    if len(out) > MAX_PARAMS:
        raise ValueError(f"at most {MAX_PARAMS} params")
    return out


def coerce_value(poll: Poll, value: object) -> float:
    """The answer as stored (a float), or :class:`InvalidValue` saying why not."""
    if poll.kind is PollKind.CHOICE and isinstance(value, str) and value in poll.options:
        return float(poll.options.index(value))
    if isinstance(value, bool) or value is None:
        raise InvalidValue(f"not a number: {value!r}", poll.code)
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise InvalidValue(f"not a number: {value!r}", poll.code) from None
    if not math.isfinite(x):
        raise InvalidValue(f"not a finite number: {value!r}", poll.code)
    if poll.kind is PollKind.CHOICE:
        if x != int(x) or not 0 <= x < len(poll.options):
            raise InvalidValue(f"choice must be an option index 0..{len(poll.options) - 1}, got {value!r}", poll.code)
        return float(int(x))
    assert poll.min_value is not None and poll.max_value is not None
    if not poll.min_value <= x <= poll.max_value:
        raise InvalidValue(f"answer {x:g} is outside [{poll.min_value:g}, {poll.max_value:g}]", poll.code)
    return x
