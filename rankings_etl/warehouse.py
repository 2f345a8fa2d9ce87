"""The DuckDB warehouse: schema, transactions, and the one write path every asset uses.

Partitions are written by *delete-then-insert of exactly the run's dates inside one
transaction*: a partition is either wholly replaced or untouched, and re-running it never
duplicates rows. Table names come from this module's callers (constants), never from API data;
values travel as parameters (lists of values included).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

SQL_PACKAGE = "rankings_etl.sql"


def load_sql(name: str) -> str:
    """The text of ``rankings_etl/sql/<name>.sql``."""
    return resources.files(SQL_PACKAGE).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def create_statements() -> list[str]:
    """Every ``create_*_table.sql`` statement, in name order."""
    names = sorted(
        entry.name[: -len(".sql")]
        for entry in resources.files(SQL_PACKAGE).iterdir()
        if entry.name.startswith("create_") and entry.name.endswith(".sql")
    )
    return [load_sql(name) for name in names]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create any missing table (idempotent, cheap enough to run on every connection)."""
    for statement in create_statements():
        con.execute(statement)


def ensure_parent_dir(database: str) -> None:
    """DuckDB creates the file but not its folder; ``data/`` may not exist on a fresh clone."""
    if database and database != ":memory:" and not database.startswith("md:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def replace_date_range(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: str,
    start: dt.date,
    end: dt.date,
) -> int:
    """Replace ``table``'s rows dated ``[start, end]`` by those of ``source``; return rows
    inserted.

    ``source`` names a relation already visible to ``con`` (a temporary table or view our own
    SQL built). Call it inside :func:`~rankings_etl.core.transactions.transaction` together
    with whatever must commit with it.
    """
    con.execute(f"DELETE FROM {table} WHERE date BETWEEN $1 AND $2", [start, end])
    inserted = con.execute(
        f"INSERT INTO {table} BY NAME SELECT * FROM {source} WHERE date BETWEEN $1 AND $2",
        [start, end],
    ).fetchone()[0]
    return int(inserted)


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = $1", [table]
    ).fetchone()[0]
    return bool(found)


@contextlib.contextmanager
def open_warehouse(duckdb_resource) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection from a ``DuckDBResource`` with the schema in place."""
    ensure_parent_dir(duckdb_resource.database)
    with duckdb_resource.get_connection() as con:
        try:
            ensure_schema(con)
            yield con
        finally:
            # DuckDBResource closes only on success; a failed step must not keep the file open.
            con.close()
