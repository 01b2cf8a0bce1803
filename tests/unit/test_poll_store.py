"""The class poll's store on both backends: SQLite in a temp dir, and a real PostgreSQL cluster that
this session starts from Debian's binaries (tests/pg_cluster.py) and stops after.

No skip when PostgreSQL is missing: the fixture fails and says how to install it (`make test` does).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from lossviz.classroom import (
    CODE_ALPHABET,
    AnswerStatus,
    InvalidValue,
    InvalidVoter,
    PollClosed,
    PollExpired,
    PollFull,
    PollKind,
    PollNotFound,
    PollStore,
    StoreUnavailable,
    TooManyPolls,
    database_url,
)
from lossviz.classroom import db as poll_db
from tests.pg_cluster import PostgresCluster, PostgresUnavailable

BACKENDS = ["sqlite", "postgresql"]
ROOT = Path(__file__).resolve().parents[2]


class Clock:
    """An injectable clock: ``clock.t`` seconds, moved by ``advance``."""

    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL cluster per test session (per xdist worker), on a Unix socket in a temp dir."""
    try:
        cluster = PostgresCluster().start()
    except PostgresUnavailable as e:
        pytest.fail(f"PostgreSQL is needed for the poll store's tests: {e}", pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A fresh, empty database: a SQLite file in a temp dir, or a new schema on the session's cluster."""
    if request.param == "sqlite":
        return str(database_url({"LOSSVIZ_DATA_DIR": str(tmp_path / "data")}))
    return request.getfixturevalue("pg_cluster").create_schema()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_store(db_url, clock):
    """``make_store(**kw)``: a PollStore on this test's database; all are closed after the test."""
    stores: list[PollStore] = []

    def make(**kw) -> PollStore:
        kw.setdefault("clock", clock)
        s = PollStore(db_url, **kw)
        stores.append(s)
        return s

    yield make
    for s in stores:
        s.close()


@pytest.fixture
def store(make_store):
    return make_store()


def number_poll(store: PollStore, **kw) -> str:
    return store.create_poll("ce_options.predict_floor", lesson="ce_options", min_value=0, max_value=10, **kw)


def choice_poll(store: PollStore, **kw) -> str:
    return store.create_poll("ce_vs_bce.predict_larger", lesson="ce_vs_bce", options=["ce", "bce"], **kw)


def test_backend_and_sqlite_pragmas(store, db_url):
    assert store.backend == sa.make_url(db_url).get_backend_name()
    if store.backend == "sqlite":
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == poll_db.BUSY_TIMEOUT_MS


def test_create_and_get(store, clock):
    code = number_poll(store, params={"eps": 0.1, "classes": 4})
    assert 5 <= len(code) <= 6 and set(code) <= set(CODE_ALPHABET)
    poll = store.get_poll(code)
    assert poll is not None
    assert (poll.code, poll.question_key, poll.lesson, poll.kind) == (
        code, "ce_options.predict_floor", "ce_options", PollKind.NUMBER,
    )  # fmt: skip
    assert (poll.min_value, poll.max_value, poll.options) == (0.0, 10.0, ())
    assert dict(poll.params) == {"eps": 0.1, "classes": 4}
    assert poll.expires_at == pytest.approx(clock.t + 3 * 3600)
    assert not poll.revealed and poll.answers == 0
    assert store.get_poll(code.lower()) == poll  # typed on a phone
    c2 = choice_poll(store)
    assert c2 != code and store.get_poll(c2).options == ("ce", "bce")


def test_create_rejects_bad_definitions(store):
    with pytest.raises(ValueError):
        store.create_poll("Free text from a user?", lesson="ce_options", min_value=0, max_value=1)
    with pytest.raises(ValueError):
        store.create_poll("a.b", lesson="ce_options", options=["only_one"])
    with pytest.raises(ValueError):
        store.create_poll("a.b", lesson="ce_options", min_value=2, max_value=1)
    with pytest.raises(ValueError):
        store.create_poll("a.b", lesson="ce_options", options=["a", "b"], min_value=0, max_value=1)


def test_answer_and_histogram(store):
    code = number_poll(store)
    assert store.answer(code, "v1", 1.0).status is AnswerStatus.ACCEPTED
    assert store.answer(code, "v2", "2.5").total == 2
    assert store.answer(code, "v3", 10).accepted
    assert store.count(code) == store.counts(code) == 3
    h = store.histogram(code, bins=5)
    assert h.total == 3 and h.counts == (1, 1, 0, 0, 1) and h.edges == (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)
    assert h.mean == pytest.approx(13.5 / 3)
    c = choice_poll(store)
    store.answer(c, "v1", 1)
    store.answer(c, "v2", "bce")
    store.answer(c, "v3", "0")
    h = store.histogram(c)
    assert (h.kind, h.labels, h.counts, h.total, h.mean) == (PollKind.CHOICE, ("ce", "bce"), (1, 2), 3, None)


def test_one_answer_per_voter(store):
    code = choice_poll(store)
    assert store.answer(code, "browser-a", 0).status is AnswerStatus.ACCEPTED
    again = store.answer(code, "browser-a", 1)
    assert again.status is AnswerStatus.ALREADY_ANSWERED and not again.accepted and again.total == 1
    assert store.histogram(code).counts == (1, 0)  # the first answer stands
    assert store.has_answered(code, "browser-a") and not store.has_answered(code, "browser-b")
    other = choice_poll(store)  # the same browser may answer another poll
    assert store.answer(other, "browser-a", 1).accepted


def test_the_one_answer_rule_is_a_database_constraint(store):
    code = choice_poll(store)
    store.answer(code, "browser-a", 0)
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(poll_db.answers)).mappings().one()
        dup = {k: row[k] for k in ("poll_code", "voter_hash", "value", "answered_at")}
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(poll_db.answers.insert().values(**dup))


def test_nothing_personal_is_stored(store):
    code = number_poll(store)
    token = "tok-9f8e7d6c5b4a"
    store.answer(code, token, 3)
    with store.engine.connect() as conn:
        rows = [tuple(map(str, r)) for r in conn.execute(sa.select(poll_db.answers)).all()]
        rows += [tuple(map(str, r)) for r in conn.execute(sa.select(poll_db.polls)).all()]
        salt = conn.scalar(sa.select(poll_db.polls.c.salt))
    assert not any(token in cell for row in rows for cell in row)
    unsalted = hashlib.sha256(token.encode()).hexdigest()
    assert not any(unsalted in cell for row in rows for cell in row)
    assert salt and len(salt) >= 16


def test_out_of_range_and_invalid_values(store):
    n = number_poll(store)
    c = choice_poll(store)
    for code, bad in [(n, 10.5), (n, -1), (n, float("nan")), (n, float("inf")), (n, "abc"), (n, None), (n, True),
                      (c, 2), (c, -1), (c, 0.5), (c, "maybe")]:  # fmt: skip
        with pytest.raises(InvalidValue) as e:
            store.answer(code, "v", bad)
        assert e.value.reason == "invalid_value"
    assert store.count(n) == store.count(c) == 0
    for voter in ["", "x" * 129, None]:
        with pytest.raises(InvalidVoter):
            store.answer(n, voter, 1)


def test_unknown_codes(store):
    for code in ["ZZZZZ", "", "O0I1L", "<script>", None, "A" * 40]:
        assert store.get_poll(code) is None
        with pytest.raises(PollNotFound) as e:
            store.answer(code, "v", 1)
        assert e.value.reason == "unknown_code"
        with pytest.raises(PollNotFound):
            store.is_revealed(code)
        with pytest.raises(PollNotFound):
            store.reveal(code)


def test_expiry_with_injected_clock(store, clock):
    code = number_poll(store)
    short = number_poll(store, ttl_s=60)
    store.answer(code, "v1", 1)
    clock.advance(61)
    assert store.get_poll(short) is None and store.get_poll(code) is not None
    with pytest.raises(PollExpired) as e:
        store.answer(short, "v1", 1)
    assert e.value.reason == "expired"
    clock.advance(3 * 3600)  # past the default 3 h
    assert store.get_poll(code) is None
    with pytest.raises(PollExpired):
        store.answer(code, "v2", 1)
    with pytest.raises(PollExpired):
        store.count(code)
    live = number_poll(store)
    assert store.purge_expired() == 2
    with pytest.raises(PollNotFound):  # purged: now simply unknown
        store.answer(code, "v2", 1)
    with store.engine.connect() as conn:  # its answers went with it
        assert conn.scalar(sa.select(sa.func.count()).select_from(poll_db.answers)) == 0
    assert store.get_poll(live) is not None and store.purge_expired() == 0


def test_creating_a_poll_purges_polls_expired_a_day_ago(store, clock):
    old, recent = number_poll(store, ttl_s=60), number_poll(store, ttl_s=3600)
    store.answer(old, "v1", 1)
    clock.advance(2 * 3600)  # both expired, `recent` only an hour ago
    middle = number_poll(store)  # expires in 3 h
    with pytest.raises(PollExpired):  # a late student still reads "expired"
        store.answer(recent, "v1", 1)
    clock.advance(22.5 * 3600)  # `old` is now more than a day past its expiry, `recent` not yet
    newest = number_poll(store)
    with pytest.raises(PollNotFound):
        store.answer(old, "v1", 1)
    with pytest.raises(PollExpired):
        store.answer(recent, "v1", 1)
    assert store.purge_expired(older_than_s=3600) == 2  # `recent` and `middle`
    assert store.get_poll(middle) is None and store.get_poll(newest) is not None


def test_reveal(store):
    code = choice_poll(store)
    store.answer(code, "v1", 0)
    assert store.is_revealed(code) is False and not store.histogram(code).revealed
    poll = store.reveal(code)
    assert poll.revealed and store.is_revealed(code) and store.histogram(code).revealed
    assert store.reveal(code).revealed_at == poll.revealed_at  # idempotent
    with pytest.raises(PollClosed) as e:
        store.answer(code, "v2", 1)
    assert e.value.reason == "closed"
    assert store.count(code) == 1


def test_codes_are_unique_among_live_polls(make_store, clock):
    seq = iter(["AAAAA", "AAAAA", "BBBBB", "AAAAA"])
    store = make_store(code_factory=lambda: next(seq))
    first = number_poll(store, ttl_s=60)
    assert first == "AAAAA"
    assert number_poll(store) == "BBBBB"  # AAAAA is live: drawn again
    store.answer(first, "v1", 1)
    clock.advance(120)
    assert number_poll(store) == "AAAAA"  # expired: its code is taken over, its answers gone
    assert store.count("AAAAA") == 0 and store.answer("AAAAA", "v1", 2).accepted


def test_flood_caps(make_store):
    store = make_store(max_answers=3, max_live_polls=2)
    code = number_poll(store)
    for i in range(3):
        assert store.answer(code, f"v{i}", i).accepted
    assert store.answer(code, "v0", 5).status is AnswerStatus.ALREADY_ANSWERED
    with pytest.raises(PollFull) as e:
        store.answer(code, "v3", 1)
    assert e.value.reason == "full" and store.count(code) == 3
    number_poll(store)
    with pytest.raises(TooManyPolls):
        number_poll(store)


def test_two_instances_share_the_database(make_store):
    """Two replicas (two stores, two engines) on the same file or server see each other's writes."""
    a, b = make_store(), make_store()
    code = number_poll(a)
    assert b.get_poll(code) is not None
    a.answer(code, "phone-1", 1)
    b.answer(code, "phone-2", 2)
    assert b.answer(code, "phone-1", 3).status is AnswerStatus.ALREADY_ANSWERED
    assert a.count(code) == b.count(code) == 2
    b.reveal(code)
    assert a.is_revealed(code)


def test_concurrent_answers_none_lost(make_store):
    """16 threads × 20 voters each, spread over two store instances: every answer is counted once."""
    stores = [make_store(), make_store()]
    code = choice_poll(stores[0])
    errors: list[BaseException] = []
    statuses: list[AnswerStatus] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def worker(t: int) -> None:
        store = stores[t % 2]
        try:
            start.wait(timeout=30)
            for v in range(20):
                r = store.answer(code, f"t{t}-v{v}", (t + v) % 2)
                with lock:
                    statuses.append(r.status)
        except BaseException as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not any(th.is_alive() for th in threads)
    assert errors == []
    assert statuses.count(AnswerStatus.ACCEPTED) == 320
    assert stores[0].count(code) == stores[1].count(code) == 320
    assert stores[1].get_poll(code).answers == 320
    assert sum(stores[0].histogram(code).counts) == 320


REPLICA = """
import sys
from lossviz.classroom import PollStore
url, code, tag = sys.argv[1:4]
store = PollStore(url)
ok = sum(store.answer(code, f"{tag}-{v}", v % 2).accepted for v in range(40))
print(ok)
"""


def test_replica_processes_answer_concurrently(store, db_url):
    """Three separate processes (like replicas on one host) answer one poll at once: none lost."""
    code = choice_poll(store)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", REPLICA, db_url, code, f"r{i}"], stdout=subprocess.PIPE, env=env)
        for i in range(3)
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0]
    assert [int(o) for o in outs] == [40, 40, 40]
    assert store.count(code) == 120 and store.histogram(code).counts == (60, 60)


def test_database_url_from_env(tmp_path):
    assert database_url({}).database == "data/lossviz.sqlite3"
    assert database_url({"LOSSVIZ_DATA_DIR": str(tmp_path)}).database == str(tmp_path / "lossviz.sqlite3")
    url = database_url({"LOSSVIZ_DATABASE_URL": "postgres://u:p@db.example:5432/polls", "LOSSVIZ_DATA_DIR": "x"})
    assert (url.drivername, url.host, url.database) == ("postgresql+psycopg", "db.example", "polls")
    assert database_url({"LOSSVIZ_DATABASE_URL": "postgresql://u@h/d"}).drivername == "postgresql+psycopg"
    with pytest.raises(ValueError):
        database_url({"LOSSVIZ_DATABASE_URL": "mysql://u@h/d"})


def test_a_database_that_does_not_answer_is_a_typed_error(tmp_path, db_url, monkeypatch):
    """A database that is down or locked too long gives StoreUnavailable (a PollError the UI can show),
    never a driver traceback."""
    monkeypatch.setattr(poll_db, "BUSY_TIMEOUT_MS", 300)
    store = PollStore(db_url)
    code = number_poll(store)
    holder = None
    if store.backend == "sqlite":  # another process holds the write lock longer than the busy timeout
        holder = sqlite3.connect(sa.make_url(db_url).database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:  # a server that is not there
        store.close()
        url = sa.make_url(db_url).set(query={"host": str(tmp_path), "connect_timeout": "2"})
        with pytest.raises(StoreUnavailable):  # on start, creating the schema
            PollStore(url)
        store = PollStore(engine=sa.create_engine(url), create_schema=False)
    try:
        with pytest.raises(StoreUnavailable) as e:
            store.answer(code, "v1", 1)
        assert e.value.reason == "unavailable"
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
        store.close()
