"""From validated app-rankings responses to warehouse rows, stored in one transaction.

Pure functions and one write function, so the asset reads like a paragraph and all of this is
testable without Dagster.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from rankings_etl.core.transactions import transaction
from rankings_etl.core.windows import Window
from rankings_etl.data_api.apps_body import AppRankingsResponse
from rankings_etl.data_api.raw_responses import store_raw_responses
from rankings_etl.datasets.app_rankings_weekly.tables import APP_RANKINGS_WEEKLY, PACKAGE
from rankings_etl.warehouse.sql import load_sql
from rankings_etl.warehouse.writes import replace_date_range


def columns(responses: Sequence[AppRankingsResponse]) -> list[list]:
    """The ``app_rankings_weekly`` columns in table order, rows in API order: each response's
    week (its window's Monday), sort, ``as_of`` and ``fetched_at`` repeated down its rows."""
    out: list[list] = [[] for _ in APP_RANKINGS_WEEKLY.columns]
    week, sort, rank, app_id, app_name, requests, tokens, as_of, fetched_at = out
    for response in responses:
        n = response.row_count
        week += [response.window.start] * n
        sort += [response.sort] * n
        rank += response.ranks
        app_id += response.app_ids
        app_name += response.app_names
        requests += response.total_requests
        tokens += response.total_tokens
        as_of += [response.as_of_utc()] * n
        fetched_at += [response.fetched_at] * n
    return out


def store_app_rankings(
    con: duckdb.DuckDBPyConnection,
    responses: Sequence[AppRankingsResponse],
    window: Window,
    run_id: str | None,
) -> int:
    """Replace the window's weeks in one transaction, with the raw responses; the rows
    written.

    Everything commits together: the new rows and the bodies they were parsed from. A failure
    anywhere leaves the warehouse exactly as it was; a re-run replaces the same weeks with the
    same rows.
    """
    for response in responses:
        if not window.start <= response.window.start <= window.end:
            raise ValueError(f"a response for {response.window} is outside the run's {window}")
    with transaction(con):
        # The rows become a temporary table from nine list parameters (values never reach the
        # SQL text); it is dropped in the same transaction, or rolled back with it.
        con.execute(load_sql(PACKAGE, "stage_incoming_app_rankings"), columns(responses))
        written = replace_date_range(
            con,
            APP_RANKINGS_WEEKLY.name,
            "incoming_app_rankings",
            window.start,
            window.end,
            column="week_start",
        )
        store_raw_responses(con, responses, run_id)
        con.execute("DROP TABLE incoming_app_rankings")
    return written
