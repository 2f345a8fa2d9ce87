"""A throwaway PostgreSQL server for the tests: ``initdb`` and ``pg_ctl`` in a temp dir.

Tests that need Postgres (the multi-machine ledger, Dagster's Postgres storage) get a real
server on 127.0.0.1, started once per session from the OS package's binaries, with a fresh
database per test. Where the binaries are missing the tests are skipped with the reason,
unless ``RANKINGS_TEST_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) makes that a failure: CI
must never pass by skipping them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

USER = "rankings"
REQUIRE_ENV = "RANKINGS_TEST_REQUIRE_POSTGRES"


class PostgresUnavailable(RuntimeError):
    """Postgres cannot be started here; the message says why and how to fix it."""


def find_bindir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One running cluster; :meth:`new_database` gives each test its own database."""

    def __init__(self, bindir: Path, datadir: Path, port: int, run_as: str | None):
        self.bindir = bindir
        self.datadir = datadir
        self.port = port
        self.run_as = run_as

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def _command(self, *args: str) -> list[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *command] if self.run_as else command

    def new_database(self) -> str:
        """Create an empty database; return its URL."""
        import psycopg2

        name = f"t_{uuid.uuid4().hex[:12]}"
        con = psycopg2.connect(self.url())
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f"CREATE DATABASE {name}")
        finally:
            con.close()
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            self._command("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "stop"),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start_postgres(durable: bool = False) -> PostgresServer:
    """Start a cluster on a free loopback port, or raise :class:`PostgresUnavailable`.

    ``durable``: commits wait for the disk, as in production (the benchmark compares it with
    SQLite on disk); tests skip that wait.
    """
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
            "/usr/lib/postgresql/*/bin: install them (Debian: apt-get install postgresql)"
        )
    run_as = None
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            run_as = pwd.getpwnam("postgres").pw_name
        except KeyError:
            raise PostgresUnavailable(
                "running as root and there is no 'postgres' user to run the server as"
            ) from None
    base = Path(tempfile.mkdtemp(prefix="rankings-pg-"))
    datadir = base / "data"
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(bindir, datadir, _free_port(), run_as)
    steps = [
        server._command(
            "initdb", "-D", str(datadir), "-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8"
        ),
        server._command(
            "pg_ctl",
            "-D",
            str(datadir),
            "-l",
            str(base / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            # Loopback only; durability is not what these tests are about.
            f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=200"
            + (
                "" if durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            ),
            "start",
        ),
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = base / "server.log"
            detail = (done.stderr or done.stdout).strip()
            if log.exists():
                detail += "\n" + log.read_text()[-2000:]
            shutil.rmtree(base, ignore_errors=True)
            raise PostgresUnavailable(f"{' '.join(step)} failed: {detail}")
    return server
