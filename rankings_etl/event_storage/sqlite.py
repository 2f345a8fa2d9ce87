"""Dagster's SQLite event log, writing a batch of events in one transaction per database file.

Stock ``SqliteEventLogStorage`` keeps each run's events in ``<run_id>.db`` and copies asset,
check and run-status events into ``index.db`` for cross-run queries. It does not override
``store_event_batch``, so a batch is stored one event at a time: per asset event two commits
(each an fsync) and two or three fresh SQLAlchemy engines. A full-history backfill writes 7,000
such events. :class:`BatchedSqliteEventLogStorage` writes the same rows, but a whole batch in
one transaction on the run's file and one on the index, and it keeps one engine per file, so
SQLAlchemy's compiled-statement cache works.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

import dagster._check as check
import sqlalchemy as db
from dagster._core.errors import DagsterInvariantViolationError
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.schema import (
    AssetKeyTable,
    SqlEventLogStorageTable,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from rankings_etl.event_storage.batches import (
    CachedStockLookups,
    UnfinishedEvents,
    commit_checked,
    event_row_query,
    group_by_run,
    is_asset_event,
    is_check_event,
    merge_asset_values,
    mirrored_in_index,
    store_check_events,
    trace,
)

#: Engines kept per process, besides the index's: a webserver reads many runs' files.
MAX_RUN_ENGINES = 16
RUN = "run"
INDEX = "index"


class BatchedSqliteEventLogStorage(CachedStockLookups, SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with a real ``store_event_batch``; same files, tables and rows.

    A batch (the events Dagster's instance buffers: one output's materializations, a run's
    planned events) is written in one transaction on the run's database and one on the index:
    both are filled, then the run's is committed, then the index's. A failure before the first
    commit rolls both back; one between them leaves the batch in the run's file only, and the
    instance's one-by-one fallback then writes just the index part (see
    :class:`~rankings_etl.event_storage.batches.UnfinishedEvents`). Either way no row is
    missing or stored twice. Single events go through the stock ``store_event``, on cached
    engines.
    """

    #: Read by the instance: batching is switched on only for a storage that declares it.
    writes_batches_atomically = True

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # Set before the stock constructor, which may already connect (reindexing a new index).
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        self._known_tables: set[str] = set()
        self._asset_key_index_cols = False
        self._in_batch = threading.local()
        self._unfinished = UnfinishedEvents()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> BatchedSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    # --- connections ---------------------------------------------------------------------
    def _engine(self, shard: str) -> Engine:
        """One engine per database file (stock makes and disposes one per connection)."""
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            self._engines[shard] = engine
            runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
            if len(runs) > MAX_RUN_ENGINES:
                self._engines.pop(runs[0]).dispose()
            return engine

    def _initialized_engine(self, shard: str) -> Engine:
        """The shard's engine, its database created on first use (caller holds ``_db_lock``)."""
        engine = self._engine(shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # Stock _connect, on a cached engine.
        with self._db_lock:
            check.str_param(shard, "shard")
            with self._initialized_engine(shard).connect() as conn, conn.begin():
                yield conn

    def index_connection(self) -> Any:
        # Inside a batch, Dagster's own helpers (check executions) write on the batch's
        # transaction instead of opening a connection of their own.
        conn = getattr(self._in_batch, "index", None)
        if conn is not None:
            return contextlib.nullcontext(conn)
        return super().index_connection()

    def _table_present(self, table_name: str) -> bool:
        # On the index's cached engine (stock makes a new one per call).
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as conn:
            return bool(engine.dialect.has_table(conn, table_name))

    def _has_asset_key_index_cols_on_connection(self, conn: Connection) -> bool:
        if not self._asset_key_index_cols:
            self._asset_key_index_cols = super()._has_asset_key_index_cols_on_connection(conn)
        return self._asset_key_index_cols

    # --- writes --------------------------------------------------------------------------
    def store_event(self, event: EventLogEntry) -> None:
        committed = self._unfinished.take(event)
        if committed:
            # The instance's fallback after a failed batch: write only what is missing.
            missing = {RUN} - committed
            if mirrored_in_index(event) and INDEX not in committed:
                missing.add(INDEX)
            if missing:
                self._write(event.run_id, [event], shards=missing, already=committed)
            return
        trace("sqlite", "event", [event])
        super().store_event(event)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        check.sequence_param(events, "events", of_type=EventLogEntry)
        self._unfinished.clear()
        stored: list[EventLogEntry] = []
        for run_id, group in group_by_run(events):
            try:
                self._write(run_id, group, shards={RUN, INDEX}, already=frozenset())
            except BaseException:
                # Earlier runs' events are complete: the fallback must not write them again.
                self._unfinished.record(stored, {RUN, INDEX})
                raise
            stored.extend(group)

    def _write(
        self,
        run_id: str,
        events: list[EventLogEntry],
        *,
        shards: set[str],
        already: frozenset[str],
    ) -> None:
        """Write ``events`` of one run to ``shards``: one transaction each, all or nothing."""
        rows = [self._event_to_row(event) for event in events]
        mirrored = [i for i, event in enumerate(events) if mirrored_in_index(event)]
        committed: set[str] = set()
        try:
            with self._db_lock, contextlib.ExitStack() as stack:
                pending = []
                if RUN in shards:
                    conn = stack.enter_context(self._initialized_engine(run_id).connect())
                    transaction = conn.begin()
                    conn.execute(SqlEventLogStorageTable.insert(), rows)
                    pending.append((RUN, run_id, transaction, rows[-1]))
                if INDEX in shards and mirrored:
                    conn = stack.enter_context(self._initialized_engine(INDEX_SHARD_NAME).connect())
                    transaction = conn.begin()
                    self._write_index(
                        conn, [events[i] for i in mirrored], [rows[i] for i in mirrored]
                    )
                    pending.append((INDEX, INDEX_SHARD_NAME, transaction, rows[mirrored[-1]]))
                # Run file first, as stock does per event: a failure in between leaves events
                # in the run's log whose index part the fallback then adds.
                for name, shard, transaction, probe in pending:
                    self._commit(transaction, shard, probe)
                    committed.add(name)
        except BaseException:
            self._unfinished.record(events, already | committed)
            raise
        trace(
            "sqlite",
            "batch" if len(events) > 1 or not already else "fallback",
            events,
            transactions=len(committed),
        )

    def _write_index(
        self, conn: Connection, events: list[EventLogEntry], rows: list[dict[str, Any]]
    ) -> None:
        """The index's part of ``events``, as stock ``store_event`` writes it, on ``conn``."""
        ids = self._insert_event_rows(conn, rows)
        self._in_batch.index = conn
        try:
            pairs = list(zip(events, ids, strict=True))
            assets = [(event, i) for event, i in pairs if is_asset_event(event)]
            if assets:
                self._store_asset_event_tags(conn, [e for e, _ in assets], [i for _, i in assets])
                has_cols = self._has_asset_key_index_cols_on_connection(conn)
                merged = merge_asset_values(
                    assets, lambda event, i: self._get_asset_entry_values(event, i, has_cols)
                )
                for asset_key, values in merged.items():
                    if values:  # stock skips an event that sets nothing, row included
                        conn.execute(
                            sqlite_insert(AssetKeyTable)
                            .values(asset_key=asset_key, **values)
                            .on_conflict_do_update(
                                index_elements=[AssetKeyTable.c.asset_key], set_=values
                            )
                        )
            checks = [
                (event, i, row["event"])
                for (event, i), row in zip(pairs, rows, strict=True)
                if is_check_event(event)
            ]
            if checks:
                store_check_events(self, conn, checks)
        finally:
            self._in_batch.index = None

    @staticmethod
    def _insert_event_rows(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` into the index's event log in one executemany; their ids, in order.

        SQLAlchemy's ordered RETURNING falls back to one statement per row on SQLite, and
        SQLite does not promise RETURNING's order for a multi-row insert. This transaction
        holds the database's write lock from its first INSERT, which is this one, so the
        highest ids are ours, in insertion order; their run and type are checked all the same.
        """
        table = SqlEventLogStorageTable
        conn.execute(table.insert(), rows)
        newest = conn.execute(
            db.select(table.c.id, table.c.run_id, table.c.dagster_event_type)
            .order_by(table.c.id.desc())
            .limit(len(rows))
        ).fetchall()[::-1]
        if [(r[1], r[2]) for r in newest] != [(r["run_id"], r["dagster_event_type"]) for r in rows]:
            raise DagsterInvariantViolationError("the index's newest rows are not this batch's")
        return [r[0] for r in newest]

    def _commit(self, transaction: Any, shard: str, probe: dict[str, Any]) -> None:
        def took_effect() -> bool:
            with self._engine(shard).connect() as conn:
                return conn.execute(event_row_query(probe)).first() is not None

        commit_checked(transaction, took_effect)
