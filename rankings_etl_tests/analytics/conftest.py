"""A small hand-made rankings_daily, and a way to run the analytics assets over it for real.

The assets run through ``dagster.materialize`` with ``rankings_daily`` in the graph but not
selected, so Dagster resolves the partition mappings as in production and never calls the API
(the client points at a closed port, so a mistake would fail rather than reach OpenRouter).
"""

import datetime as dt

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from rankings_etl.core.run_tags import RANGE_END_TAG, RANGE_START_TAG
from rankings_etl.datasets import derived_tables, warehouse_specs
from rankings_etl.datasets.rankings_daily.assets import analytics_assets, rankings_daily
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.warehouse.schema import ensure_schema

AS_OF = dt.datetime(2025, 1, 9, 2, 0, tzinfo=dt.UTC)
AS_OF_TEXT = "2025-01-09T02:00:00.000Z"
ANALYTICS_TABLES = tuple(spec.name for spec in derived_tables("rankings_daily"))
FIRST, LAST = "2025-01-01", "2025-01-08"

#: date -> rows in API order (tokens descending, ties by permaslug, `other` last).
#: Jan 3 and Jan 7 are not loaded. Jan 1 is the first day of the dataset.
#: Jan 2: c/z and a/w:free enter, b/y:free drops out; author `a` has two models.
#: Jan 4: no `other` row (a day with no tail). Jan 5: b/y:free climbs to 1, a/x falls to 2.
#: Jan 6: a/x and c/z tie (a/x first by name); c/z re-enters after missing the loaded Jan 5.
#: Jan 8: the day's total is 200, not 100; a/x compares with Jan 1 week over week.
FIXTURE = {
    "2025-01-01": [("a/x", 60), ("b/y:free", 30), ("other", 10)],
    "2025-01-02": [("a/x", 50), ("c/z", 30), ("a/w:free", 10), ("other", 10)],
    "2025-01-04": [("a/x", 80), ("b/y:free", 20)],
    "2025-01-05": [("b/y:free", 50), ("a/x", 40), ("other", 10)],
    "2025-01-06": [("a/x", 45), ("c/z", 45), ("other", 10)],
    "2025-01-08": [("a/x", 120), ("c/z", 40), ("other", 40)],
}


def fixture_rows(fixture=FIXTURE):
    """rankings_daily rows: ranks 1..n in the listed order, NULL for `other`."""
    rows = []
    for day, entries in fixture.items():
        ranked = [slug for slug, _ in entries if slug != "other"]
        for slug, tokens in entries:
            rank = None if slug == "other" else ranked.index(slug) + 1
            rows.append((dt.date.fromisoformat(day), slug, rank, tokens, AS_OF, AS_OF))
    return rows


def create_warehouse(path, rows):
    """A DuckDB file with the project's schema and ``rows`` in rankings_daily."""
    with duckdb.connect(str(path)) as con:
        ensure_schema(con, warehouse_specs())
        con.executemany("INSERT INTO rankings_daily VALUES (?, ?, ?, ?, ?, ?)", rows)
    return path


def materialize(
    path, start=None, end=None, *, partition=None, selection=None, duckdb_resource=None
):
    """One run of the analytics assets (all, or ``selection``) over ``start..end`` or one day."""
    if partition is not None:
        run_args = {"partition_key": partition}
    else:
        run_args = {"tags": {RANGE_START_TAG: start, RANGE_END_TAG: end}}
    return dg.materialize(
        [rankings_daily, *analytics_assets],
        selection=selection or analytics_assets,
        resources={
            "openrouter": OpenRouterClient(api_key="unused", base_url="http://127.0.0.1:9/api/v1"),
            "duckdb": duckdb_resource or DuckDBResource(database=str(path)),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        **run_args,
    )


def read_rows(path, table, key="model_permaslug"):
    """{(ISO date, key column value): row as a dict} of a whole table."""
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(f"SELECT * FROM {table}")
        columns = [c[0] for c in cursor.description]
        records = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return {(r["date"].isoformat(), r[key]): r for r in records}


def digest(path):
    """Row count and an order-independent checksum of every column of each analytics table."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            table: con.execute(f"SELECT count(*), sum(hash(t)) FROM {table} AS t").fetchone()
            for table in ANALYTICS_TABLES
        }


@pytest.fixture
def warehouse(tmp_path):
    """A fresh DuckDB file holding FIXTURE as rankings_daily (nothing derived yet)."""
    return create_warehouse(tmp_path / "w.duckdb", fixture_rows())


@pytest.fixture
def built(warehouse):
    """FIXTURE with every analytics table built by one run over Jan 1..8 (yours to change)."""
    result = materialize(warehouse, FIRST, LAST)
    assert result.success
    return warehouse


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """FIXTURE built once per module, with the run's result: for tests that only read."""
    path = create_warehouse(tmp_path_factory.mktemp("analytics") / "w.duckdb", fixture_rows())
    result = materialize(path, FIRST, LAST)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return path, result
