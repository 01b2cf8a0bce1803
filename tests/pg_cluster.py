"""A throwaway PostgreSQL cluster for tests: Debian's server binaries, a temp dir, a Unix socket only.

``initdb`` refuses to run as root, so as root the cluster is created and run as the ``postgres`` OS user
(made by Debian's package) through ``runuser``; as any other user it runs as that user. The server
listens on no TCP port at all (``listen_addresses=''``), only on a socket in its own temp dir, so
parallel test workers never collide. Durability is off (fsync, full_page_writes): it is thrown away.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

INSTALL_HINT = "run `make dev-setup` (it installs Debian's `postgresql` when missing) or `apt-get install postgresql`"


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/<ver>/bin`` holding initdb, pg_ctl and postgres."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0,
    )
    found = [d for d in found if (d / "pg_ctl").exists() and (d / "postgres").exists()]
    if not found:
        raise PostgresUnavailable(
            f"PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): {INSTALL_HINT}"
        )
    return found[-1]


class PostgresCluster:
    """``start()`` → a running server; ``url(db)`` for SQLAlchemy; ``create_database()``; ``stop()``."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.root: Path | None = None
        self._as: list[str] = []
        self._uid = self._gid = None

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        proc = subprocess.run(
            [*self._as, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
            cwd=self.root or "/",  # the postgres user may not be allowed into the caller's directory
        )
        if proc.returncode != 0:
            log = ""
            if self.root is not None and (self.root / "server.log").exists():
                log = (self.root / "server.log").read_text(errors="replace")[-3000:]
            raise PostgresUnavailable(
                f"{' '.join(args[:2])} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{log}"
            )
        return proc

    def start(self) -> PostgresCluster:
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    f"running as root but there is no `postgres` OS user: {INSTALL_HINT}"
                ) from None
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            self._as = [runuser, "-u", "postgres", "--"]
            self._uid, self._gid = pw.pw_uid, pw.pw_gid
        # Short path: a Unix socket's path must stay under ~107 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="lvpg-", dir="/tmp"))
        if self._uid is not None:
            os.chown(self.root, self._uid, self._gid)
        data = self.root / "data"
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        opts = (
            f"-c listen_addresses='' -k {self.root} -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=60 -c shared_buffers=32MB"
        )
        try:
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.root / "server.log"),
                "-o", opts, "-w", "-t", "60", "start",
            )  # fmt: skip
        except BaseException:
            self.stop()
            raise
        return self

    def url(self, database: str = "postgres") -> str:
        assert self.root is not None
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}"

    def _admin(self):
        import psycopg

        return psycopg.connect(host=str(self.root), user="postgres", dbname="postgres", autocommit=True)

    def create_database(self) -> str:
        """A new, empty database; returns its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def create_schema(self) -> str:
        """A new, empty schema that the returned URL's connections use (search_path): much cheaper
        than a database, and just as separate for tables that name no schema."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self._admin() as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url()}&options=-csearch_path%3D{name}"

    def stop(self) -> None:
        if self.root is None:
            return
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "-t", "30", "stop")
            except (PostgresUnavailable, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
