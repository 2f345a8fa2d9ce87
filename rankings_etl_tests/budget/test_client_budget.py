"""rankings_daily against the sandbox with the budget wired in: every attempt takes a slot."""

import sqlite3
import time

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from rankings_etl.core.keys import key_fingerprint
from rankings_etl.core.run_tags import RANGE_END_TAG, RANGE_START_TAG
from rankings_etl.datasets.rankings_daily.assets import rankings_daily
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.resources.rate_budget import RateBudget

from .conftest import API_KEY, held_slots, sent_slots

DAY = "2025-06-15"
RANGE_START, RANGE_END = "2025-01-01", "2026-01-05"  # 370 days: two request windows


@pytest.fixture
def make_resources(sandbox, budget_db, tmp_path):
    def make(per_minute=30, per_day=500, api_key=API_KEY):
        budget = RateBudget(
            database=str(budget_db),
            per_minute=per_minute,
            per_day=per_day,
            max_wait_seconds=30,
            penalty_seconds_without_retry_after=0.5,
        )
        client = OpenRouterClient(
            api_key=api_key,
            base_url=sandbox.base_url,
            backoff_initial_seconds=0.01,
            backoff_max_seconds=0.05,
            budget=budget,
        )
        return {"openrouter": client, "duckdb": DuckDBResource(database=str(tmp_path / "w.db"))}

    return make


def materialize_day(resources, instance, day=DAY):
    return dg.materialize(
        [rankings_daily],
        partition_key=day,
        resources=resources,
        instance=instance,
        raise_on_error=False,
    )


def materialize_range(resources, instance, start=RANGE_START, end=RANGE_END):
    return dg.materialize(
        [rankings_daily],
        resources=resources,
        instance=instance,
        tags={RANGE_START_TAG: start, RANGE_END_TAG: end},
        raise_on_error=False,
    )


def failure_text(result):
    """The step failure, causes included, as the UI shows it."""
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    return failure.event_specific_data.error.to_string()


def budget_figures(instance, result):
    """The budget as the run left it: run-level figures, tagged on the run."""
    tags = instance.get_run_by_id(result.run_id).tags
    prefix = "rankings_etl/"
    return {
        key[len(prefix) :]: value
        for key, value in tags.items()
        if key.startswith(prefix + "budget_") or key == prefix + "requests"
    }


def test_two_500s_are_retried_and_every_attempt_takes_a_slot(
    sandbox, make_resources, instance, budget_db
):
    sandbox.inject("status", status=500, count=2)
    result = materialize_day(make_resources(), instance)
    assert result.success
    assert sandbox.request_count() == 3
    assert sandbox.request_count(status=500) == 2
    assert [(status, label) for _, status, label in sent_slots(budget_db)] == [
        (500, f"{DAY}..{DAY}"),
        (500, f"{DAY}..{DAY}"),
        (200, f"{DAY}..{DAY}"),
    ]
    assert held_slots(budget_db) == 0
    figures = budget_figures(instance, result)
    assert figures["requests"] == "3"
    assert figures["budget_used_today"] == "3"
    assert figures["budget_remaining_today"] == "497"
    assert figures["budget_remaining_this_minute"] == "27"


def test_a_429_waits_out_its_retry_after_and_is_recorded_for_every_process(
    sandbox, make_resources, instance, budget_db
):
    sandbox.inject("status", status=429, retry_after=2)
    started = time.monotonic()
    result = materialize_day(make_resources(), instance)
    assert result.success
    assert time.monotonic() - started >= 2
    assert sandbox.request_count() == 2
    assert sandbox.request_count(status=429) == 1
    slots = sent_slots(budget_db)
    assert [status for _, status, _ in slots] == [429, 200]
    assert slots[1][0] - slots[0][0] >= 2
    with sqlite3.connect(budget_db) as con:
        ((key_fp, until, at, reason),) = con.execute(
            "SELECT key_fp, until, at, reason FROM penalties"
        ).fetchall()
    assert key_fp == key_fingerprint(API_KEY)
    assert until - at == pytest.approx(2, abs=0.01)
    assert reason == f"HTTP 429 on {DAY}..{DAY}, Retry-After 2 s"


def test_a_refused_key_fails_at_once_with_a_clear_message(
    sandbox, make_resources, instance, budget_db
):
    sandbox.inject("status", status=401)
    result = materialize_day(make_resources(), instance)
    assert not result.success
    message = failure_text(result)
    assert "the OpenRouter API key was refused" in message
    assert f"key {key_fingerprint(API_KEY)}" in message
    assert API_KEY not in message
    assert sandbox.request_count() == 1
    assert [status for _, status, _ in sent_slots(budget_db)] == [401]


def test_a_backfill_reserves_its_requests_and_spends_exactly_them(
    sandbox, make_resources, instance, budget_db
):
    result = materialize_range(make_resources(per_day=2), instance)
    assert result.success
    assert sandbox.request_count() == 2
    assert [label for _, _, label in sent_slots(budget_db)] == [
        "2025-01-01..2026-01-01",
        "2026-01-02..2026-01-05",
    ]
    assert held_slots(budget_db) == 0
    figures = budget_figures(instance, result)
    assert figures["requests"] == "2"
    assert figures["budget_remaining_today"] == "0"


def test_a_backfill_that_the_day_cannot_cover_fails_before_sending_anything(
    sandbox, make_resources, instance, budget_db
):
    resources = make_resources(per_day=3)
    assert materialize_day(resources, instance, "2025-06-15").success
    assert materialize_day(resources, instance, "2025-06-16").success
    assert sandbox.request_count() == 2

    result = materialize_range(resources, instance)
    assert not result.success
    message = failure_text(result)
    assert "OpenRouter day budget cannot cover this run's 2 requests" in message
    assert "2 of 3 requests used in the rolling 24 h, 1 remaining" in message
    assert "Nothing was sent" in message
    assert sandbox.request_count() == 2
    assert len(sent_slots(budget_db)) == 2 and held_slots(budget_db) == 0


def test_the_key_never_reaches_the_ledger_the_event_log_or_metadata(
    sandbox, make_resources, instance, budget_db, tmp_path, monkeypatch
):
    monkeypatch.setenv("OPENROUTER_API_KEY", API_KEY)
    resources = make_resources(api_key=dg.EnvVar("OPENROUTER_API_KEY"))
    sandbox.inject("status", status=429, retry_after=0)
    assert materialize_day(resources, instance).success
    sandbox.inject("status", status=401)
    assert not materialize_day(resources, instance, "2025-06-16").success
    assert sandbox.request_count() == 3

    secret = API_KEY.encode()
    scanned = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert budget_db in scanned and any(p.name.endswith(".db") for p in scanned)
    leaks = [str(path) for path in scanned if secret in path.read_bytes()]
    assert leaks == []
    with sqlite3.connect(budget_db) as con:
        stored = con.execute("SELECT DISTINCT key_fp FROM slots").fetchall()
    assert stored == [(key_fingerprint(API_KEY),)]
