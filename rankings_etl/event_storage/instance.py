"""The Dagster instance every process of the project loads: batched event writes, switched on.

Selected by ``instance_class`` in ``dagster.yaml`` (the root file, ``deploy/docker/dagster.yaml``,
and the Helm chart's ``additionalInstanceConfig``), so the CLI, ``dagster dev``'s webserver and
daemon, code servers and every run worker build it from the same file or from the instance
reference a run worker is launched with. Nothing has to be exported.

Why an instance class rather than a storage entry alone:

- Batching is decided by the instance, not the storage: ``handle_new_event`` buffers events that
  carry batch metadata only when ``_get_event_batch_size()`` is positive, and stock Dagster reads
  that from ``DAGSTER_EVENT_BATCH_SIZE``, a variable someone has to remember in every process
  (the CLI, the daemon that creates a UI backfill's run, its run worker). Here the instance
  itself answers :data:`DEFAULT_BATCH_SIZE` (the variable, when set, still wins: ``0`` turns
  batching off).
- The storage it batches into is the one ``dagster.yaml`` already names: stock SQLite (the
  default) becomes :class:`BatchedSqliteEventLogStorage` on the same directory, stock Postgres
  (``storage: postgres``, or the Helm chart's ``event_log_storage``, which values cannot
  replace) becomes :class:`BatchedPostgresEventLogStorage` on the same database. Same tables,
  same rows: the stock classes can read, and take over, what these wrote.
- Check evaluations that a step yields as plain events carry no batch metadata (one event per
  check, per day once checks are partitioned). Consecutive ones from a run are held and written
  as one batch before the next event of any other kind, which always follows in the same
  process (the step's next output, or its success or failure event). Dagster buffers its own
  materialization batches the same way; evaluations that come with batch metadata of their own
  take Dagster's path unchanged.

Set ``RANKINGS_EVENT_STORAGE_TRACE`` to a file to see, per process, what was written how.

Once event writes take seconds, what a UI backfill waits on is the backfill daemon: Dagster runs
its pass every 30 s (a module constant, no setting), so a backfill waits up to 30 s for its run
to be created and up to 30 s more, after the run succeeded, to read complete. The optional
``backfill_daemon_interval_seconds`` key of ``dagster.yaml`` (this class's only one) sets that
pass interval in the daemon process (see :func:`set_backfill_daemon_interval`).

Without the ``instance_class`` lines Dagster runs exactly as stock, on the same files.
"""

from __future__ import annotations

import inspect
import sys
import threading
from collections.abc import Mapping
from typing import Any

from dagster import DagsterInstance, Field, IntSource
from dagster._core.events import (
    DagsterEventBatchMetadata,
    DagsterEventType,
    generate_event_batch_id,
)
from dagster._core.events.log import EventLogEntry
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.base import EventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from rankings_etl.event_storage.sqlite import BatchedSqliteEventLogStorage
from rankings_etl.settings import event_batch_size

#: Events per ``store_event_batch`` call. A full history's 3,500 planned events are then four
#: transactions; one transaction holds the index's write lock for a fraction of a second.
DEFAULT_BATCH_SIZE = 1000

_INIT = inspect.signature(DagsterInstance.__init__)


def batched_storage(storage: EventLogStorage) -> EventLogStorage:
    """The batched counterpart of a stock event log storage, on the same database.

    Only the exact stock classes are replaced: a subclass or any other storage is somebody
    else's choice and is kept as it is.
    """
    if type(storage) is SqliteEventLogStorage:
        storage.dispose()
        return BatchedSqliteEventLogStorage(storage._base_dir, inst_data=storage.inst_data)  # noqa: SLF001
    if type(storage).__module__.startswith("dagster_postgres"):
        # Imported only here: processes on SQLite never pay for psycopg2.
        from dagster_postgres.event_log import PostgresEventLogStorage

        from rankings_etl.event_storage.postgres import BatchedPostgresEventLogStorage

        if type(storage) is PostgresEventLogStorage:
            storage.dispose()
            return BatchedPostgresEventLogStorage(
                storage.postgres_url,
                # The stock constructor just made sure the tables exist.
                should_autocreate_tables=False,
                inst_data=storage.inst_data,
                token_provider=storage._token_provider,  # noqa: SLF001
            )
    return storage


def is_batched(storage: EventLogStorage) -> bool:
    """Whether ``storage`` writes a batch atomically (one of this package's storages)."""
    return bool(getattr(storage, "writes_batches_atomically", False))


def set_backfill_daemon_interval(seconds: int) -> None:
    """The backfill daemon's pass interval, in the process that runs the daemons.

    Dagster's backfill loop (``dagster._daemon.backfill.execute_backfill_iteration_loop``) reads
    ``dagster._daemon.controller.DEFAULT_DAEMON_INTERVAL_SECONDS`` when it starts, after the
    daemon process has built its instance: setting it here is in time. Only a process that has
    the daemon controller loaded runs daemons, so no other process is touched (or made to
    import it). The constant's one other reader, the asset daemon's pre-sensor interval, is not
    used with automation sensors (Dagster's default).
    """
    controller = sys.modules.get("dagster._daemon.controller")
    if controller is not None:
        controller.DEFAULT_DAEMON_INTERVAL_SECONDS = seconds


def _coalescible(event: EventLogEntry) -> bool:
    """A check evaluation from inside a run: safe to hold until the run's next other event."""
    return (
        event.is_dagster_event
        and event.dagster_event_type == DagsterEventType.ASSET_CHECK_EVALUATION
        and bool(event.run_id)
    )


class BatchingDagsterInstance(DagsterInstance):
    """``DagsterInstance`` that writes its events in batches (see the module docstring)."""

    def __init__(self, *args: Any, backfill_daemon_interval_seconds: int | None = None, **kwargs):
        if backfill_daemon_interval_seconds is not None:
            set_backfill_daemon_interval(backfill_daemon_interval_seconds)
        bound = _INIT.bind(None, *args, **kwargs)
        bound.arguments["event_storage"] = batched_storage(bound.arguments["event_storage"])
        self._held_checks: list[EventLogEntry] = []
        self._held_lock = threading.RLock()
        super().__init__(*bound.args[1:], **bound.kwargs)

    # Custom instance classes declare their extra dagster.yaml keys and their defaults
    # (Dagster's own): see dagster._core.instance.ref.InstanceRef.from_dir.
    @classmethod
    def config_schema(cls) -> Mapping[str, Any]:
        return {
            "backfill_daemon_interval_seconds": Field(
                IntSource,
                is_required=False,
                description="Seconds between the backfill daemon's passes (Dagster: 30).",
            )
        }

    @staticmethod
    def config_defaults(base_dir: str) -> Mapping[str, Any]:
        return InstanceRef.config_defaults(base_dir)

    def _get_event_batch_size(self) -> int:
        # Dagster's own DAGSTER_EVENT_BATCH_SIZE, when set, overrides DEFAULT_BATCH_SIZE.
        configured = event_batch_size()
        if configured is not None:
            return configured
        return DEFAULT_BATCH_SIZE if is_batched(self._event_storage) else 0

    def handle_new_event(
        self,
        event: EventLogEntry,
        *,
        batch_metadata: DagsterEventBatchMetadata | None = None,
    ) -> None:
        if batch_metadata is None and _coalescible(event) and self._is_batch_writing_enabled():
            with self._held_lock:
                self._held_checks.append(event)
                full = len(self._held_checks) >= self._get_event_batch_size()
            if full:
                self.flush_held_events()
            return
        self.flush_held_events()
        super().handle_new_event(event, batch_metadata=batch_metadata)

    def flush_held_events(self) -> None:
        """Write the held check evaluations now, as one batch, through Dagster's batch path."""
        with self._held_lock:
            held, self._held_checks = self._held_checks, []
            if not held:
                return
            batch_id = generate_event_batch_id()
            for i, event in enumerate(held):
                super().handle_new_event(
                    event, batch_metadata=DagsterEventBatchMetadata(batch_id, i == len(held) - 1)
                )

    def dispose(self) -> None:
        self.flush_held_events()
        super().dispose()
