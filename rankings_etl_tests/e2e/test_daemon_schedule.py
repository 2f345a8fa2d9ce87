"""The daemon under `dagster dev` launches the scheduled run by itself, and it is a range run."""

import datetime as dt
import time

import dagster as dg
import duckdb
import pytest

from rankings_etl.contract import last_completed_day
from rankings_etl_tests.event_storage.trace import MATERIALIZED, PLANNED, Writes, assert_batched

RUNS = """
{ runsOrError { ... on Runs { results { runId status tags { key value } } } } }
"""


@pytest.fixture
def dagster_dev_env(dagster_dev_env):
    """Tick every minute, on an instance whose history is already loaded up to 5 days ago."""
    dagster_dev_env["RANKINGS_SCHEDULE_CRON"] = "* * * * *"
    with dg.DagsterInstance.from_config(dagster_dev_env["DAGSTER_HOME"]) as instance:
        day = last_completed_day() - dt.timedelta(days=30)
        while day <= last_completed_day() - dt.timedelta(days=5):
            instance.report_runless_asset_event(
                dg.AssetMaterialization(asset_key="rankings_daily", partition=day.isoformat())
            )
            day += dt.timedelta(days=1)
    return dagster_dev_env


def test_the_daemon_launches_one_range_run_that_fills_the_gap(dagster_dev, sandbox):
    deadline = time.monotonic() + 300
    scheduled = []
    while time.monotonic() < deadline:
        runs = dagster_dev.graphql(RUNS)["runsOrError"]["results"]
        scheduled = [
            (run, {t["key"]: t["value"] for t in run["tags"]})
            for run in runs
            if any(t["value"] == "daily_rankings_schedule" for t in run["tags"])
        ]
        if scheduled and scheduled[0][0]["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(3)
    assert scheduled, dagster_dev.log_path.read_text()[-3000:]
    run, tags = scheduled[-1]  # the first tick's run (ticks dedupe on the same window)
    yesterday = last_completed_day()
    assert tags["dagster/asset_partition_range_start"] == str(yesterday - dt.timedelta(days=4))
    assert tags["dagster/asset_partition_range_end"] == str(yesterday)
    assert scheduled[0][0]["status"] == "SUCCESS", dagster_dev.log_path.read_text()[-3000:]
    assert len({t["dagster/asset_partition_range_start"] for _, t in scheduled}) == 1
    assert sandbox.request_count() == 1  # the whole gap in a single request
    with duckdb.connect(str(dagster_dev.duckdb_path), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT date) FROM model_growth_daily").fetchone() == (5,)

    # The daemon created the run and wrote its 25 planned events (5 days x 5 assets) in one
    # batch; the run's process its materializations in one batch per asset.
    writes = [w for w in dagster_dev.event_writes() if w["run_id"] == run["runId"]]
    assert_batched(Writes(writes, "_daemon"), PLANNED, 25)
    assert_batched(Writes(writes, ""), MATERIALIZED, 25, groups=5)
