"""Separate `dagster asset materialize` processes drawing on one ledger and one sandbox.

This is the situation the budget exists for: the schedule, a UI backfill and a manual run are
each their own process, and only the shared ledger stops them from overspending together. Each
test runs with a SQLite ledger and with a Postgres one (the multi-machine setup, where these
processes would be on different machines).
"""

import datetime as dt

from .conftest import held_slots, sent_slots

DAYS = ["2025-06-15", "2025-06-16", "2025-06-17", "2025-06-18"]


def request_times(server):
    """When the sandbox received each request, in epoch seconds of its own clock."""
    return sorted(dt.datetime.fromisoformat(r["time"]).timestamp() for r in server.requests())


def busiest_minute(times, window=60.0):
    """The most requests any 60-second window of the server's clock holds."""
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_three_concurrent_runs_with_two_requests_a_minute_all_succeed_without_a_429(
    sandbox_factory, project_runs, ledger_url
):
    server = sandbox_factory(per_minute=2)
    runs = project_runs(server.base_url, ledger=ledger_url, OPENROUTER_RATE_PER_MINUTE=2)
    processes = [runs.start(f"run{i}", day) for i, day in enumerate(DAYS[:3])]
    outcomes = runs.finish(processes, timeout=300)

    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    assert server.request_count() == 3
    assert server.request_count(status=429) == 0
    times = request_times(server)
    assert busiest_minute(times) == 2, times
    assert times[2] - times[0] >= 60
    # The one that waited said how long and why.
    waits = [out for _, out in outcomes if "rate budget: waiting" in out]
    assert waits and "the minute budget of key" in waits[0]
    assert [status for _, status, _ in sent_slots(ledger_url)] == [200, 200, 200]


def test_with_a_day_limit_of_three_the_fourth_concurrent_run_fails_before_any_request(
    sandbox, project_runs, ledger_url
):
    # The schedules' reserve (27 by default) is not what this is about: with none, 3 fit.
    runs = project_runs(
        sandbox.base_url,
        ledger=ledger_url,
        OPENROUTER_RATE_PER_DAY=3,
        RANKINGS_BUDGET_KEEP_FOR_SCHEDULES=0,
    )
    processes = [runs.start(f"run{i}", day) for i, day in enumerate(DAYS)]
    outcomes = runs.finish(processes, timeout=300)

    codes = [code for code, _ in outcomes]
    assert sorted(codes)[:3] == [0, 0, 0] and codes.count(0) == 3, outcomes
    (refused,) = [out for code, out in outcomes if code != 0]
    assert "OpenRouter day budget exhausted" in refused
    assert "3 of 3 requests used in the rolling 24 h" in refused
    assert "the next slot frees at" in refused
    assert sandbox.request_count() == 3
    assert len(sent_slots(ledger_url)) == 3 and held_slots(ledger_url) == 0
