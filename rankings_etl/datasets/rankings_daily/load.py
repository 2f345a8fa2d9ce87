"""From validated responses to warehouse rows: combining windows and storing a run's dates.

Pure functions and one write function, so the asset in
:mod:`rankings_etl.datasets.rankings_daily.assets` reads like a paragraph and all of this is
testable without Dagster.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import duckdb

from rankings_etl.core.transactions import transaction
from rankings_etl.core.windows import Window
from rankings_etl.data_api.rankings_body import RankingsResponse, row_stamps
from rankings_etl.data_api.raw_responses import store_raw_responses
from rankings_etl.datasets.rankings_daily.tables import PACKAGE
from rankings_etl.warehouse.connection import count_rows
from rankings_etl.warehouse.sql import load_sql
from rankings_etl.warehouse.writes import replace_date_range


@dataclasses.dataclass(frozen=True)
class RankingsBatch:
    """Every row a run fetched, in API order, as columns, plus the responses they came from.

    Plain Python columns, not a DataFrame: the contract checks read them as they are and
    DuckDB takes them as list parameters (:func:`store_rankings`), so rows go from the parser
    to the warehouse without a pandas round trip, and a run never imports pandas.
    """

    dates: tuple[dt.date, ...]
    permaslugs: tuple[str, ...]
    ranks: tuple[int | None, ...]
    total_tokens: tuple[int, ...]
    responses: tuple[RankingsResponse, ...]

    @classmethod
    def from_responses(cls, responses: Sequence[RankingsResponse]) -> RankingsBatch:
        return cls(
            dates=tuple(day for response in responses for day in response.dates),
            permaslugs=tuple(slug for response in responses for slug in response.permaslugs),
            ranks=tuple(rank for response in responses for rank in response.ranks()),
            total_tokens=tuple(t for response in responses for t in response.total_tokens),
            responses=tuple(responses),
        )

    def row_as_of(self) -> list[dt.datetime]:
        """Each row's ``meta.as_of`` (its response's), as UTC datetimes."""
        return row_stamps(self.responses)[0]

    def columns(self) -> list[list]:
        """The ``rankings_daily`` columns in table order: date, model_permaslug, rank,
        total_tokens, as_of and fetched_at (the last two repeated from each row's response)."""
        as_of, fetched_at = row_stamps(self.responses)
        return [
            list(self.dates),
            list(self.permaslugs),
            list(self.ranks),
            list(self.total_tokens),
            as_of,
            fetched_at,
        ]

    @property
    def as_of(self) -> str:
        """The newest ``meta.as_of`` among the responses: what a citation of the run quotes."""
        return max(response.as_of for response in self.responses)

    @property
    def requests(self) -> int:
        return sum(response.attempts for response in self.responses)


def missing_dates(window: Window, returned: set[dt.date]) -> list[dt.date]:
    """Dates of the run the API did not return: a run never writes a partial range."""
    return [day for day in window.dates() if day not in returned]


@dataclasses.dataclass(frozen=True)
class LoadedDays:
    """What a re-fetch of ``window`` would replace: its rows, and each day's newest ``as_of``."""

    rows: list[tuple[dt.date, str, int]]
    as_of: dict[dt.date, dt.datetime]


def loaded_rankings(con: duckdb.DuckDBPyConnection, window: Window) -> LoadedDays:
    """The rows of ``window`` already in ``rankings_daily`` (timestamps one per day: turning
    DuckDB's TIMESTAMPTZ into Python costs far more than the integers)."""
    params = [window.start, window.end]
    rows = con.execute(
        "SELECT date, model_permaslug, total_tokens FROM rankings_daily "
        "WHERE date BETWEEN $1 AND $2",
        params,
    ).fetchall()
    as_of = con.execute(
        "SELECT date, max(as_of) FROM rankings_daily WHERE date BETWEEN $1 AND $2 GROUP BY date",
        params,
    ).fetchall()
    return LoadedDays(rows, dict(as_of))


@dataclasses.dataclass(frozen=True)
class WriteStats:
    rows_written: int
    restated_rows: int
    max_relative_change: float | None
    table_rows: int


def store_rankings(
    con: duckdb.DuckDBPyConnection, batch: RankingsBatch, window: Window, run_id: str | None
) -> WriteStats:
    """Replace the window's dates in one transaction, with restatements and raw responses.

    Everything commits together: the new rows, the rows they restate, and the bodies they
    were parsed from. A failure anywhere leaves the warehouse exactly as it was.
    """
    with transaction(con):
        # The rows become a temporary table from six list parameters (values never reach the
        # SQL text); it is dropped in the same transaction, or rolled back with it.
        con.execute(load_sql(PACKAGE, "stage_incoming_rankings"), batch.columns())
        con.execute(load_sql(PACKAGE, "insert_rankings_restatements"), [window.start, window.end])
        restated, max_change = con.execute(
            load_sql(PACKAGE, "summarize_new_restatements")
        ).fetchone()
        written = replace_date_range(con, "rankings_daily", "incoming", window.start, window.end)
        store_raw_responses(con, batch.responses, run_id)
        table_rows = count_rows(con, "rankings_daily")
        con.execute("DROP TABLE incoming")
    return WriteStats(written, restated, max_change, table_rows)
