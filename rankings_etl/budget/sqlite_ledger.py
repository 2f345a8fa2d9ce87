"""The rate-budget ledger in one SQLite file: the default, for the processes of one machine.

The arithmetic is :class:`~rankings_etl.budget.ledger.Ledger`'s; this module only opens the
file, keeps it in WAL mode with a versioned schema (``PRAGMA user_version``; a v1 file is
migrated in place the first time v2 code opens it), and makes every write a
``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from rankings_etl.budget.ledger import SCHEMA_VERSION, Ledger, Limits
from rankings_etl.core.transactions import transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS slots (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      REAL    NOT NULL,  -- epoch s: when sent (reserved: when reserved or renewed)
    state   TEXT    NOT NULL CHECK (state IN ('sent', 'reserved')),
    key_fp  TEXT    NOT NULL,  -- the key's fingerprint, never the key
    account TEXT    NOT NULL,
    holder  TEXT,              -- the reservation this slot belongs (or belonged) to
    run_id  TEXT,              -- the Dagster run that took it, when known
    expires REAL,              -- reserved: when an unused slot stops counting
    status  INTEGER,           -- HTTP status of the request, once known
    label   TEXT,              -- what was requested, e.g. 2025-06-15..2025-06-15
    dataset TEXT               -- v2: the registry dataset it was for; NULL: unattributed
);
CREATE INDEX IF NOT EXISTS slots_by_account ON slots (account, state, at);
CREATE INDEX IF NOT EXISTS slots_by_key ON slots (key_fp, state, at);
CREATE INDEX IF NOT EXISTS slots_by_holder ON slots (holder, state);
CREATE INDEX IF NOT EXISTS slots_by_dataset ON slots (account, dataset, state, at);
CREATE TABLE IF NOT EXISTS penalties (
    key_fp  TEXT PRIMARY KEY,  -- the key the server told to back off
    account TEXT NOT NULL,
    at      REAL NOT NULL,     -- when the 429 arrived
    until   REAL NOT NULL,     -- no process sends with this key before then
    reason  TEXT NOT NULL
);
"""


class SQLiteLedger(Ledger):
    """The ledger in one SQLite file (WAL), shared by every process on the machine.

    Each call opens its own short-lived connection (cheap next to an HTTP request, and safe
    across threads and forks) and runs in ``BEGIN IMMEDIATE``: the write lock is taken before
    anything is read, so two processes can never both see the last free slot.
    """

    def __init__(self, path: str | Path, limits: Limits, *, busy_timeout_seconds: float = 30.0):
        self.path = Path(path)
        self.limits = limits
        self.busy_timeout_seconds = busy_timeout_seconds
        self._initialized = False

    def __repr__(self) -> str:
        return f"SQLiteLedger({str(self.path)!r}, {self.limits})"

    # --- connections ------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=self.busy_timeout_seconds, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_seconds * 1000)}")
        if not self._initialized:
            self._initialize(con)
        con.execute("PRAGMA synchronous = FULL")
        return con

    def _initialize(self, con: sqlite3.Connection) -> None:
        self._ensure_wal(con)
        with transaction(con, "BEGIN IMMEDIATE"):
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.OperationalError(
                    f"{self.path} has rate-budget schema v{version}; this code knows "
                    f"v{SCHEMA_VERSION}: upgrade rankings_etl"
                )
            if version < 2:
                self._migrate_v1(con)
            for statement in SCHEMA.split(";\n"):
                if statement.strip():
                    con.execute(statement)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._initialized = True

    @staticmethod
    def _migrate_v1(con: sqlite3.Connection) -> None:
        """v1 → v2: slots gain ``dataset``; the rows already there stay, unattributed (NULL).

        Runs inside :meth:`_initialize`'s ``BEGIN IMMEDIATE``: a process that opens the file at
        the same moment waits for the lock and then reads user_version 2, so the column is
        added once. The check on the columns keeps it safe on a file whose version was set by
        hand.
        """
        columns = {row[1] for row in con.execute("PRAGMA table_info(slots)")}
        if columns and "dataset" not in columns:
            con.execute("ALTER TABLE slots ADD COLUMN dataset TEXT")

    def _ensure_wal(self, con: sqlite3.Connection) -> None:
        """Put the file in WAL mode (once: the mode is stored in the file).

        Switching needs a moment with no other connection, and SQLite reports "locked" at
        once rather than calling the busy handler, so processes that all open a new ledger
        together retry here until one of them has switched it.
        """
        deadline = time.monotonic() + self.busy_timeout_seconds
        while True:
            try:
                mode = con.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() == "wal":
                    return
                problem = f"the journal mode stayed {mode!r}"
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                problem = str(exc)
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError(f"{self.path}: could not switch to WAL: {problem}")
            time.sleep(random.uniform(0.005, 0.05))

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            with transaction(con, "BEGIN IMMEDIATE"):
                yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot (WAL readers never block writers, nor wait for them)."""
        con = self._connect()
        try:
            with transaction(con, "BEGIN DEFERRED"):
                yield con
        finally:
            con.close()

    def exists(self) -> bool:
        return self.path.exists()
