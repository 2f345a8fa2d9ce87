"""Stock storage and ours, given the same runs, answer the UI the same and hold the same rows.

One full-history backfill of every partitioned asset (the project's real graph against the
sandbox, ~3,500 planned events and ~3,500 materializations), then a range run the API refuses
(its days must read failed), then a range run that is created but never launched (its days must
read in progress). The stock half is what makes this test slow (~17,000 one-commit-per-event
writes, per-day check evaluations included: about 6 minutes on an idle 2-core machine, more than
10 on a busy one); it runs once, with its own time limit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from rankings_etl.core.api_facts import FIRST_DATE
from rankings_etl.core.dates import last_completed_day
from rankings_etl_tests.event_storage import day_checks
from rankings_etl_tests.event_storage.conftest import PARTITIONED, ProjectGraph, defs
from rankings_etl_tests.event_storage.day_checks import run_days
from rankings_etl_tests.event_storage.views import stored_rows, ui_answers

FAILING = (dt.date(2025, 3, 10), dt.date(2025, 3, 16))
UNLAUNCHED = (dt.date(2025, 4, 1), dt.date(2025, 4, 3))


def days(start: dt.date, end: dt.date) -> list[str]:
    return [str(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]


def history_then_failure_then_pending(instance, graph, sandbox):
    """The three runs, on ``instance``; the results of the two executed ones."""
    backfill = graph.run(instance, FIRST_DATE, last_completed_day())
    sandbox.inject("status", status=400)  # the API refuses the next request: no retry
    refused = graph.run(instance, *FAILING)
    graph.create_unlaunched_run(instance, *UNLAUNCHED)
    return backfill, refused


@pytest.mark.timeout(1800)
def test_stock_storage_and_ours_answer_the_ui_the_same_and_hold_the_same_rows(
    stock_instance, batched_instance, sandbox, tmp_path
):
    views = []
    for name, instance in (("stock", stock_instance), ("ours", batched_instance)):
        graph = ProjectGraph(sandbox.base_url, tmp_path / name)
        backfill, refused = history_then_failure_then_pending(instance, graph, sandbox)
        assert backfill.success and not refused.success
        # Rows first: answering the UI writes the partition status cache.
        views.append((stored_rows(instance), ui_answers(instance, defs)))
    (stock_rows, stock_answers), (our_rows, our_answers) = views

    for section in stock_answers:
        assert our_answers[section] == stock_answers[section], section
    for table in stock_rows:
        assert our_rows[table] == stock_rows[table], table

    # Those answers are about something: every day materialized (the refused days were, before
    # they failed), the refused days failed, the unlaunched run's days in progress, for every
    # partitioned asset ...
    history = days(FIRST_DATE, last_completed_day())
    for key in PARTITIONED:
        asset = our_answers["assets"][key.to_user_string()]
        assert asset["status"]["failed"] == days(*FAILING), key
        assert asset["status"]["in_progress"] == days(*UNLAUNCHED), key
        assert asset["status"]["materialized"] == history, key
        assert len(asset["latest_by_partition"]) == len(history), key
    runs = [(position, status) for position, status, _ in our_answers["runs"]]
    assert runs == [(0, "SUCCESS"), (1, "FAILURE"), (2, "NOT_STARTED")]
    # ... and the rows compared include a planned event and a materialization per day per
    # asset, their data-version tags, and the check executions of every run.
    backfill_log, _ = our_rows["run_logs"][0]
    for kind in ("ASSET_MATERIALIZATION_PLANNED", "ASSET_MATERIALIZATION"):
        assert sum(1 for row in backfill_log if row[0] == kind) == len(history) * len(PARTITIONED)
    assert any(key == "dagster/data_version" for (_, _, key, _), _ in our_rows["event_tags"])
    statuses = {row[4] for row in our_rows["check_executions"]}
    assert {"PLANNED", "SUCCEEDED"} <= statuses, statuses


def test_per_day_check_evaluations_are_stored_as_stock_stores_them(
    stock_instance, batched_instance
):
    """Checks reporting per day (one evaluation per check per day, issue #15's shape)."""
    views = []
    for instance in (stock_instance, batched_instance):
        assert run_days(instance, "2025-01-01", "2025-04-30").success
        assert run_days(instance, "2025-01-01", "2025-01-10").success  # re-evaluates 10 days
        views.append((stored_rows(instance), ui_answers(instance, day_checks.defs)))
    (stock_rows, stock_answers), (our_rows, our_answers) = views
    for table in stock_rows:
        assert our_rows[table] == stock_rows[table], table
    for section in stock_answers:
        assert our_answers[section] == stock_answers[section], section

    # One row per check per day per run, the failing day failed, every other day passed.
    statuses = Counter((row[0], row[1], row[4]) for row in our_rows["check_executions"])
    for asset in ("days", "days_downstream"):
        for check in day_checks.CHECKS:
            failed = 2 if check == day_checks.CHECKS[0] else 0
            assert statuses[(f'["{asset}"]', check, "FAILED")] == failed
            assert statuses[(f'["{asset}"]', check, "SUCCEEDED")] == 120 + 10 - failed
    per_day = {(row[0], row[1], row[2]): row[3] for row in our_answers["check_partitions"]}
    assert per_day[("days:day_is_complete", day_checks.FAILING_DAY, "FAILED")] == 1
