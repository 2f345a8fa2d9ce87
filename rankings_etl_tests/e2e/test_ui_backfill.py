"""End to end through the real UI server: a backfill of all history launched over GraphQL."""

import time

import duckdb
import pytest

from rankings_etl.contract import FIRST_DATE, last_completed_day

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
{ assetNodes { assetKey { path } isPartitioned } }
"""


@pytest.mark.timeout(1800)  # stock SQLite storage writes ~15,000 events one by one
def test_a_ui_backfill_of_all_history_is_one_run_and_two_requests(dagster_dev, sandbox):
    partitioned = [
        node["assetKey"]
        for node in dagster_dev.graphql(ASSETS)["assetNodes"]
        if node["isPartitioned"]
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
