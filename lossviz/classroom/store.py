"""The class poll store: polls with short codes, one answer per browser, counts, reveal, expiry.

Every replica of the app opens the same database (see :mod:`lossviz.classroom.db`), so a student on
one replica and the presenter on another see the same poll. The store keeps nothing personal: a voter
is a random token the app makes per browser, and only ``sha256(per-poll salt + token)`` is stored.

Flood protection: each poll takes at most ``max_answers`` answers (counted atomically with the
insert), and the store holds at most ``max_live_polls`` unexpired polls.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from lossviz.classroom import db
from lossviz.classroom.model import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_OPTIONS,
    MAX_VOTER_ID,
    AnswerResult,
    AnswerStatus,
    Histogram,
    InvalidVoter,
    Poll,
    PollClosed,
    PollExpired,
    PollFull,
    PollKind,
    PollNotFound,
    StoreUnavailable,
    TooManyPolls,
    check_key,
    check_params,
    coerce_value,
)

DEFAULT_TTL_S = 3 * 3600.0
DEFAULT_MAX_ANSWERS = 1000
DEFAULT_MAX_LIVE_POLLS = 500
DEFAULT_BINS = 10
PURGE_AFTER_S = 24 * 3600.0  # expired polls older than this go when a new poll is made
_CODE_ATTEMPTS = 20


def random_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: object) -> str | None:
    """The code as stored (upper case, spaces dropped), or None when it cannot be one of ours."""
    if not isinstance(code, str):
        return None
    c = code.strip().upper().replace(" ", "").replace("-", "")
    if not 4 <= len(c) <= 8 or any(ch not in CODE_ALPHABET for ch in c):
        return None
    return c


class PollStore:
    """Polls in a SQL database through SQLAlchemy Core; thread-safe, one instance per process is enough.

    ``clock`` (epoch seconds) and ``code_factory`` are there for tests.
    """

    def __init__(
        self,
        url: URL | str | None = None,
        *,
        engine: Engine | None = None,
        clock: Callable[[], float] = time.time,
        code_factory: Callable[[], str] = random_code,
        max_answers: int = DEFAULT_MAX_ANSWERS,
        max_live_polls: int = DEFAULT_MAX_LIVE_POLLS,
        create_schema: bool = True,
    ) -> None:
        if engine is None:
            engine = db.make_engine(db.database_url() if url is None else url)
        self.engine = engine
        self.backend = engine.dialect.name  # "sqlite" or "postgresql"
        self._clock = clock
        self._code_factory = code_factory
        self.max_answers = max_answers
        self.max_live_polls = max_live_polls
        if create_schema:
            try:
                db.create_schema(engine)
            except (sa.exc.DBAPIError, sa.exc.TimeoutError) as e:
                raise _unavailable(e) from e

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs) -> PollStore:
        """The store ``$LOSSVIZ_DATABASE_URL`` / ``$LOSSVIZ_DATA_DIR`` name (SQLite ``./data`` by default)."""
        return cls(db.database_url(env), **kwargs)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                conn.execution_options(lossviz_write=write)
                with conn.begin():
                    yield conn
        except sa.exc.IntegrityError:
            raise
        except (sa.exc.DBAPIError, sa.exc.TimeoutError) as e:  # database down, locked too long, pool exhausted
            raise _unavailable(e) from e

    # -- polls -------------------------------------------------------------------------------------

    def create_poll(
        self,
        question_key: str,
        *,
        lesson: str,
        options: Sequence[str] | None = None,
        min_value: float | None = None,
        max_value: float | None = None,
        params: Mapping[str, int | float | str | bool] | None = None,
        ttl_s: float = DEFAULT_TTL_S,
    ) -> str:
        """Open a poll and return its code. A CHOICE poll has ``options`` (catalog keys); a NUMBER poll
        has ``min_value`` and ``max_value`` instead."""
        check_key("question_key", question_key)
        check_key("lesson", lesson, 64)
        kind, opts, lo, hi = _check_answer_kind(options, min_value, max_value)
        if not (isinstance(ttl_s, int | float) and 0 < ttl_s <= 7 * 24 * 3600):
            raise ValueError(f"ttl_s must be in (0, 1 week], got {ttl_s!r}")
        row = {
            "question_key": question_key,
            "lesson": lesson,
            "kind": kind.value,
            "options": json.dumps(list(opts)),
            "min_value": lo,
            "max_value": hi,
            "params": json.dumps(check_params(params), sort_keys=True),
            "max_answers": self.max_answers,
        }
        for _ in range(_CODE_ATTEMPTS):
            code = self._code_factory()
            now = self._clock()
            try:
                with self._tx(write=True) as conn:
                    _purge(conn, now - PURGE_AFTER_S)
                    live = conn.scalar(sa.select(sa.func.count()).where(db.polls.c.expires_at > now))
                    if live >= self.max_live_polls:
                        raise TooManyPolls(f"{live} live polls: the store's limit is {self.max_live_polls}")
                    # A code is unique among live polls; an expired poll's code may be taken over.
                    old = conn.execute(
                        sa.select(db.polls.c.expires_at).where(db.polls.c.code == code)
                    ).scalar_one_or_none()
                    if old is not None:
                        if old > now:
                            continue
                        _delete_polls(conn, [code])
                    conn.execute(
                        db.polls.insert().values(
                            code=code, salt=secrets.token_hex(16), created_at=now, expires_at=now + ttl_s, **row
                        )
                    )
                return code
            except sa.exc.IntegrityError:
                continue  # another replica took the same code in the meantime
        raise RuntimeError(f"no free poll code after {_CODE_ATTEMPTS} attempts")

    def get_poll(self, code: str) -> Poll | None:
        """The poll, or None for an unknown or expired code."""
        try:
            return self._live_poll(code)
        except (PollNotFound, PollExpired):
            return None

    def _live_poll(self, code: str) -> Poll:
        return self._live_row(code)[0]

    def _live_row(self, code: str) -> tuple[Poll, str]:
        """The live poll and its salt, or :class:`PollNotFound` / :class:`PollExpired`."""
        c = normalize_code(code)
        if c is None:
            raise PollNotFound(f"not a poll code: {code!r}", None)
        with self._tx(write=False) as conn:
            row = conn.execute(sa.select(db.polls).where(db.polls.c.code == c)).mappings().one_or_none()
        if row is None:
            raise PollNotFound(f"no poll {c}", c)
        if row["expires_at"] <= self._clock():
            raise PollExpired(f"poll {c} has expired", c)
        return _poll_from_row(row), row["salt"]

    def reveal(self, code: str) -> Poll:
        """Mark the poll revealed (idempotent); it takes no more answers."""
        c = self._live_poll(code).code
        now = self._clock()
        with self._tx(write=True) as conn:
            conn.execute(
                db.polls.update().where(db.polls.c.code == c, db.polls.c.revealed_at.is_(None)).values(revealed_at=now)
            )
        return self._live_poll(c)

    def is_revealed(self, code: str) -> bool:
        """Whether the poll was revealed; :class:`PollNotFound` / :class:`PollExpired` otherwise."""
        return self._live_poll(code).revealed

    def purge_expired(self, older_than_s: float = 0.0) -> int:
        """Delete polls expired more than ``older_than_s`` ago, with their answers; returns how many went.

        :meth:`create_poll` runs it with :data:`PURGE_AFTER_S`, so the database never grows without bound
        while a student who comes late still reads "expired" rather than "unknown code" for a day.
        """
        now = self._clock()
        with self._tx(write=True) as conn:
            return _purge(conn, now - older_than_s)

    # -- answers -----------------------------------------------------------------------------------

    def answer(self, code: str, voter_id: str, value: object) -> AnswerResult:
        """Record ``voter_id``'s answer; a second answer from the same voter is ALREADY_ANSWERED.

        Raises :class:`PollNotFound`, :class:`PollExpired`, :class:`PollClosed` (revealed),
        :class:`PollFull`, :class:`InvalidValue` or :class:`InvalidVoter`.
        """
        if not isinstance(voter_id, str) or not 0 < len(voter_id) <= MAX_VOTER_ID:
            raise InvalidVoter("the voter token must be a non-empty string of at most 128 characters")
        poll, salt = self._live_row(code)
        x = coerce_value(poll, value)
        voter_hash = _voter_hash(salt, voter_id)
        now = self._clock()
        p = db.polls.c
        try:
            with self._tx(write=True) as conn:
                # Counting first takes the poll's row lock (PostgreSQL) or the write lock (SQLite), so
                # the cap holds under concurrency; a duplicate answer below rolls the count back.
                bumped = conn.execute(
                    db.polls.update()
                    .where(
                        p.code == poll.code, p.expires_at > now, p.revealed_at.is_(None), p.n_answers < p.max_answers
                    )
                    .values(n_answers=p.n_answers + 1)
                    .returning(p.n_answers)
                ).scalar_one_or_none()
                if bumped is None:
                    return self._why_refused(conn, poll.code, now, voter_hash)
                conn.execute(
                    db.answers.insert().values(poll_code=poll.code, voter_hash=voter_hash, value=x, answered_at=now)
                )
            return AnswerResult(AnswerStatus.ACCEPTED, int(bumped))
        except sa.exc.IntegrityError:
            # The UNIQUE (poll, voter) constraint: this browser answered before; its first answer stands.
            return AnswerResult(AnswerStatus.ALREADY_ANSWERED, self.count(poll.code))

    @staticmethod
    def _why_refused(conn: Connection, code: str, now: float, voter_hash: str) -> AnswerResult:
        """Why the count could not go up: an error, or ALREADY_ANSWERED for a voter of a full poll."""
        row = conn.execute(sa.select(db.polls).where(db.polls.c.code == code)).mappings().one_or_none()
        if row is None:
            raise PollNotFound(f"no poll {code}", code)
        if row["expires_at"] <= now:
            raise PollExpired(f"poll {code} has expired", code)
        if row["revealed_at"] is not None:
            raise PollClosed(f"poll {code} was revealed and takes no more answers", code)
        a = db.answers.c
        if conn.scalar(sa.select(a.id).where(a.poll_code == code, a.voter_hash == voter_hash)) is not None:
            return AnswerResult(AnswerStatus.ALREADY_ANSWERED, int(row["n_answers"]))
        raise PollFull(f"poll {code} reached its limit of {row['max_answers']} answers", code)

    def has_answered(self, code: str, voter_id: str) -> bool:
        """Whether this voter token answered the poll (for the student's page after a reload)."""
        poll, salt = self._live_row(code)
        a = db.answers.c
        with self._tx(write=False) as conn:
            hit = conn.scalar(
                sa.select(a.id).where(a.poll_code == poll.code, a.voter_hash == _voter_hash(salt, voter_id))
            )
        return hit is not None

    def count(self, code: str) -> int:
        """How many answers the poll has (counted from the answers themselves)."""
        c = self._live_poll(code).code
        with self._tx(write=False) as conn:
            return int(conn.scalar(sa.select(sa.func.count()).where(db.answers.c.poll_code == c)))

    counts = count

    def histogram(self, code: str, bins: int = DEFAULT_BINS) -> Histogram:
        """Answers per option (CHOICE), or in ``bins`` equal bins over [min, max] (NUMBER)."""
        poll = self._live_poll(code)
        a = db.answers.c
        with self._tx(write=False) as conn:
            rows = conn.execute(
                sa.select(a.value, sa.func.count()).where(a.poll_code == poll.code).group_by(a.value)
            ).all()
        total = sum(int(n) for _, n in rows)
        if poll.kind is PollKind.CHOICE:
            counts = [0] * len(poll.options)
            for v, n in rows:
                counts[int(v)] += int(n)
            return Histogram(poll.code, poll.kind, total, tuple(counts), poll.options, (), None, poll.revealed)
        lo, hi = float(poll.min_value), float(poll.max_value)  # type: ignore[arg-type]
        bins = max(1, int(bins)) if hi > lo else 1
        width = (hi - lo) / bins
        edges = tuple(lo + i * width for i in range(bins)) + (hi,)
        counts = [0] * bins
        for v, n in rows:
            i = bins - 1 if width == 0 else min(bins - 1, max(0, math.floor((v - lo) / width)))
            counts[i] += int(n)
        mean = sum(v * n for v, n in rows) / total if total else None
        return Histogram(poll.code, poll.kind, total, tuple(counts), (), edges, mean, poll.revealed)


def _check_answer_kind(
    options: Sequence[str] | None, min_value: float | None, max_value: float | None
) -> tuple[PollKind, tuple[str, ...], float | None, float | None]:
    if options is not None:
        if min_value is not None or max_value is not None:
            raise ValueError("a poll has either options or a numeric range, not both")
        opts = tuple(check_key("option", o, 60) for o in options)
        if not 2 <= len(opts) <= MAX_OPTIONS or len(set(opts)) != len(opts):
            raise ValueError(f"a choice poll needs 2..{MAX_OPTIONS} distinct options, got {opts!r}")
        return PollKind.CHOICE, opts, None, None
    if min_value is None or max_value is None:
        raise ValueError("a number poll needs min_value and max_value")
    lo, hi = float(min_value), float(max_value)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
        raise ValueError(f"the range must be finite with min <= max, got [{min_value}, {max_value}]")
    return PollKind.NUMBER, (), lo, hi


def _unavailable(e: Exception) -> StoreUnavailable:
    cause = getattr(e, "orig", None) or e
    return StoreUnavailable(f"the poll database did not answer ({type(cause).__name__}: {str(cause).strip()[:200]})")


def _voter_hash(salt: str, voter_id: object) -> str:
    return hashlib.sha256(f"{salt}:{voter_id}".encode()).hexdigest()


def _purge(conn: Connection, expired_before: float) -> int:
    codes = list(conn.scalars(sa.select(db.polls.c.code).where(db.polls.c.expires_at <= expired_before)))
    _delete_polls(conn, codes)
    return len(codes)


def _delete_polls(conn: Connection, codes: list[str]) -> None:
    """Answers first, then polls: no reliance on ON DELETE CASCADE being enforced."""
    for i in range(0, len(codes), 500):
        chunk = codes[i : i + 500]
        conn.execute(db.answers.delete().where(db.answers.c.poll_code.in_(chunk)))
        conn.execute(db.polls.delete().where(db.polls.c.code.in_(chunk)))


def _poll_from_row(row: Mapping) -> Poll:
    return Poll(
        code=row["code"],
        question_key=row["question_key"],
        lesson=row["lesson"],
        kind=PollKind(row["kind"]),
        options=tuple(json.loads(row["options"])),
        min_value=row["min_value"],
        max_value=row["max_value"],
        params=MappingProxyType(json.loads(row["params"])),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revealed_at=row["revealed_at"],
        answers=int(row["n_answers"]),
    )
