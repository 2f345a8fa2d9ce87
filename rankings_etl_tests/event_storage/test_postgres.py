"""The batched storage on Postgres, against the real server the suite starts.

The same questions as on SQLite, on Dagster's Postgres storage (``storage: postgres`` in
dagster.yaml, as deploy/ configures it): does the instance class swap in the batched storage,
does it store what stock stores, and does a failed batch leave nothing half-written? Shorter
histories than on SQLite: stock Postgres storage writes one autocommitted event at a time.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from rankings_etl.event_storage.postgres import BatchedPostgresEventLogStorage
from rankings_etl_tests.event_storage import day_checks
from rankings_etl_tests.event_storage.conftest import BATCHING, PARTITIONED, ProjectGraph, defs
from rankings_etl_tests.event_storage.day_checks import run_days
from rankings_etl_tests.event_storage.faults import Fault
from rankings_etl_tests.event_storage.views import stored_rows, ui_answers

START, END = dt.date(2025, 1, 1), dt.date(2025, 1, 20)
FAILING = (dt.date(2025, 1, 5), dt.date(2025, 1, 9))
UNLAUNCHED = (dt.date(2025, 1, 15), dt.date(2025, 1, 17))
FALLBACK = "Falling back to storing multiple single-event storage requests"


def postgres_overrides(url: str, batching: bool) -> dict:
    storage = {"storage": {"postgres": {"postgres_url": url}}}
    return {**storage, **BATCHING} if batching else storage


@pytest.fixture
def pg_instances(postgres_server, tmp_path):
    """``pg_instances(batching)``: a new instance on a new, empty Postgres database."""
    opened = []

    def open_one(batching: bool) -> dg.DagsterInstance:
        home = tmp_path / f"home{len(opened)}"
        home.mkdir()
        context = dg.instance_for_test(
            temp_dir=str(home),
            overrides=postgres_overrides(postgres_server.new_database(), batching),
        )
        opened.append(context)
        return context.__enter__()

    yield open_one
    for context in reversed(opened):
        context.__exit__(None, None, None)


def test_the_instance_class_batches_postgres_storage_too(pg_instances):
    assert isinstance(pg_instances(True).event_log_storage, BatchedPostgresEventLogStorage)
    assert type(pg_instances(False).event_log_storage).__name__ == "PostgresEventLogStorage"


def test_stock_postgres_storage_and_ours_store_the_same(pg_instances, sandbox, tmp_path):
    views = []
    for name, batching in (("stock", False), ("ours", True)):
        instance = pg_instances(batching)
        graph = ProjectGraph(sandbox.base_url, tmp_path / name)
        assert graph.run(instance, START, END).success
        sandbox.inject("status", status=400)
        assert not graph.run(instance, *FAILING).success
        graph.create_unlaunched_run(instance, *UNLAUNCHED)
        assert run_days(instance, "2025-01-01", "2025-01-20").success
        views.append(
            (
                stored_rows(instance),
                ui_answers(instance, defs),
                ui_answers(instance, day_checks.defs),
            )
        )
    stock, ours = views
    for table in stock[0]:
        assert ours[0][table] == stock[0][table], table
    for answers in (1, 2):
        for section in stock[answers]:
            assert ours[answers][section] == stock[answers][section], section
    for key in PARTITIONED:
        status = ours[1]["assets"][key.to_user_string()]["status"]
        assert status["failed"] == [str(FAILING[0] + dt.timedelta(days=i)) for i in range(5)]
        assert len(status["in_progress"]) == 3


@pytest.mark.parametrize(
    "point, statement",
    [
        ("statement", "INSERT INTO asset_event_tags"),
        ("statement", "UPDATE asset_check_executions"),
        ("commit", "INSERT INTO asset_check_executions"),
        ("after_commit", "INSERT INTO asset_event_tags"),
    ],
)
def test_a_failed_batch_on_postgres_leaves_no_partial_or_duplicate_rows(
    point, statement, pg_instances, capfd
):
    faulty, clean = pg_instances(True), pg_instances(True)
    fault = Fault(point, statement)
    with fault.on(faulty.event_log_storage._engine):
        assert run_days(faulty, "2025-03-01", "2025-03-10").success
    assert fault.fired
    assert (FALLBACK in capfd.readouterr().err) == (point != "after_commit")
    assert run_days(clean, "2025-03-01", "2025-03-10").success
    assert stored_rows(faulty) == stored_rows(clean)
    assert ui_answers(faulty, day_checks.defs) == ui_answers(clean, day_checks.defs)
