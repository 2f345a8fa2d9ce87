"""The warehouse's tables, created from the package's own ``create_*_table.sql`` files."""

from __future__ import annotations

import duckdb

from rankings_etl.warehouse.sql import RANKINGS_SQL, load_sql, sql_names


def create_statements() -> list[str]:
    """Every ``create_*_table.sql`` statement, in name order."""
    return [load_sql(RANKINGS_SQL, name) for name in sql_names(RANKINGS_SQL, "create_")]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create any missing table (idempotent, cheap enough to run on every connection)."""
    for statement in create_statements():
        con.execute(statement)
