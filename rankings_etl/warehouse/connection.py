"""Connections to the DuckDB warehouse, and the small queries every reader needs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb

from rankings_etl.warehouse.schema import ensure_schema
from rankings_etl.warehouse.table_spec import TableSpec


def ensure_parent_dir(database: str) -> None:
    """DuckDB creates the file but not its folder; ``data/`` may not exist on a fresh clone."""
    if database and database != ":memory:" and not database.startswith("md:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def open_warehouse(
    duckdb_resource, tables: Iterable[TableSpec]
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection from a ``DuckDBResource`` with ``tables`` in place (the
    registry's :func:`~rankings_etl.datasets.warehouse_specs`), migrated if older."""
    ensure_parent_dir(duckdb_resource.database)
    with duckdb_resource.get_connection() as con:
        try:
            ensure_schema(con, tables)
            yield con
        finally:
            # DuckDBResource closes only on success; a failed step must not keep the file open.
            con.close()


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """How many rows ``table`` holds (``table``: one of our table names, never data)."""
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
