"""``raw_responses``: every response body exactly as it came, with the request it answered, so
any partition can be audited or rebuilt without spending an API request.

Bodies are written in the same transaction as the rows they produced (the dataset's load
calls :func:`store_raw_responses` inside it), and read back by the dataset's rebuild, which
asks only for its own dataset's bodies (:func:`stored_bodies`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

import duckdb

from rankings_etl.core.windows import Window
from rankings_etl.data_api.request import ApiRequest
from rankings_etl.warehouse.sql import load_sql
from rankings_etl.warehouse.table_spec import Column, TableSpec

PACKAGE = "rankings_etl.data_api"

RAW_RESPONSES = TableSpec(
    name="raw_responses",
    description=(
        "Every Data API response exactly as it came (of every dataset: `dataset`, `endpoint` and "
        "`params` say which request it answered), so any partition can be audited or rebuilt "
        "without spending an API request."
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
        Column("dataset", "VARCHAR", "The registry dataset whose request it was."),
        Column("endpoint", "VARCHAR", "The path asked, e.g. /datasets/rankings-daily."),
        Column("params", "VARCHAR", "Every query parameter sent, as canonical JSON."),
    ),
    sql_package=PACKAGE,
    written_by="side",
    time_column=None,
    published=False,
)


class StoredResponse(Protocol):
    """What ``raw_responses`` records of a parsed response, whichever dataset's (rankings-daily's
    :class:`~rankings_etl.data_api.rankings_body.RankingsResponse` is one)."""

    window: Window
    meta_start: dt.date
    meta_end: dt.date
    as_of: str
    version: str
    fetched_at: dt.datetime
    body: str
    attempts: int
    request: ApiRequest | None

    @property
    def row_count(self) -> int: ...


def store_raw_responses(
    con: duckdb.DuckDBPyConnection, responses: Iterable[StoredResponse], run_id: str | None
) -> None:
    """Insert each fetched response's body (call it inside the transaction writing its rows).

    Responses replayed from ``raw_responses`` (``attempts == 0``) are already stored.
    """
    insert = load_sql(PACKAGE, "insert_raw_response")
    for response in responses:
        if not response.attempts:
            continue  # replayed from raw_responses: already stored
        request = response.request
        if request is None:
            raise ValueError(
                f"a fetched response for {response.window} carries no request: raw_responses "
                "must record which endpoint and parameters it answered"
            )
        con.execute(
            insert,
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
                request.dataset,
                request.path,
                request.params_json(),
            ],
        )


def stored_bodies(
    con: duckdb.DuckDBPyConnection, dataset: str, window: Window
) -> list[tuple[dt.date, dt.date, dt.datetime, str]]:
    """``(requested_start, requested_end, fetched_at, body)`` of every stored response of
    ``dataset`` that covers a day of ``window``, oldest first."""
    return con.execute(
        "SELECT requested_start, requested_end, fetched_at, body FROM raw_responses "
        "WHERE dataset = $1 AND meta_start_date <= $3 AND meta_end_date >= $2 "
        "ORDER BY fetched_at",
        [dataset, window.start, window.end],
    ).fetchall()
