"""``raw_responses``: every response body exactly as it came, so any partition can be audited
or rebuilt without spending an API request.

Bodies are written in the same transaction as the rows they produced (the dataset's load
calls :func:`store_raw_responses` inside it), and read back by the dataset's rebuild.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb

from rankings_etl.core.windows import Window
from rankings_etl.data_api.rankings_body import RankingsResponse
from rankings_etl.warehouse.table_spec import Column, TableSpec

RAW_RESPONSES = TableSpec(
    name="raw_responses",
    description=(
        "Every rankings-daily response exactly as it came, so any partition can be audited or "
        "rebuilt without spending an API request."
    ),
    columns=(
        Column("requested_start", "DATE", "start_date this project asked for."),
        Column("requested_end", "DATE", "end_date this project asked for."),
        Column("meta_start_date", "DATE", "meta.start_date echoed by the API (after its clamp)."),
        Column("meta_end_date", "DATE", "meta.end_date echoed by the API."),
        Column("as_of", "VARCHAR", "meta.as_of verbatim."),
        Column("version", "VARCHAR", "meta.version."),
        Column("row_count", "INTEGER", "Rows in the response's data list."),
        Column("fetched_at", "TIMESTAMPTZ", "When the response was received."),
        Column("run_id", "VARCHAR", "The Dagster run that fetched it."),
        Column("body", "VARCHAR", "The response body exactly as received."),
    ),
    sql_package="rankings_etl.data_api",
    written_by="side",
    time_column=None,
    published=False,
)


def store_raw_responses(
    con: duckdb.DuckDBPyConnection, responses: Iterable[RankingsResponse], run_id: str | None
) -> None:
    """Insert each fetched response's body (call it inside the transaction writing its rows).

    Responses replayed from ``raw_responses`` (``attempts == 0``) are already stored.
    """
    for response in responses:
        if not response.attempts:
            continue  # replayed from raw_responses: already stored
        con.execute(
            "INSERT INTO raw_responses VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            [
                response.window.start,
                response.window.end,
                response.meta_start,
                response.meta_end,
                response.as_of,
                response.version,
                response.row_count,
                response.fetched_at,
                run_id,
                response.body,
            ],
        )


def stored_bodies(
    con: duckdb.DuckDBPyConnection, window: Window
) -> list[tuple[dt.date, dt.date, dt.datetime, str]]:
    """``(requested_start, requested_end, fetched_at, body)`` of every stored response that
    covers a day of ``window``, oldest first."""
    return con.execute(
        "SELECT requested_start, requested_end, fetched_at, body FROM raw_responses "
        "WHERE meta_start_date <= $2 AND meta_end_date >= $1 ORDER BY fetched_at",
        [window.start, window.end],
    ).fetchall()
