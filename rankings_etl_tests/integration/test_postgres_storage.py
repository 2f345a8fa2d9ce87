"""The multi-machine setup on one machine: Dagster's storage and the rate budget in Postgres.

``dagster asset materialize`` runs with a DAGSTER_HOME whose ``dagster.yaml`` is the project's
own with ``storage: postgres`` added, and ``RANKINGS_BUDGET_DB`` pointing at the same database.
Runs, events, pools and the budget then all live in Postgres, where every machine of a
deployment would find them.
"""

import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import psycopg2
import yaml

from rankings_etl_tests.environment import project_env

ROOT = Path(__file__).resolve().parents[2]
ASSETS = "rankings_daily,model_share_daily,market_daily,author_share_daily,model_growth_daily"
API_KEY = "sk-or-v1-postgres-storage-test-0123456789"


def postgres_home(tmp_path) -> Path:
    """A DAGSTER_HOME: the project's dagster.yaml plus Postgres storage read from the env."""
    config = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    config["storage"] = {"postgres": {"postgres_url": {"env": "DAGSTER_PG_URL"}}}
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    return home


def query(url, sql, params=()):
    con = psycopg2.connect(url)
    try:
        with con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        con.close()


def test_a_materialization_keeps_runs_events_and_the_budget_in_postgres(
    sandbox, postgres_url, tmp_path, monkeypatch
):
    home = postgres_home(tmp_path)
    warehouse = tmp_path / "rankings.duckdb"
    env = project_env(
        tmp_path,
        sandbox.base_url,
        API_KEY,
        home,
        DAGSTER_PG_URL=postgres_url,
        RANKINGS_BUDGET_DB=postgres_url,
        RANKINGS_DUCKDB_PATH=str(warehouse),
    )
    command = [str(Path(sys.executable).parent / "dagster"), "asset", "materialize"]
    command += ["-m", "rankings_etl.definitions", "--select", ASSETS, "--partition", "2025-06-15"]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]

    # Dagster's run and event storage are the Postgres tables, not files under DAGSTER_HOME.
    assert not list(home.rglob("*.db")), list(home.rglob("*.db"))
    assert query(postgres_url, "SELECT status FROM runs") == [("SUCCESS",)]
    materialized = query(
        postgres_url,
        "SELECT asset_key, partition FROM event_logs "
        "WHERE dagster_event_type = 'ASSET_MATERIALIZATION' ORDER BY asset_key",
    )
    assert materialized == [
        (dg.AssetKey(name).to_string(), "2025-06-15") for name in sorted(ASSETS.split(","))
    ]
    # The pool the API step queues in is a Postgres concurrency limit too.
    pools = query(postgres_url, "SELECT concurrency_key FROM concurrency_limits")
    assert ("openrouter_api",) in pools, pools

    # The budget counted the one request in its own schema of the same database.
    assert query(
        postgres_url, "SELECT state, status, label FROM rankings_budget.slots ORDER BY id"
    ) == [("sent", 200, "2025-06-15..2025-06-15")]
    assert sandbox.request_count() == 1

    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM rankings_daily WHERE date = '2025-06-15'"
        ).fetchone() == (51,)

    # The instance a webserver on another machine would open sees the same history.
    monkeypatch.setenv("DAGSTER_PG_URL", postgres_url)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey("market_daily"))
        assert event.asset_materialization.partition == "2025-06-15"
