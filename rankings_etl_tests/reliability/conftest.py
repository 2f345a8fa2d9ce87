"""Fixtures for the reliability tests.

Reused from the integration suite: ``duckdb_path`` (this test's warehouse file).
The sandbox fixtures (``sandbox``, ``sandbox_server``, ``sandbox_factory``) come from the
suite's root conftest.

Added here:

- ``instance``: one real Dagster instance, the project's (batched event writes; SQLite,
  temporary DAGSTER_HOME, on tmpfs like ``dagster_home``) for the session: creating one costs
  about a second, and each test has its own warehouse anyway.
- ``dagster_home``: an empty folder for a project process's DAGSTER_HOME, on tmpfs when the
  machine has one: Dagster commits two SQLite events per partition, and on a busy disk those
  fsyncs, not our code, would dominate these tests (README, "How it scales").
- ``pinned_sandbox``: ``sandbox`` serving a fixed ``meta.as_of``, so a healed retry, a re-run
  and a clean run all produce the same rows.
- ``budget_db`` / ``make_resources`` / ``resources``: the project's resources as
  ``definitions.py`` builds them (client *with* its rate budget, DuckDB), pointed at the sandbox
  and temporary files, with short timeouts and backoffs so faults cost milliseconds.
- ``loaded_warehouse``: ``duckdb_path`` already holding a clean load of ``PRELOAD`` (every daily
  asset), copied from a template built once per session: the "previously loaded data" a refused
  run must leave byte-for-byte identical.
"""

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from rankings_etl.datasets.rankings_daily.assets import analytics_assets, rankings_daily
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.resources.rate_budget import RateBudget
from rankings_etl_tests.environment import PROJECT_INSTANCE, fast_folder
from rankings_etl_tests.integration import conftest as integration
from rankings_etl_tests.integration.conftest import TEST_KEY
from rankings_etl_tests.integration.helpers import materialize_range

from .support import AS_OF, copy_warehouse

duckdb_path = integration.duckdb_path

#: The days every ``loaded_warehouse`` holds, and the range the fault matrix re-runs.
PRELOAD = ("2025-04-01", "2025-04-03")
#: The day of PRELOAD that data faults target.
FAULT_DATE = "2025-04-02"
#: Per-request timeout of the test client: the ``timeout`` fault delays longer than this.
CLIENT_TIMEOUT = 1.0


@pytest.fixture(scope="session")
def instance(tmp_path_factory):
    with (
        fast_folder(tmp_path_factory.mktemp("dagster_home")) as home,
        dg.instance_for_test(temp_dir=str(home), overrides=PROJECT_INSTANCE) as test_instance,
    ):
        yield test_instance


@pytest.fixture
def dagster_home(tmp_path):
    with fast_folder(tmp_path / "dagster_home") as home:
        yield home


@pytest.fixture
def pinned_sandbox(sandbox):
    sandbox.configure(as_of=AS_OF)
    return sandbox


@pytest.fixture
def budget_db(tmp_path):
    return tmp_path / "data" / "rate_budget.sqlite"


@pytest.fixture
def make_resources(pinned_sandbox, duckdb_path, budget_db):
    """``make_resources(per_day=2)``: the resources with budget limits of your choice."""

    def make(per_minute=10_000, per_day=10_000, budget_settings=None, **client_settings):
        budget = RateBudget(
            database=str(budget_db),
            per_minute=per_minute,
            per_day=per_day,
            **(budget_settings or {}),
        )
        settings = {
            "timeout_seconds": CLIENT_TIMEOUT,
            "backoff_initial_seconds": 0.01,
            "backoff_max_seconds": 0.05,
            **client_settings,
        }
        settings.setdefault("base_url", pinned_sandbox.base_url)
        client = OpenRouterClient(api_key=TEST_KEY, budget=budget, **settings)
        return {
            "openrouter": client,
            "duckdb": DuckDBResource(database=str(duckdb_path)),
        }

    return make


@pytest.fixture
def resources(make_resources):
    return make_resources()


@pytest.fixture(scope="session")
def warehouse_template(sandbox_server, instance, tmp_path_factory):
    """A clean load of PRELOAD through every daily asset, built once."""
    folder = tmp_path_factory.mktemp("warehouse_template")
    path = folder / "rankings.duckdb"
    sandbox_server.reset()
    sandbox_server.configure(as_of=AS_OF)
    template_resources = {
        "openrouter": OpenRouterClient(api_key=TEST_KEY, base_url=sandbox_server.base_url),
        "duckdb": DuckDBResource(database=str(path)),
    }
    result = materialize_range(
        [rankings_daily, *analytics_assets],
        *PRELOAD,
        resources=template_resources,
        instance=instance,
    )
    assert result.success
    sandbox_server.configure(as_of=None)
    sandbox_server.reset()
    return path


@pytest.fixture
def loaded_warehouse(warehouse_template, duckdb_path):
    return copy_warehouse(warehouse_template, duckdb_path)
