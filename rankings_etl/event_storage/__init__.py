"""Dagster's event log, written in batches: all of history in seconds, every per-day status kept.

``dagster.yaml`` selects :class:`BatchingDagsterInstance` (``instance_class``); it swaps the stock
SQLite or Postgres event log storage for :class:`BatchedSqliteEventLogStorage` or
``BatchedPostgresEventLogStorage`` (:mod:`rankings_etl.event_storage.postgres`) on the same
database, and turns on Dagster's event batching. They store exactly the rows stock Dagster
stores, a batch in one transaction per database. Why and how: :mod:`.instance`.
"""

from rankings_etl.event_storage.instance import (
    DEFAULT_BATCH_SIZE,
    BatchingDagsterInstance,
    batched_storage,
)
from rankings_etl.event_storage.sqlite import BatchedSqliteEventLogStorage
from rankings_etl.settings import BATCH_SIZE_ENV

__all__ = [
    "BATCH_SIZE_ENV",
    "DEFAULT_BATCH_SIZE",
    "BatchedSqliteEventLogStorage",
    "BatchingDagsterInstance",
    "batched_storage",
]
