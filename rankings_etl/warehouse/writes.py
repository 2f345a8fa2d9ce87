"""The one write path every table uses: delete-then-insert of exactly a run's dates, inside one
transaction.

A partition is either wholly replaced or untouched, and re-running it never duplicates rows.
Table and relation names come from this module's callers (constants), never from API data;
values travel as parameters.
"""

from __future__ import annotations

import datetime as dt

import duckdb


def replace_date_range(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: str,
    start: dt.date,
    end: dt.date,
    *,
    column: str = "date",
) -> int:
    """Replace ``table``'s rows whose ``column`` is in ``[start, end]`` by those of ``source``;
    return rows inserted.

    ``source`` names a relation already visible to ``con`` (a temporary table or view our own
    SQL built). Call it inside :func:`~rankings_etl.core.transactions.transaction` together
    with whatever must commit with it.
    """
    con.execute(f"DELETE FROM {table} WHERE {column} BETWEEN $1 AND $2", [start, end])
    inserted = con.execute(
        f"INSERT INTO {table} BY NAME SELECT * FROM {source} WHERE {column} BETWEEN $1 AND $2",
        [start, end],
    ).fetchone()[0]
    return int(inserted)
