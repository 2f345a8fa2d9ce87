"""After a full backfill, what the UI reads about each day is that day's own truth.

One backfill of every daily asset over all history (a module fixture: it is the suite's most
expensive run), then read back the way the UI reads: each partition's latest materialization,
and each check's per-partition status through the function the asset-check GraphQL resolver
calls (``AssetCheckState`` from ``event_log_storage.get_asset_check_state``). The last test
refuses one day and must leave every other status as it was.
"""

import datetime as dt

import dagster as dg
import duckdb
import pytest
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionResolvedStatus as Status,
)
from dagster_duckdb import DuckDBResource

from rankings_etl.core.api_facts import FIRST_DATE
from rankings_etl.core.citation import citation
from rankings_etl.core.dates import last_completed_day
from rankings_etl.datasets.rankings_daily.assets import rankings_daily
from rankings_etl.definitions import daily_assets
from rankings_etl.orchestration.partitions import daily_partitions
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl_tests.conftest import SUITE_LIMITS
from rankings_etl_tests.environment import PROJECT_INSTANCE

from .conftest import TEST_KEY
from .helpers import materialize_range

YESTERDAY = last_completed_day()
DAYS = (YESTERDAY - FIRST_DATE).days + 1
DAY = "2025-03-15"
AS_OF = "strftime(max(as_of) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')"
CHECK_KEYS = sorted((key for asset in daily_assets for key in asset.check_keys), key=str)


class Backfilled:
    def __init__(self, instance, duckdb_path, resources, sandbox, result):
        self.instance, self.duckdb_path = instance, duckdb_path
        self.resources, self.sandbox, self.result = resources, sandbox, result

    def query(self, sql, params=None):
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def metadata(self, asset, day=DAY):
        records = self.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[day]), limit=1
        ).records
        return {k: v.value for k, v in records[0].asset_materialization.metadata.items()}

    def check_statuses(self):
        """{(asset, check): {status: partition keys}}, as the UI's check page reads them."""
        states = self.instance.event_log_storage.get_asset_check_state(
            [(key, daily_partitions) for key in CHECK_KEYS]
        )
        return {
            (key.asset_key.to_user_string(), key.name): {
                status: set(subset.subset_value.get_partition_keys())
                for status, subset in states[key].subsets.items()
                if not subset.is_empty
            }
            for key in CHECK_KEYS
        }


@pytest.fixture(scope="module")
def backfilled(sandbox_server, tmp_path_factory):
    sandbox_server.reset()
    sandbox_server.configure(today=None, as_of=None, **SUITE_LIMITS)
    root = tmp_path_factory.mktemp("every_day")
    duckdb_path = root / "rankings.duckdb"
    resources = {
        "openrouter": OpenRouterClient(
            api_key=TEST_KEY,
            base_url=sandbox_server.base_url,
            backoff_initial_seconds=0.01,
            backoff_max_seconds=0.05,
        ),
        "duckdb": DuckDBResource(database=str(duckdb_path)),
    }
    (root / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(root / "home"), overrides=PROJECT_INSTANCE) as instance:
        result = materialize_range(
            daily_assets, FIRST_DATE, YESTERDAY, resources=resources, instance=instance
        )
        assert result.success
        yield Backfilled(instance, duckdb_path, resources, sandbox_server, result)
    sandbox_server.reset()


def test_all_of_history_is_one_run_of_two_requests(backfilled):
    assert 366 < DAYS <= 732
    windows = [(r["start_date"], r["end_date"]) for r in backfilled.sandbox.requests()]
    assert windows == [("2025-01-01", "2026-01-01"), ("2026-01-02", YESTERDAY.isoformat())]
    assert backfilled.query("SELECT count(*), count(DISTINCT date) FROM rankings_daily") == [
        (DAYS * 51, DAYS)
    ]
    for asset in daily_assets:
        assert len(backfilled.result.asset_materializations_for_node(asset.key.path[-1])) == DAYS


def test_a_day_carries_its_own_figures_not_the_runs(backfilled):
    ((rows, tokens, models, top, as_of),) = backfilled.query(
        f"SELECT count(*), sum(total_tokens), count(rank), min_by(model_permaslug, rank), {AS_OF}"
        " FROM rankings_daily WHERE date = ?",
        [DAY],
    )
    metadata = backfilled.metadata("rankings_daily")
    assert metadata["dagster/row_count"] == rows == 51
    assert metadata["total_tokens"] == tokens
    assert metadata["models_ranked"] == models
    assert metadata["top_model"] == top
    assert metadata["as_of"] == as_of
    assert metadata["citation"] == citation(as_of)
    # What belongs to the run is on the run, not repeated on each of its 699 days.
    assert not {"requests", "days", "dates_covered", "rows_written"} & metadata.keys()
    tags = backfilled.instance.get_run_by_id(backfilled.result.run_id).tags
    assert tags["rankings_etl/requests"] == "2"
    assert tags["rankings_etl/days"] == f"{FIRST_DATE}..{YESTERDAY} ({DAYS} days)"
    # The Markdown preview describes one day, so it rides on the newest day only.
    assert "preview" not in metadata
    assert "preview" in backfilled.metadata("rankings_daily", YESTERDAY.isoformat())


@pytest.mark.parametrize(
    "asset", ["model_share_daily", "market_daily", "author_share_daily", "model_growth_daily"]
)
def test_every_published_table_cites_its_days_as_of(backfilled, asset):
    ((rows,),) = backfilled.query(f"SELECT count(*) FROM {asset} WHERE date = ?", [DAY])
    ((as_of,),) = backfilled.query(f"SELECT {AS_OF} FROM rankings_daily WHERE date = ?", [DAY])
    metadata = backfilled.metadata(asset)
    assert metadata["dagster/row_count"] == rows > 0
    assert metadata["as_of"] == as_of
    assert metadata["citation"] == citation(as_of)


def test_market_daily_plots_the_market_day_by_day(backfilled):
    """The Plots tab draws one point per materialization: each must be its own day's."""
    records = backfilled.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("market_daily")), limit=DAYS + 10
    ).records
    plotted = {
        record.partition_key: {
            key: value.value for key, value in record.asset_materialization.metadata.items()
        }
        for record in records
    }
    table = {
        str(day): (hhi, total, share, models)
        for day, hhi, total, share, models in backfilled.query(
            "SELECT date, hhi, total_tokens, top_model_share, models_ranked FROM market_daily"
        )
    }
    assert plotted.keys() == table.keys() and len(table) == DAYS
    for day, (hhi, total, share, models) in table.items():
        assert plotted[day]["hhi"] == pytest.approx(hhi, rel=1e-12)
        assert plotted[day]["total_tokens"] == total
        assert plotted[day]["top_model_share"] == pytest.approx(share, rel=1e-12)
        assert plotted[day]["models_ranked"] == models
    assert len({m["hhi"] for m in plotted.values()}) > DAYS / 2
    assert len({m["total_tokens"] for m in plotted.values()}) > DAYS / 2


def test_every_check_passed_on_every_day(backfilled):
    every_day = {day.isoformat() for day in (FIRST_DATE + dt.timedelta(n) for n in range(DAYS))}
    statuses = backfilled.check_statuses()
    assert len(statuses) == len(CHECK_KEYS) == 14
    for check, by_status in statuses.items():
        assert by_status == {Status.SUCCEEDED: every_day}, check
    evaluation = next(
        e
        for e in backfilled.result.get_asset_check_evaluations()
        if e.check_name == "rows_per_date" and e.partition == DAY
    )
    assert evaluation.passed and evaluation.metadata["rows"].value == 51


def test_a_refused_day_fails_its_failing_checks_and_nothing_else(backfilled):
    """Run what the schedule runs, rankings_daily for one day, on a response that repeats the
    day's `other` row: its four failing checks read failed on that day (and the restatement
    check warns: the second `other` moves the loaded day's total), every other status of every
    check and day is unchanged, and the run says why in one line."""
    before = backfilled.check_statuses()
    table_before = backfilled.query("SELECT count(*), sum(total_tokens) FROM rankings_daily")
    backfilled.sandbox.inject("other_duplicated", date=DAY)
    result = materialize_range(
        [rankings_daily], DAY, DAY, resources=backfilled.resources, instance=backfilled.instance
    )
    assert not result.success
    assert backfilled.query("SELECT count(*), sum(total_tokens) FROM rankings_daily") == (
        table_before
    )
    failing = {
        "one_other_per_date",
        "other_is_last",
        "rows_per_date",
        "no_duplicate_models",
        "restatements_plausible",
    }
    after = backfilled.check_statuses()
    for (asset, check), by_status in after.items():
        expected = before[(asset, check)]
        if asset == "rankings_daily" and check in failing:
            expected = {
                Status.SUCCEEDED: expected[Status.SUCCEEDED] - {DAY},
                Status.FAILED: {DAY},
            }
        assert by_status == expected, (asset, check)
    warned = next(
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "restatements_plausible" and e.partition == DAY
    )
    assert warned.severity.value == "WARN", warned

    run_failure = next(
        event
        for event in backfilled.instance.all_logs(result.run_id)
        if event.dagster_event and event.dagster_event.event_type_value == "PIPELINE_FAILURE"
    )
    headline = run_failure.dagster_event.event_specific_data.error.message
    assert headline.count("\n") == 1  # one line, its newline
    assert f"breaks the API contract on 1 day(s): {DAY} (one_other_per_date" in headline
    assert "nothing was written" in headline
