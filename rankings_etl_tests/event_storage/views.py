"""What an instance answers the Dagster UI, and what its tables hold, in comparable form.

Two instances that ran the same runs differ in run ids, storage ids, timestamps and in
metadata values that carry a time (``as_of``). Everything here is expressed without those: a run
is its position in creation order, a stored event is (run, type, asset, partition), and each
storage id is replaced by the event stored under it. What is left must be equal between stock
storage and ours.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import dagster as dg
from dagster._core.storage.event_log.schema import (
    AssetCheckExecutionsTable,
    AssetEventTagsTable,
    AssetKeyTable,
    SqlEventLogStorageTable,
)
from dagster._core.storage.partition_status_cache import get_and_update_asset_status_cache_value
from dagster._serdes import deserialize_value

MATERIALIZATION = dg.DagsterEventType.ASSET_MATERIALIZATION
PLANNED = dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED


def run_order(instance: dg.DagsterInstance) -> dict[str, int]:
    """Run id -> position in creation order (both instances create the same runs in order)."""
    records = instance.get_run_records(order_by="create_timestamp", ascending=True)
    return {record.dagster_run.run_id: i for i, record in enumerate(records)}


class Normalizer:
    """Maps one instance's run ids and index storage ids to instance-independent values."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance = instance
        self.runs = run_order(instance)
        self.runs[""] = "runless"
        storage = instance.event_log_storage
        table = SqlEventLogStorageTable
        with storage.index_connection() as conn:
            rows = conn.execute(
                table.select()
                .with_only_columns(
                    table.c.id,
                    table.c.run_id,
                    table.c.dagster_event_type,
                    table.c.asset_key,
                    table.c.partition,
                )
                .order_by(table.c.id)
            ).fetchall()
        self.index_rows = [
            (self.run(run_id), event_type, asset_key, partition)
            for _, run_id, event_type, asset_key, partition in rows
        ]
        self.events = dict(zip((row[0] for row in rows), self.index_rows, strict=True))

    def run(self, run_id: str | None) -> Any:
        return None if run_id is None else self.runs.get(run_id, f"unknown run {run_id}")

    def event(self, storage_id: int | None) -> Any:
        return None if storage_id is None else self.events.get(storage_id, "missing event")

    def record(self, record: Any) -> Any:
        """An EventLogRecord as (stored event, metadata keys)."""
        if record is None:
            return None
        entry = record.event_log_entry
        materialization = entry.asset_materialization
        metadata = sorted(materialization.metadata) if materialization else None
        return self.event(record.storage_id), metadata


def stored_rows(instance: dg.DagsterInstance) -> dict[str, Any]:
    """Every row of the event log tables stock storage writes, normalized."""
    norm = Normalizer(instance)
    storage = instance.event_log_storage
    table = SqlEventLogStorageTable
    per_run = {}
    for run_id in sorted(norm.runs, key=lambda r: str(norm.runs[r])):
        if not run_id:
            continue
        with storage.run_connection(run_id) as conn:
            rows = conn.execute(
                table.select()
                .with_only_columns(
                    table.c.dagster_event_type,
                    table.c.step_key,
                    table.c.asset_key,
                    table.c.partition,
                )
                .where(table.c.run_id == run_id)
                .order_by(table.c.id)
            ).fetchall()
        # Order within a run is kept, except that events without a type (plain log lines)
        # are compared as a count: the rest are what the UI reads by position.
        per_run[norm.run(run_id)] = (
            [tuple(row) for row in rows if row[0] is not None],
            sum(1 for row in rows if row[0] is None),
        )
    with storage.index_connection() as conn:
        assets = conn.execute(
            AssetKeyTable.select()
            .with_only_columns(
                AssetKeyTable.c.asset_key,
                AssetKeyTable.c.last_materialization,
                AssetKeyTable.c.last_run_id,
                AssetKeyTable.c.last_materialization_timestamp,
                AssetKeyTable.c.wipe_timestamp,
            )
            .order_by(AssetKeyTable.c.asset_key)
        ).fetchall()
        tags = conn.execute(
            AssetEventTagsTable.select().with_only_columns(
                AssetEventTagsTable.c.event_id,
                AssetEventTagsTable.c.asset_key,
                AssetEventTagsTable.c.key,
                AssetEventTagsTable.c.value,
            )
        ).fetchall()
        checks = conn.execute(
            AssetCheckExecutionsTable.select()
            .with_only_columns(
                AssetCheckExecutionsTable.c.asset_key,
                AssetCheckExecutionsTable.c.check_name,
                AssetCheckExecutionsTable.c.partition,
                AssetCheckExecutionsTable.c.run_id,
                AssetCheckExecutionsTable.c.execution_status,
                AssetCheckExecutionsTable.c.evaluation_event,
                AssetCheckExecutionsTable.c.evaluation_event_storage_id,
                AssetCheckExecutionsTable.c.materialization_event_storage_id,
            )
            .order_by(AssetCheckExecutionsTable.c.id)
        ).fetchall()
    return {
        "run_logs": per_run,
        "index_events": norm.index_rows,
        "asset_rows": [
            (
                key,
                norm.record(deserialize_value(last, dg.EventLogRecord)) if last else None,
                norm.run(last_run_id),
                timestamp is not None,
                wiped,
            )
            for key, last, last_run_id, timestamp, wiped in assets
        ],
        # Tag values are data versions, which hash the run's own ids: compare their presence.
        "event_tags": sorted(
            Counter(
                (norm.event(event_id), asset_key, key, value is not None)
                for event_id, asset_key, key, value in tags
            ).items(),
            key=repr,
        ),
        "check_executions": [
            (
                asset_key,
                check_name,
                partition,
                norm.run(run_id),
                status,
                deserialize_value(event, dg.EventLogEntry).dagster_event_type.value,
                norm.event(evaluation_id),
                norm.event(materialization_id),
            )
            for asset_key, check_name, partition, run_id, status, event, evaluation_id, materialization_id in checks  # noqa: E501
        ],
    }


def ui_answers(instance: dg.DagsterInstance, defs: dg.Definitions) -> dict[str, Any]:
    """What the UI asks: partition status, latest materializations, asset records, runs, checks."""
    norm = Normalizer(instance)
    storage = instance.event_log_storage
    graph = defs.resolve_asset_graph()
    answers: dict[str, Any] = {"assets": {}, "checks": {}}
    for key in sorted(graph.get_all_asset_keys()):
        partitions_def = graph.get(key).partitions_def
        asset: dict[str, Any] = {}
        if partitions_def is not None:
            status = get_and_update_asset_status_cache_value(instance, key, partitions_def)
            asset["status"] = (
                None
                if status is None
                else {
                    "materialized": sorted(
                        status.deserialize_materialized_partition_subsets(
                            partitions_def
                        ).get_partition_keys()
                    ),
                    "failed": sorted(
                        status.deserialize_failed_partition_subsets(
                            partitions_def
                        ).get_partition_keys()
                    ),
                    "in_progress": sorted(
                        status.deserialize_in_progress_partition_subsets(
                            partitions_def
                        ).get_partition_keys()
                    ),
                }
            )
            asset["latest_by_partition"] = {
                partition: norm.event(storage_id)
                for partition, storage_id in storage.get_latest_storage_id_by_partition(
                    key, MATERIALIZATION
                ).items()
            }
            asset["planned_by_partition"] = {
                partition: norm.event(storage_id)
                for partition, storage_id in storage.get_latest_storage_id_by_partition(
                    key, PLANNED
                ).items()
            }
        asset["materializations"] = [
            norm.record(record)
            for record in instance.fetch_materializations(key, limit=10_000).records
        ]
        (record,) = instance.get_asset_records([key]) or [None]
        if record is not None:
            entry = record.asset_entry
            asset["record"] = {
                "last_materialization": norm.record(entry.last_materialization_record),
                "last_run": norm.run(entry.last_run_id),
                "last_observation": norm.record(entry.last_observation_record),
            }
        planned = instance.get_latest_planned_materialization_info(key)
        asset["latest_planned"] = None if planned is None else norm.run(planned.run_id)
        answers["assets"][key.to_user_string()] = asset
    check_keys = sorted(graph.asset_check_keys, key=lambda k: k.to_user_string())
    latest = storage.get_latest_asset_check_execution_by_key(check_keys)
    for check_key in check_keys:
        history = storage.get_asset_check_execution_history(check_key, limit=10_000)
        answers["checks"][check_key.to_user_string()] = {
            "history": [
                (
                    norm.run(r.run_id),
                    r.status.value,
                    r.partition,
                    r.event.dagster_event_type.value if r.event else None,
                )
                for r in history
            ],
            "latest": None
            if check_key not in latest
            else (norm.run(latest[check_key].run_id), latest[check_key].status.value),
        }
    # What the UI shows per (check, day) for partitioned checks.
    answers["check_partitions"] = sorted(
        (
            (
                info.check_key.to_user_string(),
                info.partition_key,
                info.latest_execution_status.value,
                norm.run(info.latest_planned_run_id),
                norm.event(info.latest_check_event_storage_id),
                norm.event(info.latest_materialization_storage_id),
                norm.event(info.latest_target_materialization_storage_id),
                info.is_current,
            )
            for info in storage.get_asset_check_partition_info(check_keys)
        ),
        key=repr,
    )
    answers["runs"] = [
        (
            norm.run(r.dagster_run.run_id),
            r.dagster_run.status.value,
            Counter(
                (
                    e.dagster_event_type.value,
                    str(e.dagster_event.asset_key),
                    e.dagster_event.partition,
                )
                for e in instance.all_logs(r.dagster_run.run_id)
                if e.is_dagster_event
            ),
        )
        for r in instance.get_run_records(order_by="create_timestamp", ascending=True)
    ]
    return answers
