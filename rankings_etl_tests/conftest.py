"""Suite-wide fixtures: the sandbox API, served by a real process on loopback.

- ``sandbox_server`` (session): one ``python -m rankings_etl.sandbox`` for the whole run, with
  limits so generous the suite never trips them.
- ``sandbox`` (function): that server with stats, faults, revisions, rate windows and run-time
  settings reset before (and after) the test; a :class:`SandboxHandle` (``base_url``,
  ``inject``, ``request_count``, ...).
- ``sandbox_factory`` (function): start a dedicated server with custom options,
  ``sandbox_factory(per_minute=3)``; stopped after the test.
- ``postgres_server`` (session) and ``postgres_url`` (function): a real PostgreSQL server on
  loopback (see :mod:`rankings_etl_tests.postgres`) and a fresh database in it.
"""

import os

import dagster as dg
import pytest

from rankings_etl.sandbox.testing import SandboxServer
from rankings_etl_tests.environment import PROJECT_INSTANCE
from rankings_etl_tests.postgres import REQUIRE_ENV, PostgresUnavailable, start_postgres

#: Generous limits so the suite itself never trips the sandbox's rate limiter.
SUITE_LIMITS = {"per_minute": 100_000, "per_day": 1_000_000}


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    """One sandbox process for the whole session (its log: ``sandbox_server.log_path``)."""
    log = tmp_path_factory.mktemp("sandbox") / "sandbox.log"
    with SandboxServer(log_path=log, **SUITE_LIMITS) as handle:
        yield handle


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL cluster for the session; skipped (with the reason) where none can start."""
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if os.getenv(REQUIRE_ENV) == "1":
            pytest.fail(f"Postgres is required here ({REQUIRE_ENV}=1) but: {exc}")
        pytest.skip(f"Postgres unavailable: {exc}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """The URL of a new, empty database for this test."""
    return postgres_server.new_database()


@pytest.fixture
def sandbox(sandbox_server):
    """The session's sandbox, reset for this test."""
    sandbox_server.reset()
    sandbox_server.configure(today=None, as_of=None, minute_seconds=None, **SUITE_LIMITS)
    yield sandbox_server
    sandbox_server.reset()


@pytest.fixture
def sandbox_factory(tmp_path):
    """Start a dedicated sandbox with custom options: ``sandbox_factory(per_minute=3)``."""
    servers = []

    def start(**options):
        server = SandboxServer(log_path=tmp_path / f"sandbox-{len(servers)}.log", **options)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def instance(tmp_path):
    """A real Dagster instance, the project's own, with SQLite storage in a temporary home."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home), overrides=PROJECT_INSTANCE) as test_instance:
        yield test_instance
