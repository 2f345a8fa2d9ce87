"""The Dagster internals rankings_etl.event_storage stands on, as they are in the tested versions.

The batched storage subclasses Dagster's SQLite and Postgres event log storages, calls their
private helpers and overrides a private method of the instance. A new Dagster may rename,
re-sign or rewrite any of them without notice. This test names each one with its parameters and,
for the methods whose behaviour the storage mirrors or depends on, a hash of its source. When it
fails after an upgrade, it says which internal changed: re-read that method in the new Dagster,
fix rankings_etl/event_storage if needed, run this directory's tests (the differential test
compares stock and batched storage row for row), then update the entry here.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: (object, its parameters, sha256 of its source or None, what we rely on it for).
#: Parameters: name, "*name" / "**name" for var-args, "name=" when it has a default, and a "*"
#: marker before keyword-only ones.
INTERNALS: list[tuple[str, tuple[str, ...], str | None, str]] = [
    (
        "dagster._core.instance.instance:DagsterInstance.__init__",
        (
            "self",
            "instance_type",
            "local_artifact_storage",
            "run_storage",
            "event_storage",
            "run_coordinator",
            "compute_log_manager",
            "run_launcher",
            "scheduler=",
            "schedule_storage=",
            "settings=",
            "secrets_loader=",
            "defs_state_storage=",
            "ref=",
            "**_kwargs",
        ),
        None,
        "BatchingDagsterInstance swaps the event_storage argument",
    ),
    (
        "dagster._core.instance.methods.event_methods:EventMethods._get_event_batch_size",
        ("self",),
        None,
        "overridden: the instance, not DAGSTER_EVENT_BATCH_SIZE, turns batching on",
    ),
    (
        "dagster._core.instance.methods.event_methods:EventMethods._is_batch_writing_enabled",
        ("self",),
        "f34ebac9e50e2b26",
        "must keep asking _get_event_batch_size",
    ),
    (
        "dagster._core.instance.methods.event_methods:EventMethods.handle_new_event",
        ("self", "event", "*", "batch_metadata="),
        "b3f5a609a4bd77d6",
        "buffers events by batch id, calls store_event_batch, falls back to store_event",
    ),
    (
        "dagster._core.instance.runs.run_domain:RunDomain._log_asset_planned_events",
        ("self", "dagster_run", "execution_plan_snapshot", "asset_graph"),
        "888b0ae2f0d56f89",
        "reports a run's planned events with batch metadata",
    ),
    (
        "dagster._daemon.backfill:execute_backfill_iteration_loop",
        (
            "workspace_process_context",
            "logger",
            "shutdown_event",
            "until=",
            "threadpool_executor=",
            "submit_threadpool_executor=",
        ),
        "d8e78d4d22600dac",
        "reads DEFAULT_DAEMON_INTERVAL_SECONDS when it starts (backfill_daemon_interval_seconds)",
    ),
    (
        "dagster._core.instance.ref:InstanceRef.config_defaults",
        ("base_dir",),
        None,
        "a custom instance class supplies Dagster's own defaults",
    ),
    (
        "dagster._core.events:DagsterEventBatchMetadata",
        ("id", "is_end"),
        None,
        "held check evaluations are sent through Dagster's batch path",
    ),
    (
        "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage.__init__",
        ("self", "base_dir", "inst_data="),
        None,
        "the batched storage is built on the stock one's directory",
    ),
    (
        "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage._connect",
        ("self", "shard"),
        "cc9a2fe4e6a5d7b6",
        "overridden with a cached engine: stock's body otherwise",
    ),
    (
        "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage.store_event",
        ("self", "event"),
        "46615d730898c818",
        "the batch writes what this writes per event: run shard, then index mirror",
    ),
    (
        "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage._initdb",
        ("self", "engine", "for_index_shard="),
        None,
        "creates a run's database on first use",
    ),
    (
        "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage.has_table",
        ("self", "table_name"),
        None,
        "overridden with a cache",
    ),
    (
        "dagster._core.storage.event_log.sql_event_log:SqlEventLogStorage.store_event",
        ("self", "event"),
        "34271fe681a6ccef",
        "what Postgres's single-event path mirrors (asset rows, tags, checks)",
    ),
    (
        "dagster._core.storage.event_log.sql_event_log:SqlEventLogStorage._event_to_row",
        ("self", "event"),
        None,
        "the event_logs row of an event",
    ),
    (
        "dagster._core.storage.event_log.sql_event_log:SqlEventLogStorage._store_asset_event_tags",
        ("self", "conn", "events", "event_ids"),
        None,
        "data-version tags of a batch, on the batch's connection",
    ),
    (
        "dagster._core.storage.event_log.sql_event_log:SqlEventLogStorage._get_asset_entry_values",
        ("self", "event", "event_id", "has_asset_key_index_cols"),
        "3209f992ec7ea504",
        "merged per asset key: must set the same columns for every event of a type",
    ),
    (
        "dagster._core.storage.event_log.sql_event_log:SqlEventLogStorage._store_asset_event",
        ("self", "conn", "event", "event_id"),
        "608ff80bef9914d9",
        "replaced by one upsert per asset key with the merged values",
    ),
    (
        "dagster._core.storage.event_log.sql_event_log:"
        "SqlEventLogStorage._has_asset_key_index_cols_on_connection",
        ("self", "conn"),
        None,
        "overridden with a cache",
    ),
    (
        "dagster._core.storage.event_log.sql_event_log:SqlEventLogStorage.store_asset_check_event",
        ("self", "event", "event_id"),
        None,
        "called per check event inside a batch",
    ),
    (
        "dagster._core.storage.event_log.sql_event_log:"
        "SqlEventLogStorage._store_asset_check_evaluation_planned",
        ("self", "event", "event_id"),
        "94cdc2a3270b4550",
        "replaced by batches.planned_check_rows: the same rows",
    ),
    (
        "dagster._core.storage.event_log.sql_event_log:"
        "SqlEventLogStorage._update_asset_check_evaluation",
        ("self", "event", "event_id"),
        None,
        "writes on index_connection(), which a batch points at its transaction",
    ),
    (
        "dagster_postgres.event_log.event_log:PostgresEventLogStorage.__init__",
        ("self", "postgres_url", "should_autocreate_tables=", "inst_data=", "token_provider="),
        None,
        "the batched storage is built on the stock one's URL and token provider",
    ),
    (
        "dagster_postgres.event_log.event_log:PostgresEventLogStorage.store_event",
        ("self", "event"),
        "ce5cf00a8011fec0",
        "the batch writes what this writes per event",
    ),
    (
        "dagster_postgres.event_log.event_log:PostgresEventLogStorage._store_asset_event",
        ("self", "conn", "event", "event_id"),
        "647d30da0296627b",
        "replaced by one upsert per asset key with the merged values",
    ),
    (
        "dagster_postgres.event_log.event_log:PostgresEventLogStorage._connect",
        ("self",),
        None,
        "overridden: inside a batch, every helper uses the batch's connection",
    ),
]

#: Attributes read off stock storage objects when swapping them for the batched ones.
ATTRIBUTES = {
    "SqliteEventLogStorage": ("_base_dir", "_initialized_dbs", "_db_lock", "inst_data"),
    "PostgresEventLogStorage": ("postgres_url", "_token_provider", "_engine", "inst_data"),
}


def resolve(target: str) -> Any:
    module, _, qualname = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def parameters(obj: Any) -> tuple[str, ...]:
    if isinstance(obj, type) and hasattr(obj, "_fields"):  # NamedTuple
        return tuple(obj._fields)
    shape = []
    for parameter in inspect.signature(obj).parameters.values():
        if parameter.kind is parameter.KEYWORD_ONLY and "*" not in shape:
            shape.append("*")
        name = {
            parameter.VAR_POSITIONAL: f"*{parameter.name}",
            parameter.VAR_KEYWORD: f"**{parameter.name}",
        }.get(parameter.kind, parameter.name)
        shape.append(name + ("=" if parameter.default is not parameter.empty else ""))
    return tuple(shape)


def source_hash(obj: Any) -> str:
    source = inspect.getsource(obj)
    return hashlib.sha256(inspect.cleandoc(source).encode()).hexdigest()[:16]


@pytest.mark.parametrize("target, expected, digest, why", INTERNALS, ids=[i[0] for i in INTERNALS])
def test_each_internal_has_the_shape_it_was_tested_with(target, expected, digest, why):
    try:
        obj = resolve(target)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"{target} is gone in this Dagster ({exc}); rankings_etl.event_storage {why}")
    assert parameters(obj) == expected, (
        f"{target} changed its parameters: tested with {expected}, now {parameters(obj)}; "
        f"rankings_etl.event_storage relies on it: {why}"
    )
    if digest is not None:
        assert source_hash(obj) == digest, (
            f"the source of {target} changed (sha256 {source_hash(obj)}, tested with {digest}); "
            f"rankings_etl.event_storage relies on it: {why}. Re-read it, re-run "
            "rankings_etl_tests/event_storage, then record the new hash here."
        )


def test_the_backfill_daemon_interval_is_still_the_controllers_constant():
    from dagster._daemon import controller

    # Read from the source: an instance built earlier in this process may have set it.
    assert "\nDEFAULT_DAEMON_INTERVAL_SECONDS = 30\n" in inspect.getsource(controller), (
        "dagster._daemon.controller.DEFAULT_DAEMON_INTERVAL_SECONDS changed; "
        "backfill_daemon_interval_seconds (set_backfill_daemon_interval) relies on it"
    )


def test_the_stock_storages_still_carry_the_attributes_the_swap_reads(tmp_path):
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    storage = SqliteEventLogStorage(str(tmp_path))
    missing = [name for name in ATTRIBUTES["SqliteEventLogStorage"] if not hasattr(storage, name)]
    assert not missing, f"SqliteEventLogStorage lost {missing}; see batched_storage()"
    source = inspect.getsource(
        resolve("dagster_postgres.event_log.event_log:PostgresEventLogStorage")
    )
    for name in ATTRIBUTES["PostgresEventLogStorage"]:
        assert f"self.{name}" in source or name == "inst_data", (
            f"PostgresEventLogStorage no longer sets {name}; see batched_storage()"
        )


def test_the_pins_name_the_versions_these_internals_were_read_in():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for package in ("dagster", "dagster-postgres"):
        pin = f"{package}=={version(package)}"
        assert pin in dependencies, (
            f"pyproject.toml must pin {pin} (the version installed and tested): the batched "
            "event storage relies on its internals"
        )
