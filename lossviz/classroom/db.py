"""The poll tables (SQLAlchemy Core) and the engine: SQLite by default, PostgreSQL by URL.

SQLite: one file in the data directory (``$LOSSVIZ_DATA_DIR``, default ``./data``), WAL mode and a
busy timeout on every connection, so several replicas on one host can share it. PostgreSQL: when
``$LOSSVIZ_DATABASE_URL`` names one (``postgresql://...``; the psycopg 3 driver is used), for replicas
on several hosts. Same tables and statements for both; :func:`create_schema` runs on start.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

DATA_DIR_ENV = "LOSSVIZ_DATA_DIR"
DATABASE_URL_ENV = "LOSSVIZ_DATABASE_URL"
DEFAULT_DATA_DIR = "data"
SQLITE_FILE = "lossviz.sqlite3"
BUSY_TIMEOUT_MS = 15_000

metadata = sa.MetaData()

polls = sa.Table(
    "lossviz_polls",
    metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("question_key", sa.String(120), nullable=False),
    sa.Column("lesson", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("options", sa.Text, nullable=False),  # JSON list of option keys
    sa.Column("min_value", sa.Double, nullable=True),
    sa.Column("max_value", sa.Double, nullable=True),
    sa.Column("params", sa.Text, nullable=False),  # JSON object
    sa.Column("salt", sa.String(64), nullable=False),  # per poll, for the voter hashes
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("expires_at", sa.Double, nullable=False, index=True),
    sa.Column("revealed_at", sa.Double, nullable=True),
    sa.Column("n_answers", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_answers", sa.Integer, nullable=False),
)

answers = sa.Table(
    "lossviz_answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("poll_code", sa.String(8), sa.ForeignKey(polls.c.code, ondelete="CASCADE"), nullable=False),
    sa.Column("voter_hash", sa.String(64), nullable=False),  # sha256(salt + voter token), never the token
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("answered_at", sa.Double, nullable=False),
    sa.UniqueConstraint("poll_code", "voter_hash", name="uq_lossviz_answers_one_per_voter"),
)


def database_url(env: Mapping[str, str] | None = None) -> URL:
    """``$LOSSVIZ_DATABASE_URL`` if set (PostgreSQL or SQLite), else the SQLite file in the data directory."""
    env = os.environ if env is None else env
    raw = (env.get(DATABASE_URL_ENV) or "").strip()
    if not raw:
        data_dir = Path(env.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
        return URL.create("sqlite", database=str(data_dir / SQLITE_FILE))
    if raw.startswith("postgres://"):  # the form some hosts hand out
        raw = "postgresql://" + raw[len("postgres://") :]
    url = make_url(raw)
    backend = url.get_backend_name()
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url
    raise ValueError(f"{DATABASE_URL_ENV} must name a PostgreSQL or SQLite database, got {url.drivername!r}")


def make_engine(url: URL | str) -> Engine:
    """An engine with this app's connection set-up (WAL, busy timeout and IMMEDIATE writes on SQLite)."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return sa.create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=16, pool_timeout=30)


def _sqlite_engine(url: URL) -> Engine:
    if not url.database or url.database == ":memory:":
        raise ValueError("the poll store needs a SQLite file that every replica can open, not :memory:")
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        pool_size=8,
        max_overflow=16,
        pool_timeout=30,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # the driver's own BEGIN is off: _on_begin emits ours
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash of the app loses nothing
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # A write transaction takes the write lock at BEGIN, so it waits (busy timeout) instead of
        # failing when it would upgrade a read lock another writer has overtaken.
        write = conn.get_execution_options().get("lossviz_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def create_schema(engine: Engine, attempts: int = 5) -> None:
    """``metadata.create_all``, tolerant of another replica creating the same tables at the same moment."""
    for attempt in range(attempts):
        try:
            with engine.connect() as conn:
                conn.execution_options(lossviz_write=True)
                with conn.begin():
                    metadata.create_all(conn, checkfirst=True)
            return
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
