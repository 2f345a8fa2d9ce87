"""Building the analytics tables from ``rankings_daily``: one function for all of them.

Each table is a ``select_<table>.sql`` over a window of days. The rows are computed into a
temporary ``new_rows`` table, checked there by ``check_*.sql`` statements, and swapped in with
the same delete-then-insert as ``rankings_daily``
(:func:`rankings_etl.warehouse.replace_date_range`), all in one transaction: a check that
finds an ERROR rolls everything back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import duckdb

from rankings_etl.checks import CheckOutcome, CheckSpec
from rankings_etl.warehouse import load_sql, replace_date_range, transaction
from rankings_etl.windows import Window


@dataclasses.dataclass(frozen=True)
class TableCheck:
    """A check whose SQL returns ``(date, problem)`` rows; none means it passes."""

    spec: CheckSpec
    sql_name: str


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
    table: str,
    window: Window,
    checks: Sequence[TableCheck] = (),
) -> BuildResult:
    """Recompute ``table`` for ``window`` and replace those days, or change nothing.

    Returns the outcomes either way; when an ERROR blocks, the write has been rolled back.
    """
    params = [window.start, window.end]
    try:
        with transaction(con):
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE new_rows AS {load_sql(f'select_{table}')}",
                params,
            )
            outcomes = tuple(_evaluate(con, check, params, window) for check in checks)
            if any(outcome.blocks for outcome in outcomes):
                raise ChecksFailed(outcomes)
            written = replace_date_range(con, table, "new_rows", window.start, window.end)
            table_rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except ChecksFailed as failed:
        return BuildResult(table, 0, _count(con, table), failed.outcomes)
    finally:
        con.execute("DROP TABLE IF EXISTS new_rows")
    return BuildResult(table, written, int(table_rows), outcomes)


def _evaluate(con, check: TableCheck, params, window: Window) -> CheckOutcome:
    problems: dict = {}
    for day, problem in con.execute(load_sql(check.sql_name), params).fetchall():
        problems.setdefault(day, problem)
    dates_checked = con.execute(
        "SELECT count(DISTINCT date) FROM rankings_daily WHERE date BETWEEN $1 AND $2", params
    ).fetchone()[0]
    return CheckOutcome(check.spec, int(dates_checked), problems, {})


def _count(con, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
