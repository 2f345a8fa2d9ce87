"""What the two batched storages share: which rows an event touches, and failed-batch bookkeeping.

Stock Dagster stores an event in up to three places: the run's event log, the cross-run index
(on SQLite a second database file; on Postgres the same table), and tables keyed by asset
(``asset_keys``, ``asset_event_tags``, ``asset_check_executions``). The functions here decide,
per event, what stock Dagster would write, so a batch writes exactly that and nothing else.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import dagster._check as check
import sqlalchemy as db
from dagster._core.errors import DagsterInvariantViolationError
from dagster._core.events import (
    ASSET_CHECK_EVENTS,
    ASSET_EVENTS,
    EVENT_TYPE_TO_PIPELINE_RUN_STATUS,
    DagsterEventType,
)
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.schema import (
    AssetCheckExecutionsTable,
    SqlEventLogStorageTable,
)
from dagster_shared.serdes import serialize_value
from sqlalchemy.engine import Connection

from rankings_etl.settings import event_trace_path


def is_asset_event(event: EventLogEntry) -> bool:
    """Materializations, observations, planned materializations...: mirrored with asset rows."""
    return event.is_dagster_event and event.dagster_event_type in ASSET_EVENTS


def is_check_event(event: EventLogEntry) -> bool:
    """Check evaluations and planned evaluations: mirrored with ``asset_check_executions`` rows."""
    return event.is_dagster_event and event.dagster_event_type in ASSET_CHECK_EVENTS


def is_run_status_event(event: EventLogEntry) -> bool:
    return event.is_dagster_event and event.dagster_event_type in EVENT_TYPE_TO_PIPELINE_RUN_STATUS


def mirrored_in_index(event: EventLogEntry) -> bool:
    """Whether stock ``SqliteEventLogStorage.store_event`` copies the event to the index shard."""
    return is_asset_event(event) or is_check_event(event) or is_run_status_event(event)


def merge_asset_values(
    pairs: Sequence[tuple[EventLogEntry, int]],
    values_for: Callable[[EventLogEntry, int], dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """{asset key string: the asset row's column values once every event has been applied}.

    Stock storage writes the asset row once per event, each write setting some columns
    (``last_materialization``, ``last_run_id``, ``last_materialization_timestamp``) to that
    event's values; applied in order, the row ends with each column from the last event that set
    it. Merging the per-event values in order gives that final row in one write. ``values_for``
    is the storage's own ``(event, storage_id) -> dict`` (Dagster's ``_get_asset_entry_values``),
    which sets the same columns for every event of one type; so only the last event of each type
    per asset can leave a value in the row, and only those are asked (``last_materialization``
    is a serialized event: asking all 700 materializations of a backfill would serialize 700).
    Keys whose events set nothing map to ``{}``: Postgres still inserts such a row, SQLite not.
    """
    last_of_type: dict[tuple[str, str], int] = {}
    for position, (event, _) in enumerate(pairs):
        asset_key = event.get_dagster_event().asset_key
        if asset_key is not None:
            last_of_type[(asset_key.to_string(), event.get_dagster_event().event_type_value)] = (
                position
            )
    merged: dict[str, dict[str, Any]] = {}
    for position in sorted(last_of_type.values()):
        event, storage_id = pairs[position]
        asset_key = event.get_dagster_event().asset_key.to_string()
        merged.setdefault(asset_key, {}).update(values_for(event, storage_id))
    return merged


def planned_check_rows(event: EventLogEntry, storage_id: int | None, timestamp: Any) -> list[dict]:
    """The ``asset_check_executions`` rows stock ``_store_asset_check_evaluation_planned`` writes.

    One PLANNED row per partition the run targets (one row when the check is unpartitioned).
    Stock serializes the whole event, partition subset included, again for every row and
    compiles a multi-row VALUES of them: 7 s for a full history's 16 planned checks. The rows
    are the same with the event serialized once.
    """
    planned = event.get_dagster_event().event_specific_data
    partition_keys = (
        planned.partitions_subset.get_partition_keys() if planned.partitions_subset else [None]
    )
    shared = dict(
        asset_key=planned.asset_key.to_string(),
        check_name=planned.check_name,
        run_id=event.run_id,
        execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
        evaluation_event=serialize_value(event),
        evaluation_event_timestamp=timestamp,
        evaluation_event_storage_id=storage_id,
    )
    return [dict(shared, partition=partition_key) for partition_key in partition_keys]


def store_check_events(
    storage: Any, conn: Connection, items: Sequence[tuple[EventLogEntry, int, str]]
) -> None:
    """The ``asset_check_executions`` rows of a batch's check events, in the batch's order.

    ``items`` are (event, its storage id, its serialized form). Evaluations from runs go through
    :func:`write_run_evaluations` in bulk; planned evaluations and runless evaluations through
    the storage's own per-event methods (on ``conn``: the storage points them at it).
    """
    check.invariant(
        storage.supports_asset_checks,
        "Asset checks require a database schema migration. Run `dagster instance migrate`.",
    )
    run_evaluations: list[tuple[EventLogEntry, int, str]] = []
    for item in items:
        event = item[0]
        if event.dagster_event_type == DagsterEventType.ASSET_CHECK_EVALUATION and event.run_id:
            run_evaluations.append(item)
            continue
        write_run_evaluations(storage, conn, run_evaluations)
        run_evaluations = []
        storage.store_asset_check_event(event, item[1])
    write_run_evaluations(storage, conn, run_evaluations)


def write_run_evaluations(
    storage: Any, conn: Connection, items: Sequence[tuple[EventLogEntry, int, str]]
) -> None:
    """Stock ``_update_asset_check_evaluation`` for many evaluations, in a few statements.

    Stock, per evaluation: UPDATE the row its run planned for (check, partition); if there is
    none, INSERT one; if there were several, raise. Here: one SELECT per (check, run) counts the
    rows per partition, then one INSERT and one UPDATE (executemany) apply them all. Inserts
    go first: an evaluation only inserts when no row exists, so any later evaluation of that
    partition in the batch is an update of the inserted row, as it would be one by one.
    """
    if not items:
        return
    table = AssetCheckExecutionsTable
    counts: dict[tuple[str, str, str], Counter] = {}
    inserts: list[dict[str, Any]] = []
    updates: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for event, storage_id, serialized in items:
        evaluation = event.get_dagster_event().event_specific_data
        group = (evaluation.asset_key.to_string(), evaluation.check_name, event.run_id)
        if group not in counts:
            rows = conn.execute(
                db.select(table.c.partition, db.func.count())
                .where(
                    table.c.asset_key == group[0],
                    table.c.check_name == group[1],
                    table.c.run_id == group[2],
                )
                .group_by(table.c.partition)
            ).fetchall()
            counts[group] = Counter({partition: n for partition, n in rows})
        values = dict(
            execution_status=(
                AssetCheckExecutionRecordStatus.SUCCEEDED.value
                if evaluation.passed
                else AssetCheckExecutionRecordStatus.FAILED.value
            ),
            evaluation_event=serialized,
            evaluation_event_timestamp=storage._event_insert_timestamp(event),  # noqa: SLF001
            evaluation_event_storage_id=storage_id,
            materialization_event_storage_id=(
                evaluation.target_materialization_data.storage_id
                if evaluation.target_materialization_data
                else None
            ),
            partition=evaluation.partition,
        )
        found = counts[group][evaluation.partition]
        if found == 0:
            inserts.append(dict(values, asset_key=group[0], check_name=group[1], run_id=group[2]))
            counts[group][evaluation.partition] = 1
        elif found == 1:
            updates[evaluation.partition is None].append(
                dict(values, b_asset_key=group[0], b_check_name=group[1], b_run_id=group[2])
                | ({} if evaluation.partition is None else {"b_partition": evaluation.partition})
            )
        else:
            raise DagsterInvariantViolationError(
                f"Updated {found} rows for asset check evaluation {evaluation.asset_check_key} "
                "as a result of duplicate AssetCheckPlanned events."
            )
    if inserts:
        conn.execute(table.insert(), inserts)
    for null_partition, rows in updates.items():
        if rows:
            conn.execute(_update_planned_row(null_partition), rows)


def _update_planned_row(null_partition: bool) -> Any:
    table = AssetCheckExecutionsTable
    return table.update().where(
        table.c.asset_key == db.bindparam("b_asset_key"),
        table.c.check_name == db.bindparam("b_check_name"),
        table.c.run_id == db.bindparam("b_run_id"),
        table.c.partition.is_(None)
        if null_partition
        else table.c.partition == db.bindparam("b_partition"),
    )


def commit_checked(transaction: Any, took_effect: Callable[[], bool]) -> None:
    """Commit; if COMMIT itself raised (a lost connection, an I/O error), ask ``took_effect``.

    A failed COMMIT does not say whether the database applied it. The batch is then looked up
    (:func:`event_row_query` of its last row): found, it is stored and the failure is moot.
    """
    try:
        transaction.commit()
    except Exception:
        if took_effect():
            return
        raise


def event_row_query(row: Mapping[str, Any]) -> Any:
    """A query that finds ``row`` (an ``event_logs`` row about to be or just inserted)."""
    table = SqlEventLogStorageTable
    event_type = table.c.dagster_event_type
    return (
        db.select(table.c.id)
        .where(
            table.c.run_id == row["run_id"],
            event_type.is_(None)
            if row["dagster_event_type"] is None
            else event_type == row["dagster_event_type"],
            table.c.timestamp == row["timestamp"],
            table.c.event == row["event"],
        )
        .limit(1)
    )


def group_by_run(events: Sequence[EventLogEntry]) -> list[tuple[str, list[EventLogEntry]]]:
    """Consecutive events of one run, in order (a batch normally holds a single run)."""
    groups: list[tuple[str, list[EventLogEntry]]] = []
    for event in events:
        if groups and groups[-1][0] == event.run_id:
            groups[-1][1].append(event)
        else:
            groups.append((event.run_id, [event]))
    return groups


@dataclasses.dataclass
class UnfinishedEvents:
    """Events of a batch that raised, with the databases their batch did commit.

    Dagster's instance answers a failed ``store_event_batch`` by calling ``store_event`` for
    every event of the batch. A batch commits each database in one transaction, so after a
    failure each event is in exactly the databases listed here and in no other: ``store_event``
    then writes only the rest, and nothing is stored twice.
    """

    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    _events: dict[int, tuple[EventLogEntry, frozenset[str]]] = dataclasses.field(
        default_factory=dict
    )

    def record(self, events: Iterable[EventLogEntry], committed: Iterable[str]) -> None:
        done = frozenset(committed)
        with self._lock:
            for event in events:
                # The entry keeps the event alive, so its id() cannot be reused meanwhile.
                self._events[id(event)] = (event, done)

    def take(self, event: EventLogEntry) -> frozenset[str] | None:
        """The databases ``event`` is already in, if it belongs to a failed batch."""
        with self._lock:
            entry = self._events.get(id(event))
            if entry is None or entry[0] is not event:
                return None
            del self._events[id(event)]
            return entry[1]

    def clear(self) -> None:
        with self._lock:
            self._events.clear()


def trace(storage: str, op: str, events: Sequence[EventLogEntry], **details: Any) -> None:
    """Append one line to ``$RANKINGS_EVENT_STORAGE_TRACE`` (when set): who wrote what, how.

    Set it to a file path to have every process append one JSON line per write it makes (how
    many events, of which types, in how many transactions). Diagnostic only: it changes no
    behaviour.
    """
    path = event_trace_path()
    if not path:
        return
    types: Mapping[str, int] = Counter(
        event.dagster_event_type.value if event.is_dagster_event else "LOG" for event in events
    )
    line = json.dumps(
        {
            "pid": os.getpid(),
            "argv": " ".join(sys.argv)[:300],
            "storage": storage,
            "op": op,
            "run_id": events[0].run_id if events else None,
            "events": len(events),
            "types": dict(sorted(types.items())),
            **details,
        }
    )
    # One write of one short line in append mode: lines from concurrent processes do not mix.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


class CachedStockLookups:
    """What both batched storages change in their stock class the same way (list it first in
    the bases). Stock code asks ``has_table`` for every asset event, each time on a new
    connection, and plans a check's partitions by serializing its event once per partition.

    Tables are never dropped, so a table once seen stays known; the subclass says how to look
    one up (:meth:`_table_present`), on its own cached engine where it has one.
    """

    _known_tables: set[str]

    def has_table(self, table_name: str) -> bool:
        if table_name in self._known_tables:
            return True
        present = self._table_present(table_name)
        if present:
            self._known_tables.add(table_name)
        return present

    def _table_present(self, table_name: str) -> bool:
        return super().has_table(table_name)  # type: ignore[misc]

    def _store_asset_check_evaluation_planned(
        self, event: EventLogEntry, event_id: int | None
    ) -> None:
        # Stock's rows, with the event serialized once rather than once per partition.
        rows = planned_check_rows(event, event_id, self._event_insert_timestamp(event))  # type: ignore[attr-defined]
        with self.index_connection() as conn:  # type: ignore[attr-defined]
            conn.execute(AssetCheckExecutionsTable.insert(), rows)
