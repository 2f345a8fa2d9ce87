"""Dagster's Postgres event log, writing every kind of batch in one transaction.

Stock ``PostgresEventLogStorage.store_event_batch`` (dagster-postgres 0.29) batches a run of
materializations or observations, but a run's planned materializations (one per partition per
asset, written when the run is created) and check evaluations fall back to one event at a time:
a connection, an autocommitted INSERT, a NOTIFY, another connection for the asset row, per event
(upstream dagster-io/dagster#33831). :class:`BatchedPostgresEventLogStorage` writes any batch,
all its rows (events, tags, asset rows, check executions), in one transaction.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Any

import dagster._check as check
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.migration import ASSET_KEY_INDEX_COLS
from dagster._core.storage.event_log.schema import (
    AssetKeyTable,
    SqlEventLogStorageTable,
)
from dagster._serdes import ConfigurableClassData
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.utils import get_token_provider_from_config, pg_url_from_config
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from rankings_etl.event_storage.batches import (
    CachedStockLookups,
    UnfinishedEvents,
    commit_checked,
    event_row_query,
    is_asset_event,
    is_check_event,
    merge_asset_values,
    store_check_events,
    trace,
)

DATABASE = "postgres"


class BatchedPostgresEventLogStorage(CachedStockLookups, PostgresEventLogStorage):
    """``PostgresEventLogStorage`` whose ``store_event_batch`` takes any batch in one transaction.

    The transaction commits all of a batch or none of it, so after a failed batch the
    instance's one-by-one fallback finds nothing half-written. If COMMIT itself fails, the
    storage looks whether it took effect, and the fallback then skips what is already there.
    """

    #: Read by the instance: batching is switched on only for a storage that declares it.
    writes_batches_atomically = True

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider: Any = None,
    ):
        self._in_batch = threading.local()
        self._known_tables: set[str] = set()
        self._unfinished = UnfinishedEvents()
        super().__init__(
            postgres_url,
            should_autocreate_tables=should_autocreate_tables,
            inst_data=inst_data,
            token_provider=token_provider,
        )

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> BatchedPostgresEventLogStorage:
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )

    def _connect(self) -> Any:
        # Inside a batch, every helper (tags, check executions, secondary-index lookups) runs
        # on the batch's transaction.
        conn = getattr(self._in_batch, "conn", None)
        if conn is not None:
            return contextlib.nullcontext(conn)
        return super()._connect()

    def store_event(self, event: EventLogEntry) -> None:
        committed = self._unfinished.take(event)
        if committed:
            return  # the instance's fallback, for a batch that did commit: already stored
        trace("postgres", "event", [event])
        super().store_event(event)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        check.sequence_param(events, "events", of_type=EventLogEntry)
        self._unfinished.clear()
        if not events:
            return
        rows = [self._event_to_row(event) for event in events]
        committed: set[str] = set()
        try:
            with super()._connect() as conn:
                conn = conn.execution_options(isolation_level="READ COMMITTED")
                transaction = conn.begin()
                self._in_batch.conn = conn
                try:
                    self._write(conn, list(events), rows)
                finally:
                    self._in_batch.conn = None
                self._commit(transaction, rows[-1])
                committed.add(DATABASE)
        except BaseException:
            self._unfinished.record(events, committed)
            raise
        trace("postgres", "batch", events, transactions=1)

    def _write(self, conn: Connection, events: list[EventLogEntry], rows: list[dict]) -> None:
        """Every row stock ``store_event`` would write for ``events``, on ``conn``."""
        inserted = conn.execute(
            SqlEventLogStorageTable.insert().returning(
                SqlEventLogStorageTable.c.id, sort_by_parameter_order=True
            ),
            rows,
        )
        ids = [int(row[0]) for row in inserted]
        assets = [
            (event, i)
            for event, i in zip(events, ids, strict=True)
            if is_asset_event(event) and event.get_dagster_event().asset_key
        ]
        if assets:
            self._store_asset_event_tags(conn, [e for e, _ in assets], [i for _, i in assets])
            has_cols = self.has_secondary_index(ASSET_KEY_INDEX_COLS)
            merged = merge_asset_values(
                assets, lambda event, i: self._get_asset_entry_values(event, i, has_cols)
            )
            for asset_key, values in merged.items():
                # Stock's upsert: an event that sets nothing still creates the row.
                query = postgresql.insert(AssetKeyTable).values(asset_key=asset_key, **values)
                if values:
                    query = query.on_conflict_do_update(
                        index_elements=[AssetKeyTable.c.asset_key], set_=values
                    )
                else:
                    query = query.on_conflict_do_nothing()
                conn.execute(query)
        checks = [
            (event, i, row["event"])
            for event, i, row in zip(events, ids, rows, strict=True)
            if is_check_event(event)
        ]
        if checks:
            store_check_events(self, conn, checks)

    def _commit(self, transaction: Any, probe: dict[str, Any]) -> None:
        def took_effect() -> bool:
            with super(BatchedPostgresEventLogStorage, self)._connect() as conn:
                return conn.execute(event_row_query(probe)).first() is not None

        commit_checked(transaction, took_effect)
