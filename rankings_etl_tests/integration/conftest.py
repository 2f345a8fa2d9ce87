"""Fixtures for running the real asset graph: a warehouse file, an instance, resources."""

import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from rankings_etl.resources.openrouter_client import OpenRouterClient

TEST_KEY = "sk-or-v1-test-0123456789abcdef"


@pytest.fixture
def duckdb_path(tmp_path):
    """Where this test's warehouse lives (created by the first materialization)."""
    return tmp_path / "warehouse" / "rankings.duckdb"


@pytest.fixture
def resources(sandbox, duckdb_path):
    """The project's resources pointed at the sandbox and this test's warehouse."""
    return {
        "openrouter": OpenRouterClient(
            api_key=TEST_KEY,
            base_url=sandbox.base_url,
            backoff_initial_seconds=0.01,
            backoff_max_seconds=0.05,
        ),
        "duckdb": DuckDBResource(database=str(duckdb_path)),
    }


@pytest.fixture
def query(duckdb_path):
    """Run a read-only query against the test's warehouse."""

    def run(sql, params=None):
        with duckdb.connect(str(duckdb_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    return run
