"""The warehouse's tables, created from each table's own ``create_<table>_table.sql``, and the
migrations that bring a file written by an older release up to date.

The caller says which tables (the registry, :func:`rankings_etl.datasets.warehouse_specs`): the
warehouse layer knows how to create a table, not which tables a dataset has.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from rankings_etl.core.transactions import transaction
from rankings_etl.warehouse.sql import load_sql
from rankings_etl.warehouse.table_spec import TableSpec

#: ``raw_responses`` v2 adds ``dataset``, ``endpoint`` and ``params``, in two transactions:
#: DuckDB refuses ``SET NOT NULL`` after an ``UPDATE`` in the same transaction. Each is
#: idempotent, so a crash between them is finished by the next connection.
RAW_RESPONSES_V2 = ("migrate_raw_responses_add_request", "migrate_raw_responses_not_null")


def create_statements(tables: Iterable[TableSpec]) -> list[str]:
    """The ``CREATE TABLE IF NOT EXISTS`` statement of each table."""
    return [load_sql(spec.sql_package, spec.create_sql) for spec in tables]


def ensure_schema(con: duckdb.DuckDBPyConnection, tables: Iterable[TableSpec]) -> None:
    """Create any missing table and migrate an older layout (idempotent, cheap enough to run
    on every connection)."""
    tables = list(tables)
    for statement in create_statements(tables):
        con.execute(statement)
    for spec in tables:
        if spec.name == "raw_responses" and _raw_responses_is_v1(con):
            for name in RAW_RESPONSES_V2:
                statement = load_sql(spec.sql_package, name)
                with transaction(con):
                    con.execute(statement)


def _raw_responses_is_v1(con: duckdb.DuckDBPyConnection) -> bool:
    """True while ``raw_responses.params`` is missing or still nullable (a v1 file, or one whose
    migration stopped between its two transactions)."""
    found = con.execute(
        "SELECT is_nullable FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'raw_responses' "
        "AND column_name = 'params'"
    ).fetchone()
    return found is None or found[0] == "YES"
