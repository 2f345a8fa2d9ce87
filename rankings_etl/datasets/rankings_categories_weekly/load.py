"""From validated weekly responses to ``rankings_categories_weekly``: one transaction per run,
replacing exactly the run's weeks (by ``week_start``) together with the raw bodies."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from rankings_etl.core.transactions import transaction
from rankings_etl.core.windows import Window
from rankings_etl.data_api.rankings_body import RankingsResponse
from rankings_etl.data_api.raw_responses import store_raw_responses
from rankings_etl.datasets.ranked_groups import FilteredRows
from rankings_etl.datasets.rankings_categories_weekly.tables import DIMENSION_NAMES
from rankings_etl.warehouse.sql import load_sql
from rankings_etl.warehouse.writes import replace_date_range


def store_categories(
    con: duckdb.DuckDBPyConnection,
    responses: Sequence[RankingsResponse],
    window: Window,
    run_id: str | None,
) -> int:
    """Replace the window's weeks with the responses' rows and store their bodies, in one
    transaction: a failure anywhere leaves the warehouse as it was."""
    rows = FilteredRows.from_responses(responses, DIMENSION_NAMES)
    try:
        with transaction(con):
            # The package is spelled out (tables.PACKAGE): the SQL audit accepts literals only.
            staging = load_sql(
                "rankings_etl.datasets.rankings_categories_weekly", "stage_incoming_categories"
            )
            con.execute(staging, rows.columns())
            written = replace_date_range(
                con,
                "rankings_categories_weekly",
                "incoming_categories",
                window.start,
                window.end,
                column="week_start",
            )
            store_raw_responses(con, responses, run_id)
    finally:
        con.execute("DROP TABLE IF EXISTS incoming_categories")
    return written
