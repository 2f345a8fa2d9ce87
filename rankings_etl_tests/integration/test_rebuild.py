"""Rebuilding partitions from raw_responses costs no API request and reproduces the rows."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from rankings_etl.datasets.rankings_daily.assets import rankings_daily

from ..v1_warehouse import V1_COLUMNS, write_v1_warehouse
from .helpers import materialize_range

CLI = [sys.executable, "-m", "rankings_etl.cli"]


def rows(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "SELECT date, model_permaslug, rank, total_tokens, as_of FROM rankings_daily "
            "ORDER BY ALL"
        ).fetchall()


def run_cli(args, duckdb_path, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "DAGSTER_"))}
    home = tmp_path / "cli_home"
    home.mkdir(exist_ok=True)
    env.update(
        RANKINGS_DUCKDB_PATH=str(duckdb_path),
        DAGSTER_HOME=str(home),
        RANKINGS_BUDGET_DB=str(tmp_path / "budget.sqlite"),
    )
    return subprocess.run(
        CLI + args,
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )


def fetch_ten_days(resources, instance, duckdb_path):
    """rankings_daily 2025-08-01..2025-08-10 fetched from the sandbox; the rows it wrote."""
    assert materialize_range(
        [rankings_daily], "2025-08-01", "2025-08-10", resources=resources, instance=instance
    ).success
    return rows(duckdb_path)


def test_rebuild_replays_stored_responses_without_a_request(
    sandbox, resources, instance, duckdb_path, tmp_path
):
    loaded = fetch_ten_days(resources, instance, duckdb_path)
    with duckdb.connect(str(duckdb_path)) as con:  # someone damaged the table
        con.execute("DELETE FROM rankings_daily WHERE date >= '2025-08-05'")
        con.execute("UPDATE rankings_daily SET total_tokens = 1")
    sandbox.reset()

    completed = run_cli(["rebuild", "2025-08-01", "2025-08-10"], duckdb_path, tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "rebuilt 2025-08-01..2025-08-10" in completed.stdout
    assert sandbox.request_count() == 0
    assert rows(duckdb_path) == loaded
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_responses").fetchone() == (1,)


def test_rebuild_of_days_never_fetched_fails_clearly(
    sandbox, resources, instance, duckdb_path, tmp_path
):
    assert materialize_range(
        [rankings_daily], "2025-08-01", "2025-08-02", resources=resources, instance=instance
    ).success
    completed = run_cli(["rebuild", "2025-09-01", "2025-09-02"], duckdb_path, tmp_path)
    assert completed.returncode == 1
    assert "no stored responses cover 2025-09-01..2025-09-02" in completed.stderr


def test_rebuild_refuses_bad_arguments_with_exit_code_2(duckdb_path, tmp_path):
    for args in (
        ["rebuild", "2025-02-30", "2025-03-01"],
        ["rebuild", "2025-03-02", "2025-03-01"],
        ["rebuild", "2024-12-01", "2025-01-01"],
    ):
        completed = run_cli(args, duckdb_path, tmp_path)
        assert completed.returncode == 2, completed.stderr
        assert "Error:" in completed.stderr


RUN_REQUEST = (
    "rankings_daily",
    "/datasets/rankings-daily",
    '{"end_date":"2025-08-10","start_date":"2025-08-01"}',
)


def test_rebuild_over_a_v1_warehouse_migrates_it_and_reproduces_the_rows(
    sandbox, resources, instance, duckdb_path, tmp_path
):
    loaded = fetch_ten_days(resources, instance, duckdb_path)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        # raw rows a real run writes say which dataset, endpoint and parameters they answered
        assert con.execute("SELECT dataset, endpoint, params FROM raw_responses").fetchall() == [
            RUN_REQUEST
        ]
        stored = con.execute(f"SELECT {V1_COLUMNS} FROM raw_responses").fetchall()
    old = write_v1_warehouse(tmp_path / "v1.duckdb", stored)  # bodies only, as v1 kept them
    sandbox.reset()

    completed = run_cli(["rebuild", "2025-08-01", "2025-08-10"], old, tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert sandbox.request_count() == 0
    assert rows(old) == loaded
    with duckdb.connect(str(old)) as con:
        assert con.execute("SELECT dataset, endpoint, params FROM raw_responses").fetchall() == [
            RUN_REQUEST
        ]
        # A newer body of another dataset over the same days: rankings_daily's rebuild must not
        # read it (it is no rankings-daily body; parsing it would fail the rebuild).
        con.execute(
            f"INSERT INTO raw_responses ({V1_COLUMNS}, dataset, endpoint, params) "
            "SELECT requested_start, requested_end, meta_start_date, meta_end_date, as_of, "
            'version, row_count, fetched_at + INTERVAL 1 DAY, run_id, \'{"not": "rankings"}\', '
            "'other_dataset', '/datasets/other', params FROM raw_responses"
        )
    completed = run_cli(["rebuild", "2025-08-01", "2025-08-10"], old, tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert sandbox.request_count() == 0
    assert rows(old) == loaded
