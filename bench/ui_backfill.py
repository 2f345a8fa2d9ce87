"""The UI backfill, timed: ``dagster dev``, a GraphQL ``launchPartitionBackfill`` of all history.

As a user does it: Materialize, every partitioned asset of the group, all partitions. The clock
runs from the mutation's reply to the backfill's COMPLETED_SUCCESS. Afterwards the instance says
where the time went, from its own timestamps:

- ``daemon_pickup``: launch to the run's creation: the backfill daemon wakes every 30 s;
- ``run_creation``: writing the run and its planned events (one per day per asset), in the
  daemon, until the run is queued;
- ``queue_and_launch``: queued to started (the run queue's 5 s poll, the run worker starting);
- ``execution``: the run itself;
- ``daemon_completion``: the run's end to the backfill's success, the daemon's next pass.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from scripts.local_env import dagster_dev

LAUNCH = """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""
STATUS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
  ... on PartitionBackfill { status numPartitions } } }"""
ASSETS = "{ assetNodes { assetKey { path } isPartitioned groupName } }"
DONE = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}


def graphql(url: str, query: str, variables: dict | None = None) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables or {}}, timeout=60
    )
    response.raise_for_status()
    payload = response.json()
    if "errors" in payload:
        raise RuntimeError(payload["errors"])
    return payload["data"]


def run_ui_backfill(home: Path, env: dict[str, str], log_path: Path, timeout: float = 900):
    """Start ``dagster dev`` in ``home``, backfill all history through GraphQL, time it."""
    with dagster_dev(env, log_path) as url:
        partitioned = [
            node["assetKey"]
            for node in graphql(url, ASSETS)["assetNodes"]
            if node["isPartitioned"] and node["groupName"] == "openrouter"
        ]
        launched = graphql(
            url, LAUNCH, {"p": {"assetSelection": partitioned, "allPartitions": True}}
        )
        reply = launched["launchPartitionBackfill"]
        if reply["__typename"] != "LaunchBackfillSuccess":
            raise RuntimeError(f"launchPartitionBackfill: {reply}")
        launched_at = time.time()
        start = time.perf_counter()
        deadline = start + timeout
        status = None
        while time.perf_counter() < deadline:
            status = graphql(url, STATUS, {"id": reply["backfillId"]})["partitionBackfillOrError"]
            if status["status"] in DONE:
                break
            time.sleep(0.25)
        wall = time.perf_counter() - start
        finished_at = time.time()
    if status is None or status["status"] not in {"COMPLETED", "COMPLETED_SUCCESS"}:
        raise RuntimeError(f"UI backfill ended {status}; see {log_path}")
    record = {
        "wall_s": round(wall, 3),
        "assets": len(partitioned),
        "partitions": status["numPartitions"],
        "phases": phases(home, reply["backfillId"], launched_at, finished_at),
    }
    return record


def phases(
    home: Path, backfill_id: str, launched_at: float, finished_at: float
) -> dict[str, float]:
    """Where the launch-to-success time went, from the instance's timestamps (see above).

    The backfill's own run: the automation sensor may have launched the chart and the export
    after it by the time the UI is stopped."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        (record,) = instance.get_run_records(
            dg.RunsFilter(tags={"dagster/backfill": backfill_id}), limit=1
        )
        run = record.dagster_run
        queued = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED
        ).records
        enqueued_at = queued[0].timestamp if queued else record.create_timestamp.timestamp()
        events = instance.all_logs(run.run_id)
    planned = sum(
        1
        for e in events
        if e.is_dagster_event and e.dagster_event_type.value == "ASSET_MATERIALIZATION_PLANNED"
    )
    created = record.create_timestamp.timestamp()
    return {
        "daemon_pickup": round(created - launched_at, 3),
        "run_creation": round(enqueued_at - created, 3),
        "queue_and_launch": round(record.start_time - enqueued_at, 3),
        "execution": round(record.end_time - record.start_time, 3),
        "daemon_completion": round(finished_at - record.end_time, 3),
        "planned_events": planned,
    }
