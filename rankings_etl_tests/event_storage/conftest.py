"""Instances on stock and on batched storage, and the project's graph run for real against both.

``project_graph.run(instance, start, end)`` materializes every partitioned asset of
``rankings_etl.definitions`` (with the checks that ride along) over a range of days in one run,
through ``dagster.materialize`` with the range tags a UI backfill uses, against the sandbox and
a warehouse of the test's own.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from rankings_etl.definitions import daily_assets, defs
from rankings_etl.orchestration.partitions import daily_partitions
from rankings_etl.resources.export_dir import ExportDirectory
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl_tests.environment import PROJECT_INSTANCE, fast_folder
from rankings_etl_tests.integration.helpers import materialize_range

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "sk-or-v1-event-storage-0123456789abcdef"
#: The project's instance class, exactly as the root dagster.yaml selects it.
BATCHING = PROJECT_INSTANCE
GRAPH = defs.resolve_asset_graph()
#: rankings_daily and its tables: one run covers one partitions definition (the weekly assets
#: run on their own), and the segments would add requests and events, not storage paths.
PARTITIONED = sorted(asset.key for asset in daily_assets)
PARTITIONS = daily_partitions
DAILY_JOB = "daily_rankings_job"


def open_instance(home: Path, overrides: dict | None = None):
    home.mkdir(parents=True, exist_ok=True)
    return dg.instance_for_test(temp_dir=str(home), overrides=overrides)


@pytest.fixture
def instance_dir(tmp_path):
    """Where these tests' instances live: in memory (/dev/shm) when the machine has it.

    These tests are about which rows are written, not how fast a disk syncs them; stock
    storage's one fsync per event would otherwise make a full history cost minutes.
    """
    with fast_folder(tmp_path) as folder:
        yield folder


@pytest.fixture
def stock_instance(instance_dir):
    """Stock Dagster: SQLite storage, no instance class, no batching."""
    with open_instance(instance_dir / "stock_home") as instance:
        yield instance


@pytest.fixture
def batched_instance(instance_dir):
    """The project's instance class on SQLite storage (what dagster.yaml selects)."""
    with open_instance(instance_dir / "batched_home", BATCHING) as instance:
        yield instance


class ProjectGraph:
    """The project's definitions with resources pointed at one sandbox and one directory."""

    def __init__(self, base_url: str, directory: Path):
        # Every resource the definitions name, pointed at this test's sandbox and files.
        resources = {
            "openrouter": OpenRouterClient(
                api_key=API_KEY,
                base_url=base_url,
                backoff_initial_seconds=0.01,
                backoff_max_seconds=0.05,
            ),
            "duckdb": DuckDBResource(database=str(directory / "warehouse.duckdb")),
            "exports": ExportDirectory(path=str(directory / "exports")),
        }
        self.assets = [*defs.assets, *(defs.asset_checks or [])]
        self.resources = resources
        self.defs = dg.Definitions(
            assets=defs.assets, asset_checks=defs.asset_checks, jobs=defs.jobs, resources=resources
        )

    def run(self, instance: dg.DagsterInstance, start, end) -> dg.ExecuteInProcessResult:
        """One run of every partitioned asset (and its checks) over ``start..end``."""
        return materialize_range(
            self.assets,
            start,
            end,
            resources=self.resources,
            instance=instance,
            selection=dg.AssetSelection.assets(*PARTITIONED)
            | dg.AssetSelection.checks_for_assets(*PARTITIONED),
        )

    def create_unlaunched_run(self, instance: dg.DagsterInstance, start, end) -> dg.DagsterRun:
        """A range run of the daily job, created (planned events stored) but never launched."""
        return instance.create_run_for_job(
            job_def=self.defs.resolve_job_def(DAILY_JOB),
            tags={
                "dagster/asset_partition_range_start": str(start),
                "dagster/asset_partition_range_end": str(end),
            },
        )


@pytest.fixture
def project_graph(sandbox, tmp_path):
    """:class:`ProjectGraph` against the session's sandbox, its files under ``tmp_path``."""
    return ProjectGraph(sandbox.base_url, tmp_path / "graph")
