"""End to end through the real UI server: a backfill of all history launched over GraphQL."""

import datetime as dt
import time

import duckdb

from rankings_etl.core.api_facts import FIRST_DATE
from rankings_etl.core.dates import last_completed_day
from rankings_etl_tests.event_storage.trace import MATERIALIZED, PLANNED, Writes, assert_batched

LAUNCH = """
mutation Launch($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
  }
}
"""

STATUS = """
query Status($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill { status numPartitions runs(limit: 50) { runId status } }
  }
}
"""

ASSETS = """
{ assetNodes { assetKey { path } isPartitioned groupName jobNames } }
"""

REPOSITORIES = """
{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }
"""

LAUNCH_RUN = """
mutation Run($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}
"""

RUN_STATUS = """
query RunStatus($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }
"""


def test_a_ui_backfill_of_all_history_is_one_run_and_two_requests(dagster_dev, sandbox):
    partitioned = [
        node["assetKey"]
        for node in dagster_dev.graphql(ASSETS)["assetNodes"]
        if node["isPartitioned"] and node["groupName"] == "openrouter"
    ]
    assert {"path": ["rankings_daily"]} in partitioned
    launched = dagster_dev.graphql(
        LAUNCH, {"params": {"assetSelection": partitioned, "allPartitions": True}}
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    backfill_id = launched["backfillId"]

    deadline = time.monotonic() + 1500
    while time.monotonic() < deadline:
        backfill = dagster_dev.graphql(STATUS, {"id": backfill_id})["partitionBackfillOrError"]
        if backfill["status"] not in ("REQUESTED",):
            break
        time.sleep(2)
    assert backfill["status"] in ("COMPLETED", "COMPLETED_SUCCESS"), (
        backfill,
        dagster_dev.log_path.read_text()[-4000:],
    )
    assert [run["status"] for run in backfill["runs"]] == ["SUCCESS"]

    days = (last_completed_day() - FIRST_DATE).days + 1
    assert sandbox.request_count() == 2
    with duckdb.connect(str(dagster_dev.duckdb_path), read_only=True) as con:
        assert con.execute(
            "SELECT count(DISTINCT date), count(*) FROM rankings_daily"
        ).fetchone() == (days, days * 51)

    # Batching was in effect where the work was done, with nothing exported: the daemon created
    # the backfill's run and stored its planned events, the run's own process its
    # materializations, each in a handful of transactions rather than one per event. (Only the
    # backfill's run: the automation sensor, in the same daemon, may meanwhile launch the chart
    # and the export, which follow it.)
    (backfill_run,) = backfill["runs"]
    writes = [w for w in dagster_dev.event_writes() if w["run_id"] == backfill_run["runId"]]
    daemon = Writes(writes, "_daemon")
    assert_batched(daemon, PLANNED, days * len(partitioned))
    (worker_pid,) = {w["pid"] for w in writes if MATERIALIZED in w["types"]}
    assert worker_pid not in {w["pid"] for w in daemon.lines}
    worker = Writes([w for w in writes if w["pid"] == worker_pid], "")
    assert_batched(worker, MATERIALIZED, days * len(partitioned), groups=len(partitioned))


def test_a_run_launched_from_the_ui_stores_its_planned_events_in_a_batch(dagster_dev, sandbox):
    """The webserver creates a run launched from the UI (here the daily job over 3 days)."""
    (repository,) = dagster_dev.graphql(REPOSITORIES)["repositoriesOrError"]["nodes"]
    end = last_completed_day()
    start = end - dt.timedelta(days=2)
    launched = dagster_dev.graphql(
        LAUNCH_RUN,
        {
            "params": {
                "selector": {
                    "repositoryLocationName": repository["location"]["name"],
                    "repositoryName": repository["name"],
                    "jobName": "daily_rankings_job",
                },
                "executionMetadata": {
                    "tags": [
                        {"key": "dagster/asset_partition_range_start", "value": str(start)},
                        {"key": "dagster/asset_partition_range_end", "value": str(end)},
                    ]
                },
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline = time.monotonic() + 300
    status = None
    while time.monotonic() < deadline:
        status = dagster_dev.graphql(RUN_STATUS, {"id": run_id})["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(1)
    assert status == "SUCCESS", dagster_dev.log_path.read_text()[-4000:]
    # rankings_daily's trailing days in one request, and one per exact segment.
    assert sandbox.request_count(endpoint="rankings-daily", unfiltered=True) == 1
    assert sandbox.request_count() == 11

    daily = sum(
        "daily_rankings_job" in node["jobNames"]
        for node in dagster_dev.graphql(ASSETS)["assetNodes"]
    )
    writes = [w for w in dagster_dev.event_writes() if w["run_id"] == run_id]
    assert_batched(Writes(writes, "webserver"), PLANNED, 3 * daily)
    assert_batched(Writes(writes, ""), MATERIALIZED, 3 * daily, groups=daily)
