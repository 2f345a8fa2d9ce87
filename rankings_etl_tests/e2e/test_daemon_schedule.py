"""The daemon under `dagster dev` launches the scheduled range run by itself, and the automation
sensor (on by default) then refreshes everything the UI says follows it, once."""

import datetime as dt
import time

import dagster as dg
import duckdb
import pytest

from rankings_etl.core.dates import last_completed_day
from rankings_etl_tests.event_storage.trace import MATERIALIZED, PLANNED, Writes, assert_batched

#: The automation sensor's interval here (30 s by default): ticks the test can wait out.
SENSOR_INTERVAL = 5

RUNS = """
{ runsOrError { ... on Runs { results { runId status tags { key value } } } } }
"""
SCHEDULES = """
{ repositoriesOrError { ... on RepositoryConnection { nodes { schedules {
  name scheduleState { id } } } } } }
"""
STOP = """
mutation($id: String) { stopRunningSchedule(id: $id) { __typename } }
"""


def stop_the_schedule(dagster_dev):
    """Stop the schedule after its first tick: each minute's tick would launch another run."""
    (repository,) = dagster_dev.graphql(SCHEDULES)["repositoriesOrError"]["nodes"]
    (state_id,) = [
        s["scheduleState"]["id"]
        for s in repository["schedules"]
        if s["name"] == "daily_rankings_schedule"
    ]
    stopped = dagster_dev.graphql(STOP, {"id": state_id})["stopRunningSchedule"]
    assert stopped["__typename"] == "ScheduleStateResult", stopped


@pytest.fixture
def dagster_dev_env(dagster_dev_env):
    """Tick every minute, on an instance whose history is loaded up to 3 days ago: every tick
    asks for the same trailing window, so after the first the ticks dedupe on its run key and
    whatever runs after it was launched because of it. (Filling a longer gap in one run is
    tested in integration/test_schedule.py.)"""
    dagster_dev_env["RANKINGS_SCHEDULE_CRON"] = "* * * * *"
    dagster_dev_env["RANKINGS_AUTOMATION_INTERVAL_SECONDS"] = str(SENSOR_INTERVAL)
    with dg.DagsterInstance.from_config(dagster_dev_env["DAGSTER_HOME"]) as instance:
        day = last_completed_day() - dt.timedelta(days=30)
        while day <= last_completed_day() - dt.timedelta(days=3):
            instance.report_runless_asset_event(
                dg.AssetMaterialization(asset_key="rankings_daily", partition=day.isoformat())
            )
            day += dt.timedelta(days=1)
    return dagster_dev_env


def test_the_daemon_launches_the_range_run_and_automation_refreshes_the_rest_once(
    dagster_dev, sandbox
):
    deadline = time.monotonic() + 300
    scheduled = []
    stopped = False
    while time.monotonic() < deadline:
        runs = dagster_dev.graphql(RUNS)["runsOrError"]["results"]
        scheduled = [
            (run, {t["key"]: t["value"] for t in run["tags"]})
            for run in runs
            if any(t["value"] == "daily_rankings_schedule" for t in run["tags"])
        ]
        if scheduled and not stopped:
            stop_the_schedule(dagster_dev)
            stopped = True
        if scheduled and scheduled[0][0]["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(3)
    assert scheduled, dagster_dev.log_path.read_text()[-3000:]
    run, tags = scheduled[-1]  # the first tick's run (ticks dedupe on the same window)
    yesterday = last_completed_day()
    assert tags["dagster/asset_partition_range_start"] == str(yesterday - dt.timedelta(days=2))
    assert tags["dagster/asset_partition_range_end"] == str(yesterday)
    assert scheduled[0][0]["status"] == "SUCCESS", dagster_dev.log_path.read_text()[-3000:]
    assert len({t["dagster/asset_partition_range_start"] for _, t in scheduled}) == 1
    # The trailing days in a single request, and one per exact segment.
    assert sandbox.request_count(endpoint="rankings-daily", unfiltered=True) == 1
    assert sandbox.request_count() == 11

    # Downstream follows by automation: every table's three days, then the chart and the export.
    followers = [
        "model_share_daily",
        "market_daily",
        "author_share_daily",
        "model_growth_daily",
        "model_segment_share_daily",
    ]
    outputs = ["top_models_chart", "rankings_export"]
    with dg.DagsterInstance.from_config(str(dagster_dev.home)) as instance:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not all(
            materializations(instance, asset) for asset in outputs
        ):
            time.sleep(3)
        time.sleep(4 * SENSOR_INTERVAL)  # more sensor ticks: nothing may launch a second time
        days = {str(yesterday - dt.timedelta(days=n)) for n in range(3)}
        for asset in followers:
            partitions = [m.partition_key for m in materializations(instance, asset)]
            assert sorted(partitions) == sorted(days), (asset, dagster_dev.log_path)
        for asset in outputs:
            assert len(materializations(instance, asset)) == 1, asset
        runs = instance.get_runs()
        assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS] * len(runs)
        assert len([run for run in runs if run.job_name == "daily_rankings_job"]) == 1
    with duckdb.connect(str(dagster_dev.duckdb_path), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT date) FROM model_growth_daily").fetchone() == (3,)

    # The daemon created the scheduled run and wrote its 6 planned events (3 days of
    # rankings_daily and of rankings_segments_daily) in one batch; the run's process its
    # materializations in one batch per asset.
    writes = [w for w in dagster_dev.event_writes() if w["run_id"] == run["runId"]]
    assert_batched(Writes(writes, "_daemon"), PLANNED, 3 * 2)
    assert_batched(Writes(writes, ""), MATERIALIZED, 3 * 2, groups=2)


def materializations(instance, asset):
    return instance.fetch_materializations(dg.AssetKey(asset), limit=1000).records
