"""A batch that fails half-way leaves neither partial nor duplicate rows (SQLite storage).

Each case injects one failure into a real range run on the batched storage (see
:mod:`.faults`); Dagster's instance then falls back to storing the failed batch's events one by
one. Afterwards the instance must hold exactly what a run without the failure leaves, row for
row, and answer the UI the same.
"""

from __future__ import annotations

import datetime as dt

import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME

from rankings_etl_tests.event_storage.conftest import BATCHING, ProjectGraph, open_instance
from rankings_etl_tests.event_storage.day_checks import run_days
from rankings_etl_tests.event_storage.faults import Fault
from rankings_etl_tests.event_storage.views import stored_rows

START, END = dt.date(2025, 5, 1), dt.date(2025, 5, 30)
FALLBACK = "Falling back to storing multiple single-event storage requests"


def project_run(sandbox, directory):
    """The project's graph over 30 days: planned events, materializations, per-run checks."""
    graph = ProjectGraph(sandbox.base_url, directory)
    return lambda instance: graph.run(instance, START, END)


def day_checks_run(sandbox, directory):
    """Per-day checks over 30 days: batches of planned check rows and of evaluations."""
    return lambda instance: run_days(instance, str(START), str(END))


#: (the run, where the failure strikes, the statement it strikes at, what that is).
CASES = [
    (
        project_run,
        "statement",
        "INSERT INTO asset_event_tags",
        "a materialization batch fails while filling the index, both files uncommitted",
    ),
    (
        project_run,
        "commit",
        "INSERT INTO asset_event_tags",
        "the index refuses COMMIT after the run's file committed the batch",
    ),
    (
        project_run,
        "after_commit",
        "INSERT INTO asset_event_tags",
        "the index's COMMIT takes effect, then reports a failure",
    ),
    (
        day_checks_run,
        "statement",
        "INSERT INTO asset_check_executions",
        "the batch of a run's planned events fails at its planned check rows",
    ),
    (
        day_checks_run,
        "statement",
        "UPDATE asset_check_executions",
        "a batch of per-day check evaluations fails",
    ),
    (
        day_checks_run,
        "commit",
        "UPDATE asset_check_executions",
        "the index refuses COMMIT of a batch of check evaluations",
    ),
]


def assert_same_as_a_clean_run(faulty, clean, run):
    assert run(clean).success
    rows = stored_rows(faulty)
    assert rows == stored_rows(clean)
    log, _ = rows["run_logs"][0]
    for kind in ("ASSET_MATERIALIZATION_PLANNED", "ASSET_MATERIALIZATION"):
        stored = [(row[2], row[3]) for row in log if row[0] == kind]
        assert len(stored) == len(set(stored)) > 0, kind
    checks = [row[:4] for row in rows["check_executions"]]
    assert len(checks) == len(set(checks)), "a check execution row was stored twice"


@pytest.mark.parametrize("make_run, point, statement, case", CASES, ids=[c[3] for c in CASES])
def test_a_failed_batch_leaves_no_partial_or_duplicate_rows(
    make_run, point, statement, case, batched_instance, instance_dir, sandbox, tmp_path, capfd
):
    storage = batched_instance.event_log_storage
    fault = Fault(point, statement)
    with fault.on(storage._engine(INDEX_SHARD_NAME)):
        result = make_run(sandbox, tmp_path / "faulty")(batched_instance)
    assert fault.fired, f"the fault never struck: {case}"
    assert result.success, case
    # A failure the storage could see through (the COMMIT did happen) needs no fallback.
    assert (FALLBACK in capfd.readouterr().err) == (point != "after_commit"), case
    with open_instance(instance_dir / "clean_home", BATCHING) as clean:
        assert_same_as_a_clean_run(batched_instance, clean, make_run(sandbox, tmp_path / "clean"))
