"""A small hand-made rankings_daily, and a way to run the analytics assets over it."""

import datetime as dt

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from rankings_etl.assets.analytics import analytics_assets
from rankings_etl.assets.rankings import rankings_daily
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.warehouse import ensure_schema

AS_OF = dt.datetime(2025, 1, 9, 2, 0, tzinfo=dt.UTC)

#: date -> rows in API order. Jan 3 and Jan 7 are not loaded; Jan 4 has no `other` row;
#: Jan 5 holds an exact tie; b/y:free leaves on Jan 2, c/z enters on Jan 2 and re-enters Jan 6.
FIXTURE = {
    "2025-01-01": [("a/x", 60), ("b/y:free", 30), ("other", 10)],
    "2025-01-02": [("a/x", 50), ("c/z", 40), ("other", 10)],
    "2025-01-04": [("a/x", 80), ("b/y:free", 20)],
    "2025-01-05": [("a/x", 45), ("b/y:free", 45), ("other", 10)],
    "2025-01-06": [("a/x", 70), ("c/z", 20), ("other", 10)],
    "2025-01-08": [("a/x", 120), ("other", 30)],
}


def fixture_rows(fixture=FIXTURE):
    rows = []
    for day, entries in fixture.items():
        rank = 0
        for slug, tokens in entries:
            rank = rank + 1 if slug != "other" else rank
            rows.append((day, slug, None if slug == "other" else rank, tokens, AS_OF, AS_OF))
    return rows


@pytest.fixture
def warehouse(tmp_path):
    """A DuckDB file holding FIXTURE as rankings_daily; yields its path."""
    path = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_schema(con)
        con.executemany("INSERT INTO rankings_daily VALUES (?, ?, ?, ?, ?, ?)", fixture_rows())
    return path


@pytest.fixture
def run_analytics(warehouse):
    """Materialize the analytics assets for a day range, for real, without calling any API."""
    instance = dg.DagsterInstance.ephemeral()

    def run(start, end, selection=None):
        return dg.materialize(
            [rankings_daily, *analytics_assets],
            selection=selection or analytics_assets,
            resources={
                "openrouter": OpenRouterClient(api_key=""),
                "duckdb": DuckDBResource(database=str(warehouse)),
            },
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": start,
                "dagster/asset_partition_range_end": end,
            },
            raise_on_error=False,
        )

    return run


@pytest.fixture
def table(warehouse):
    """Rows of a table as dicts keyed by (date, name-column)."""

    def read(name, key="model_permaslug", where="TRUE"):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            cursor = con.execute(f"SELECT * FROM {name} WHERE {where}")
            columns = [c[0] for c in cursor.description]
            records = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return {(str(r["date"]), r[key]): r for r in records}

    return read
