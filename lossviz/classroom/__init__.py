"""Classroom features without Streamlit: the class poll's store (SQLite by default, PostgreSQL by URL)."""

from lossviz.classroom.db import DATA_DIR_ENV, DATABASE_URL_ENV, database_url
from lossviz.classroom.model import (
    CODE_ALPHABET,
    AnswerResult,
    AnswerStatus,
    Histogram,
    InvalidValue,
    InvalidVoter,
    Poll,
    PollClosed,
    PollError,
    PollExpired,
    PollFull,
    PollKind,
    PollNotFound,
    StoreUnavailable,
    TooManyPolls,
)
from lossviz.classroom.store import DEFAULT_TTL_S, PollStore, normalize_code

__all__ = [
    "CODE_ALPHABET",
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "DEFAULT_TTL_S",
    "AnswerResult",
    "AnswerStatus",
    "Histogram",
    "InvalidValue",
    "InvalidVoter",
    "Poll",
    "PollClosed",
    "PollError",
    "PollExpired",
    "PollFull",
    "PollKind",
    "PollNotFound",
    "PollStore",
    "StoreUnavailable",
    "TooManyPolls",
    "database_url",
    "normalize_code",
]
