"""A rate-budget ledger as every release before schema v2 wrote it: the migration's input, kept
verbatim (the v1 DDL of both backends) so the tests can make one without an old checkout."""

import sqlite3
from pathlib import Path

#: The SQLite ledger's v1 DDL (``PRAGMA user_version = 1``): slots without ``dataset``.
V1_SQLITE_DDL = """
CREATE TABLE IF NOT EXISTS slots (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      REAL    NOT NULL,
    state   TEXT    NOT NULL CHECK (state IN ('sent', 'reserved')),
    key_fp  TEXT    NOT NULL,
    account TEXT    NOT NULL,
    holder  TEXT,
    run_id  TEXT,
    expires REAL,
    status  INTEGER,
    label   TEXT
);
CREATE INDEX IF NOT EXISTS slots_by_account ON slots (account, state, at);
CREATE INDEX IF NOT EXISTS slots_by_key ON slots (key_fp, state, at);
CREATE INDEX IF NOT EXISTS slots_by_holder ON slots (holder, state);
CREATE TABLE IF NOT EXISTS penalties (
    key_fp  TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    at      REAL NOT NULL,
    until   REAL NOT NULL,
    reason  TEXT NOT NULL
);
"""

#: The Postgres ledger's v1 DDL (``meta.schema_version = '1'``).
V1_POSTGRES_DDL = """
CREATE SCHEMA IF NOT EXISTS rankings_budget;
CREATE TABLE IF NOT EXISTS rankings_budget.slots (
    id      BIGSERIAL PRIMARY KEY,
    at      DOUBLE PRECISION NOT NULL,
    state   TEXT NOT NULL CHECK (state IN ('sent', 'reserved')),
    key_fp  TEXT NOT NULL,
    account TEXT NOT NULL,
    holder  TEXT,
    run_id  TEXT,
    expires DOUBLE PRECISION,
    status  INTEGER,
    label   TEXT
);
CREATE INDEX IF NOT EXISTS slots_by_account ON rankings_budget.slots (account, state, at);
CREATE INDEX IF NOT EXISTS slots_by_key ON rankings_budget.slots (key_fp, state, at);
CREATE INDEX IF NOT EXISTS slots_by_holder ON rankings_budget.slots (holder, state);
CREATE TABLE IF NOT EXISTS rankings_budget.penalties (
    key_fp  TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    at      DOUBLE PRECISION NOT NULL,
    until   DOUBLE PRECISION NOT NULL,
    reason  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rankings_budget.meta (
    name    TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);
INSERT INTO rankings_budget.meta (name, value) VALUES ('schema_version', '1');
"""

#: (at, state, key_fp, account, holder, run_id, expires, status, label): two requests sent and
#: one slot still reserved, as a v1 process left them.
_FP = "aaaaaaaaaaaa"
V1_ROWS = [
    (1_800_000_000.0, "sent", _FP, "default", None, "r1", None, 200, "2025-06-15"),
    (1_800_000_005.0, "sent", _FP, "default", "h1", "r2", None, 500, "2025-06-16"),
    (1_800_000_005.0, "reserved", _FP, "default", "h1", "r2", 1_800_001_805.0, None, "backfill"),
]

INSERT = (
    "INSERT INTO {table} (at, state, key_fp, account, holder, run_id, expires, status, label)"
    " VALUES ({marks})"
)


def make_v1_sqlite_ledger(path: Path) -> Path:
    """A v1 SQLite ledger file holding :data:`V1_ROWS`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    try:
        con.executescript(V1_SQLITE_DDL)
        con.executemany(INSERT.format(table="slots", marks=", ".join("?" * 9)), V1_ROWS)
        con.execute("PRAGMA user_version = 1")
        con.commit()
    finally:
        con.close()
    return path


def make_v1_postgres_ledger(url: str) -> str:
    """A v1 Postgres ledger (schema ``rankings_budget``) holding :data:`V1_ROWS`."""
    import psycopg2

    con = psycopg2.connect(url)
    try:
        with con, con.cursor() as cur:
            cur.execute(V1_POSTGRES_DDL)
            cur.executemany(
                INSERT.format(table="rankings_budget.slots", marks=", ".join(["%s"] * 9)), V1_ROWS
            )
    finally:
        con.close()
    return url
