"""From validated segment responses to ``rankings_segments_daily``: one transaction per run.

The rows are staged, checked against the day totals already in ``rankings_daily`` (a segment
is a subset of its day; SQL, because the bound lives in the warehouse), and only then replace
the run's days, together with the raw bodies. An ERROR rolls everything back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import duckdb

from rankings_etl.core.check_outcomes import ERROR, CheckOutcome, CheckSpec
from rankings_etl.core.transactions import transaction
from rankings_etl.core.windows import Window
from rankings_etl.data_api.rankings_body import RankingsResponse
from rankings_etl.data_api.raw_responses import store_raw_responses
from rankings_etl.datasets.ranked_groups import FilteredRows
from rankings_etl.datasets.rankings_segments_daily.checks import WITHIN_DAY_TOTAL
from rankings_etl.datasets.rankings_segments_daily.tables import SEGMENT_TYPES
from rankings_etl.datasets.spec import Stored, StoreRefused
from rankings_etl.warehouse.sql import load_sql
from rankings_etl.warehouse.writes import replace_date_range

TABLE = "rankings_segments_daily"
STAGED = "incoming_segments"


def write_segments(
    con: duckdb.DuckDBPyConnection,
    responses: Sequence[RankingsResponse],
    window: Window,
    run_id: str | None,
) -> Stored:
    """Replace the window's days with the responses' rows and store their bodies, in one
    transaction; raise :class:`StoreRefused` (nothing written) when a segment-day exceeds its
    day's total in ``rankings_daily``. ``DatasetSpec.store``: the bound's outcome is reported
    per day with the contract's."""
    rows = FilteredRows.from_responses(responses, SEGMENT_TYPES)
    params = [window.start, window.end]
    try:
        with transaction(con):
            # The package is spelled out (tables.PACKAGE): the SQL audit accepts literals only.
            staging = load_sql(
                "rankings_etl.datasets.rankings_segments_daily", "stage_incoming_segments"
            )
            con.execute(staging, rows.columns())
            bounds = load_sql(
                "rankings_etl.datasets.rankings_segments_daily",
                "check_segment_totals_within_day_totals",
            )
            found = con.execute(bounds, params).fetchall()
            bound = _outcome(WITHIN_DAY_TOTAL, found, window.dates())
            if bound.blocks:
                raise StoreRefused([bound])
            written = replace_date_range(con, TABLE, STAGED, window.start, window.end)
            store_raw_responses(con, responses, run_id)
    finally:
        con.execute("DROP TABLE IF EXISTS incoming_segments")
    return Stored(written, (bound,))


def _outcome(
    spec: CheckSpec, found: Iterable[tuple[dt.date, str, str]], dates: Sequence[dt.date]
) -> CheckOutcome:
    """A check's ``(date, severity, problem)`` rows as its outcome over ``dates`` (the first
    problem of a date is its verdict's text)."""
    errors: dict[dt.date, str] = {}
    warnings: dict[dt.date, str] = {}
    for day, severity, problem in found:
        (errors if severity == ERROR else warnings).setdefault(day, problem)
    return CheckOutcome(spec, len(dates), errors, warnings, tuple(dates))
