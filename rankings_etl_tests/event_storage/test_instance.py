"""The batching instance class: what it swaps, when it batches, what its one setting does."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.instance.types import InstanceType
from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
from dagster._core.run_coordinator import DefaultRunCoordinator
from dagster._core.storage.event_log import InMemoryEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
from dagster._core.storage.root import LocalArtifactStorage
from dagster._core.storage.runs import InMemoryRunStorage

from rankings_etl.event_storage import (
    BATCH_SIZE_ENV,
    DEFAULT_BATCH_SIZE,
    BatchedSqliteEventLogStorage,
    BatchingDagsterInstance,
)
from rankings_etl_tests.event_storage.conftest import BATCHING, ROOT, open_instance
from rankings_etl_tests.event_storage.day_checks import run_days


@pytest.fixture
def daemon_interval(monkeypatch):
    """The controller's constant, restored after the test (instances built here may set it)."""
    from dagster._daemon import controller

    monkeypatch.setattr(controller, "DEFAULT_DAEMON_INTERVAL_SECONDS", 30)
    return controller


def test_the_root_dagster_yaml_gives_the_batching_instance_on_the_stock_directories(
    tmp_path, daemon_interval
):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance, BatchingDagsterInstance)
        storage = instance.event_log_storage
        assert type(storage) is BatchedSqliteEventLogStorage
        # Where stock Dagster keeps its event logs: the two can take over each other's files.
        assert storage._base_dir == str(home / "history" / "runs")
        assert instance._get_event_batch_size() == DEFAULT_BATCH_SIZE
        # A run worker rebuilds the instance from its reference: the same class, same setting.
        ref = instance.get_ref()
        assert ref.custom_instance_class is BatchingDagsterInstance
        assert ref.custom_instance_class_config == {"backfill_daemon_interval_seconds": 5}


def test_dagsters_variable_still_wins_and_zero_turns_batching_off(batched_instance, monkeypatch):
    monkeypatch.setenv(BATCH_SIZE_ENV, "0")
    assert not batched_instance._is_batch_writing_enabled()
    monkeypatch.setenv(BATCH_SIZE_ENV, "25")
    assert batched_instance._get_event_batch_size() == 25


def test_stock_dagster_on_the_same_files_reads_what_the_batching_instance_wrote(
    instance_dir,
):
    """Turning the storage off (deleting the dagster.yaml lines) loses no history."""
    home = instance_dir / "home"
    with open_instance(home, BATCHING) as batched:
        batched.report_runless_asset_event(dg.AssetMaterialization("probe", partition="a"))
        assert run_days(batched, "2025-01-01", "2025-01-05").success
    with open_instance(home) as stock:
        assert type(stock.event_log_storage) is SqliteEventLogStorage
        assert stock.get_latest_materialization_event(dg.AssetKey("probe")) is not None
        keys = stock.get_materialized_partitions(dg.AssetKey("days"))
        assert keys == {f"2025-01-0{day}" for day in range(1, 6)}


def test_a_storage_it_does_not_know_is_kept_and_not_batched(tmp_path):
    other = InMemoryEventLogStorage()
    instance = BatchingDagsterInstance(
        instance_type=InstanceType.EPHEMERAL,
        local_artifact_storage=LocalArtifactStorage(str(tmp_path)),
        run_storage=InMemoryRunStorage(),
        event_storage=other,
        run_coordinator=DefaultRunCoordinator(),
        compute_log_manager=NoOpComputeLogManager(),
        run_launcher=SyncInMemoryRunLauncher(),
    )
    assert instance.event_log_storage is other
    assert instance._get_event_batch_size() == 0


def test_the_backfill_daemon_interval_is_what_dagster_yaml_says(tmp_path, daemon_interval):
    with open_instance(tmp_path / "home", {**BATCHING, "backfill_daemon_interval_seconds": 7}):
        assert daemon_interval.DEFAULT_DAEMON_INTERVAL_SECONDS == 7


def test_a_bad_backfill_interval_is_refused_by_dagsters_config_check(tmp_path, daemon_interval):
    bad = {**BATCHING, "backfill_daemon_interval_seconds": "five"}
    with (
        pytest.raises(Exception, match="backfill_daemon_interval_seconds"),
        open_instance(tmp_path / "home", bad),
    ):
        pass
    assert daemon_interval.DEFAULT_DAEMON_INTERVAL_SECONDS == 30
