"""The rate-budget ledger in Postgres: one budget for every machine that reaches the database.

A SQLite file enforces the budget only among the processes that share its disk. Once runs
execute on several machines (Docker containers, Kubernetes pods) that all spend one OpenRouter
account, the ledger has to live where all of them can take a slot atomically: here, a Postgres
database (``RANKINGS_BUDGET_DB=postgresql://user@host:5432/db``), typically the one Dagster's
own storage already uses.

The arithmetic is :class:`~rankings_etl.budget.ledger.Ledger`'s, the same statements the
SQLite ledger runs. What this module adds:

- **Atomic take-a-slot**: every write transaction starts with ``pg_advisory_xact_lock``, so
  "count the windows, then take a slot" runs one transaction at a time across all machines,
  exactly as ``BEGIN IMMEDIATE`` does on one machine. The lock is released at commit or
  rollback, and by the server if a client dies mid-transaction: no lock can be left behind.
  Reads (``rankings-etl budget``) use a ``REPEATABLE READ`` snapshot and never take it.
- **One clock**: a slot's time is the database server's, not the machine's (each machine's
  offset to the server is measured and re-measured), so two machines whose clocks drift apart
  still count the same rolling minute.
- **Its own namespace**: tables live in the ``rankings_budget`` schema, created on first use,
  so the ledger can share a database with Dagster's storage without touching its tables.

Each call opens a short-lived connection (a few ms on a LAN next to an HTTP request that
takes hundreds), which survives database restarts and forks without any pool to manage.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

from rankings_etl.budget.ledger import SCHEMA_VERSION, Ledger, LedgerError, Limits
from rankings_etl.budget.urls import ledger_name

PG_SCHEMA = "rankings_budget"

#: The ``pg_advisory_xact_lock`` key every write takes: one arbitrary bigint for this ledger.
LOCK_KEY = 0x72616E6B696E6773  # "rankings" in ASCII

#: How long a machine trusts its measured offset to the server's clock.
CLOCK_RESYNC_SECONDS = 300.0

SCHEMA = f"""
CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA};
CREATE TABLE IF NOT EXISTS {PG_SCHEMA}.slots (
    id      BIGSERIAL PRIMARY KEY,
    at      DOUBLE PRECISION NOT NULL,  -- epoch s on the server's clock
    state   TEXT NOT NULL CHECK (state IN ('sent', 'reserved')),
    key_fp  TEXT NOT NULL,              -- the key's fingerprint, never the key
    account TEXT NOT NULL,
    holder  TEXT,
    run_id  TEXT,
    expires DOUBLE PRECISION,
    status  INTEGER,
    label   TEXT,
    dataset TEXT                        -- v2: the registry dataset; NULL: unattributed
);
CREATE INDEX IF NOT EXISTS slots_by_account ON {PG_SCHEMA}.slots (account, state, at);
CREATE INDEX IF NOT EXISTS slots_by_key ON {PG_SCHEMA}.slots (key_fp, state, at);
CREATE INDEX IF NOT EXISTS slots_by_holder ON {PG_SCHEMA}.slots (holder, state);
CREATE TABLE IF NOT EXISTS {PG_SCHEMA}.penalties (
    key_fp  TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    at      DOUBLE PRECISION NOT NULL,
    until   DOUBLE PRECISION NOT NULL,
    reason  TEXT NOT NULL
);
"""


class _Cursor:
    """A psycopg2 cursor with sqlite3's calling convention: ``?`` placeholders, chained fetch."""

    def __init__(self, cursor: Any):
        self._cursor = cursor

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        self._cursor.execute(sql.replace("?", "%s"), tuple(parameters))
        return self._cursor

    def executemany(self, sql: str, seq_of_parameters: Any) -> Any:
        self._cursor.executemany(sql.replace("?", "%s"), list(seq_of_parameters))
        return self._cursor


class PostgresLedger(Ledger):
    """The ledger in a Postgres database, shared by every machine that can reach it."""

    _IS_NOT = "IS DISTINCT FROM"

    def __init__(
        self,
        url: str,
        limits: Limits,
        *,
        lock_timeout_seconds: float = 30.0,
        connect_timeout_seconds: float = 10.0,
    ):
        self.url = url
        self.limits = limits
        self.lock_timeout_seconds = lock_timeout_seconds
        self.connect_timeout_seconds = connect_timeout_seconds
        self._initialized = False
        self._clock_offset = 0.0
        self._clock_synced_at: float | None = None

    def __repr__(self) -> str:
        return f"PostgresLedger({ledger_name(self.url)!r}, {self.limits})"

    @property
    def name(self) -> str:
        return ledger_name(self.url)

    # --- connections ------------------------------------------------------------------------

    def _fail(self, doing: str, exc: Exception) -> LedgerError:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return LedgerError(f"rate-budget ledger {self.name}: could not {doing}: {detail}")

    def _open(self) -> Any:
        """A new connection, or a :class:`LedgerError` saying why there is none."""
        import psycopg2

        timeout_ms = int(self.lock_timeout_seconds * 1000)
        try:
            return psycopg2.connect(
                self.url,
                connect_timeout=max(1, int(self.connect_timeout_seconds)),
                application_name="rankings_etl rate budget",
                # Waiting for another machine's slot transaction is bounded, like SQLite's
                # busy timeout; a stuck statement cannot hold every run hostage either.
                options=f"-c lock_timeout={timeout_ms} -c statement_timeout={2 * timeout_ms}",
            )
        except psycopg2.Error as exc:
            raise self._fail("connect", exc) from None

    def _connect(self) -> Any:
        """A connection to a ledger whose tables exist (created on first use)."""
        con = self._open()
        if not self._initialized:
            try:
                self._initialize(con)
            except BaseException:
                con.close()
                raise
        return con

    def _initialize(self, con: Any) -> None:
        """Create the schema once, or migrate a v1 one (under the lock: concurrent first users
        must not race; one adds the column, the others then find it there)."""
        import psycopg2

        try:
            with con, con.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                # The version first, so a newer schema is refused before ours touches it.
                cur.execute(f"CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA}")
                cur.execute(
                    f"CREATE TABLE IF NOT EXISTS {PG_SCHEMA}.meta"
                    " (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
                )
                cur.execute(f"SELECT value FROM {PG_SCHEMA}.meta WHERE name = 'schema_version'")
                row = cur.fetchone()
                if row is not None and int(row[0]) > SCHEMA_VERSION:
                    raise LedgerError(
                        f"rate-budget ledger {self.name} has schema v{row[0]}; this code knows "
                        f"v{SCHEMA_VERSION}: upgrade rankings_etl"
                    )
                cur.execute(SCHEMA)
                cur.execute(
                    "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s"
                    " AND table_name = 'slots' AND column_name = 'dataset'",
                    (PG_SCHEMA,),
                )
                if cur.fetchone()[0] == 0:
                    # v1 -> v2: rows already there stay, unattributed (NULL). Only when the
                    # column is missing: an ALTER TABLE, even a no-op one, waits for readers.
                    cur.execute(f"ALTER TABLE {PG_SCHEMA}.slots ADD COLUMN dataset TEXT")
                cur.execute(
                    "CREATE INDEX IF NOT EXISTS slots_by_dataset"
                    f" ON {PG_SCHEMA}.slots (account, dataset, state, at)"
                )
                cur.execute(
                    f"INSERT INTO {PG_SCHEMA}.meta (name, value) VALUES ('schema_version', %s) "
                    "ON CONFLICT (name) DO NOTHING",
                    (str(SCHEMA_VERSION),),
                )
                # v1 -> v2: the column is there now.
                cur.execute(
                    f"UPDATE {PG_SCHEMA}.meta SET value = %s "
                    "WHERE name = 'schema_version' AND value = '1'",
                    (str(SCHEMA_VERSION),),
                )
        except psycopg2.Error as exc:
            raise self._fail("create its tables", exc) from None
        self._initialized = True

    @contextlib.contextmanager
    def _transaction(self, *, write: bool) -> Iterator[_Cursor]:
        import psycopg2

        con = self._connect()
        try:
            with con, con.cursor() as cur:  # commits on success, rolls back on any exception
                cur.execute(f"SET LOCAL search_path TO {PG_SCHEMA}")
                if write:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                else:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield _Cursor(cur)
        except psycopg2.Error as exc:
            raise self._fail("update the budget" if write else "read the budget", exc) from None
        finally:
            con.close()

    def _write(self) -> contextlib.AbstractContextManager[_Cursor]:
        return self._transaction(write=True)

    def _read(self) -> contextlib.AbstractContextManager[_Cursor]:
        return self._transaction(write=False)

    # --- the shared clock -------------------------------------------------------------------

    def clock(self) -> float:
        """The database server's clock, from this machine's clock and its measured offset."""
        local = time.time()
        if self._clock_synced_at is None or local - self._clock_synced_at > CLOCK_RESYNC_SECONDS:
            self._sync_clock()
            local = time.time()
        return local + self._clock_offset

    def _sync_clock(self) -> None:
        import psycopg2

        con = self._connect()
        try:
            with con, con.cursor() as cur:
                before = time.time()
                cur.execute("SELECT extract(epoch FROM clock_timestamp())::float8")
                server = cur.fetchone()[0]
                after = time.time()
        except psycopg2.Error as exc:
            raise self._fail("read the server's clock", exc) from None
        finally:
            con.close()
        self._clock_offset = server - (before + after) / 2
        self._clock_synced_at = after

    def exists(self) -> bool:
        con = self._open()
        try:
            with con, con.cursor() as cur:
                cur.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{PG_SCHEMA}.slots",))
                return bool(cur.fetchone()[0])
        finally:
            con.close()
