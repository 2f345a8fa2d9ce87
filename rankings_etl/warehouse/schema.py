"""The warehouse's tables, created from each table's own ``create_<table>_table.sql``."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from rankings_etl.warehouse.sql import load_sql
from rankings_etl.warehouse.table_spec import TableSpec


def create_statements(tables: Iterable[TableSpec] | None = None) -> list[str]:
    """The ``CREATE TABLE IF NOT EXISTS`` statement of each table (default: the registry's)."""
    if tables is None:
        # The registry is declarative data above this layer; read it only when asked.
        from rankings_etl.datasets import TABLES

        tables = TABLES.values()
    return [load_sql(spec.sql_package, spec.create_sql) for spec in tables]


def ensure_schema(
    con: duckdb.DuckDBPyConnection, tables: Iterable[TableSpec] | None = None
) -> None:
    """Create any missing table (idempotent, cheap enough to run on every connection)."""
    for statement in create_statements(tables):
        con.execute(statement)
