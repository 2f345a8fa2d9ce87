"""Fixtures for the rate-budget tests: a ledger, a Dagster instance, a project environment.

``ledger_url`` runs a test twice, once against a SQLite file and once against a real Postgres
database: both ledgers must pass the same suite. The sandbox and Postgres server fixtures come
from the suite's root ``conftest.py``.
"""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rankings_etl_tests.environment import project_env

BIN = Path(sys.executable).parent
API_KEY = "sk-or-v1-budget-test-0123456789abcdef"


@pytest.fixture
def budget_db(tmp_path):
    """Where this test's SQLite ledger lives (created by the first request)."""
    return tmp_path / "data" / "rate_budget.sqlite"


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request, tmp_path):
    """``RANKINGS_BUDGET_DB`` for this test: a SQLite file, then a fresh Postgres database."""
    if request.param == "sqlite":
        return str(tmp_path / "data" / "rate_budget.sqlite")
    return request.getfixturevalue("postgres_url")


def ledger_rows(url, sql):
    """Rows of a query against the ledger's own tables, whichever database holds them."""
    url = str(url)
    if url.startswith("postgresql://"):
        import psycopg2

        con = psycopg2.connect(url)
        try:
            with con.cursor() as cur:
                cur.execute("SET search_path TO rankings_budget")
                cur.execute(sql)
                return [tuple(row) for row in cur.fetchall()]
        finally:
            con.close()
    with sqlite3.connect(url) as con:
        return con.execute(sql).fetchall()


def sent_slots(url):
    """(at, status, label) of every request the ledger let through, oldest first."""
    return ledger_rows(
        url, "SELECT at, status, label FROM slots WHERE state = 'sent' ORDER BY at, id"
    )


def held_slots(url):
    return ledger_rows(url, "SELECT count(*) FROM slots WHERE state = 'reserved'")[0][0]


class ProjectRuns:
    """Starts `dagster asset materialize` processes the way a user (or a second scheduler) does.

    Each process gets its own DAGSTER_HOME and DuckDB file (DuckDB allows one writer per file)
    and shares the ledger file and the sandbox with the others.
    """

    def __init__(self, tmp_path, base_url, budget_db, **settings):
        self.tmp_path = tmp_path
        self.env = project_env(
            tmp_path,
            base_url,
            API_KEY,
            RANKINGS_BUDGET_DB=str(budget_db),
            **{name: str(value) for name, value in settings.items()},
        )

    def start(self, name, partition):
        home = self.tmp_path / f"dagster_home_{name}"
        home.mkdir()
        env = {
            **self.env,
            "DAGSTER_HOME": str(home),
            "RANKINGS_DUCKDB_PATH": str(self.tmp_path / f"warehouse_{name}.duckdb"),
        }
        command = [
            str(BIN / "dagster"),
            "asset",
            "materialize",
            "-m",
            "rankings_etl.definitions",
            "--select",
            "rankings_daily",
            "--partition",
            partition,
        ]
        return subprocess.Popen(
            command,
            cwd=self.tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    @staticmethod
    def finish(processes, timeout):
        """[(returncode, output)] once every process has ended."""
        outputs = [process.communicate(timeout=timeout)[0] for process in processes]
        return [(p.returncode, out) for p, out in zip(processes, outputs, strict=True)]


@pytest.fixture
def project_runs(tmp_path, budget_db):
    """Build a :class:`ProjectRuns` for a sandbox URL and budget settings (env var names);
    ``ledger=`` a URL shares that ledger instead of this test's SQLite file."""

    def make(base_url, ledger=None, **settings):
        return ProjectRuns(tmp_path, base_url, ledger or budget_db, **settings)

    return make
