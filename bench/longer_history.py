"""Scenario 4's warehouses: 1, 2 and 4 years of history behind the same last day.

The partitions definition ends at the real yesterday and starts at 2025-01-01, so the daily
run cannot be pointed at a longer *Dagster* history without faking the clock. What a longer
history changes for the daily run is the size of the warehouse it writes into, so that is what
varies here: starting from the warehouse the full-history backfill loaded (every day from
2025-01-01 to yesterday, built by the real assets), each table is cut to the last N years, or
extended backwards with copies of the loaded days shifted by whole multiples of the loaded
span (rankings_daily and every analytics table alike, so they stay consistent; days before
2025-01-01 are plain rows to DuckDB). ``raw_responses`` grows in proportion (the backfill's
bodies copied with shifted request dates) and ``rankings_restatements`` gets two revisions of
every older day, as years of daily re-fetches would leave it. The Dagster instance is the same
for every size (a copy of the one the backfill ran in).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from rankings_etl.datasets import dated_tables

#: The tables a run replaces by date range (rankings_daily and the tables derived from it).
DATED_TABLES = dated_tables()


def years_to_days(last_day: dt.date, years: int) -> int:
    """Days from the same calendar day ``years`` earlier (exclusive) to ``last_day``."""
    first = last_day.replace(year=last_day.year - years) + dt.timedelta(days=1)
    return (last_day - first).days + 1


def synthesize_history(db: Path, last_day: dt.date, days: int) -> dict[str, int]:
    """Make ``db`` hold exactly ``days`` days ending at ``last_day``; return row counts."""
    first = last_day - dt.timedelta(days=days - 1)
    with duckdb.connect(str(db)) as con:
        loaded_first, loaded_last = con.execute(
            "SELECT min(date), max(date) FROM rankings_daily"
        ).fetchone()
        if loaded_last != last_day:
            raise ValueError(f"{db} ends at {loaded_last}, expected {last_day}")
        span = (loaded_last - loaded_first).days + 1
        con.execute("BEGIN TRANSACTION")
        for table in DATED_TABLES:
            con.execute(f"DELETE FROM {table} WHERE date < $1", [first])
            shift = span
            while loaded_last - dt.timedelta(days=shift) >= first:
                con.execute(
                    f"INSERT INTO {table} SELECT * REPLACE (CAST(date - {shift} AS DATE) AS date) "
                    f"FROM {table} WHERE date >= $1 AND date - {shift} >= $2",
                    [loaded_first, first],
                )
                shift += span
        copies = -(-days // span) - 1  # whole extra spans the bodies are copied for
        for k in range(1, copies + 1):
            con.execute(
                "INSERT INTO raw_responses SELECT * REPLACE ("
                f"CAST(requested_start - {k * span} AS DATE) AS requested_start, "
                f"CAST(requested_end - {k * span} AS DATE) AS requested_end, "
                f"CAST(meta_start_date - {k * span} AS DATE) AS meta_start_date, "
                f"CAST(meta_end_date - {k * span} AS DATE) AS meta_end_date, "
                "'bench-synthetic' AS run_id) FROM raw_responses "
                "WHERE run_id IS DISTINCT FROM 'bench-synthetic'"
            )
        con.execute("DELETE FROM rankings_restatements")
        for revision in (1, 2):
            con.execute(
                "INSERT INTO rankings_restatements SELECT date, model_permaslug, total_tokens, "
                "total_tokens + $1, as_of, as_of, "
                f"CAST(date AS TIMESTAMPTZ) + INTERVAL {revision} DAY "
                "FROM rankings_daily WHERE date < $2",
                [revision, last_day - dt.timedelta(days=2)],
            )
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        counts = {
            table: int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in (*DATED_TABLES, "rankings_restatements", "raw_responses")
        }
        got_first, got_days = con.execute(
            "SELECT min(date), count(DISTINCT date) FROM rankings_daily"
        ).fetchone()
    if (got_first, got_days) != (first, days):
        raise AssertionError(f"{db}: {got_days} days from {got_first}, wanted {days} from {first}")
    counts["days"] = days
    counts["file_mb"] = round(db.stat().st_size / 2**20, 1)
    return counts
