"""Building the derived tables from ``rankings_daily``: one function for all of them.

Each table is a ``select_<table>.sql`` over a window of days, computed for the whole window in
one statement. The rows replace the window's days with the same delete-then-insert as
``rankings_daily`` (:func:`rankings_etl.warehouse.writes.replace_date_range`); then, still
inside that transaction, the ``check_*.sql`` statements read the rows just written (the
temporary ``new_rows``: the table's rows for the window, as they now stand). A check that finds
an ERROR rolls the whole transaction back, so a bad computation never lands.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import duckdb

from rankings_etl.core.check_outcomes import CheckOutcome
from rankings_etl.core.transactions import transaction
from rankings_etl.core.windows import Window
from rankings_etl.warehouse.connection import count_rows
from rankings_etl.warehouse.sql import load_sql
from rankings_etl.warehouse.table_spec import TableCheck, TableSpec
from rankings_etl.warehouse.writes import replace_date_range

#: The freshly computed rows, before they are written.
COMPUTED = "computed_rows"
#: The rows just written, as the checks see them (the name their SQL reads).
WRITTEN = "new_rows"


@dataclasses.dataclass(frozen=True)
class BuildResult:
    table: str
    rows_written: int
    table_rows: int
    outcomes: tuple[CheckOutcome, ...]

    @property
    def blocked(self) -> list[CheckOutcome]:
        return [outcome for outcome in self.outcomes if outcome.blocks]


class ChecksFailed(Exception):
    """Raised inside the transaction to roll it back; carries what the checks found."""

    def __init__(self, outcomes: Sequence[CheckOutcome]):
        super().__init__("; ".join(o.summary() for o in outcomes if o.blocks))
        self.outcomes = tuple(outcomes)


def build_table(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    window: Window,
    checks: Sequence[TableCheck] = (),
) -> BuildResult:
    """Recompute ``spec``'s table for ``window`` and replace those days, or change nothing.

    Returns the outcomes either way; when an ERROR blocks, the write has been rolled back.
    """
    table, column = spec.name, spec.time_column
    params = [window.start, window.end]
    select = load_sql(spec.sql_package, spec.select_sql)
    # The macros every select may use (permaslug_author), on this connection.
    con.execute(load_sql("rankings_etl.warehouse", "create_permaslug_macros"))
    try:
        with transaction(con):
            con.execute(f"CREATE OR REPLACE TEMP TABLE {COMPUTED} AS {select}", params)
            written = replace_date_range(
                con, table, COMPUTED, window.start, window.end, column=column
            )
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {WRITTEN} AS "
                f"SELECT * FROM {table} WHERE {column} BETWEEN $1 AND $2",
                params,
            )
            outcomes = tuple(_evaluate(con, spec, check, params) for check in checks)
            if any(outcome.blocks for outcome in outcomes):
                raise ChecksFailed(outcomes)
            table_rows = count_rows(con, table)
    except ChecksFailed as failed:
        return BuildResult(table, 0, count_rows(con, table), failed.outcomes)
    finally:
        # Created inside the transaction, so a rollback already removed them; a commit did not.
        con.execute(f"DROP TABLE IF EXISTS {WRITTEN}")
        con.execute(f"DROP TABLE IF EXISTS {COMPUTED}")
    return BuildResult(table, written, table_rows, outcomes)


def _evaluate(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, check: TableCheck, params
) -> CheckOutcome:
    problems: dict = {}
    for day, problem in con.execute(load_sql(spec.sql_package, check.sql_name), params).fetchall():
        problems.setdefault(day, problem)
    # The dates checked are the days loaded upstream: a check passing on a day the table has
    # no rows for is still a verdict on that day.
    column, source = spec.time_column, spec.checked_dates_from or spec.name
    dates = tuple(
        day
        for (day,) in con.execute(
            f"SELECT DISTINCT {column} FROM {source} WHERE {column} BETWEEN $1 AND $2 "
            f"ORDER BY {column}",
            params,
        ).fetchall()
    )
    return CheckOutcome(check.spec, len(dates), problems, {}, dates)
