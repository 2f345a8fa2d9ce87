"""``rankings-etl budget``: the ledger as a person (or a script) reads it (SQLite; Postgres)."""

import json

import pytest
from click.testing import CliRunner

from rankings_etl.budget import Limits, open_ledger
from rankings_etl.budget.cli import budget
from rankings_etl.budget.keys import key_fingerprint

API_KEY = "sk-or-v1-cli-test-0123456789"
FP = key_fingerprint(API_KEY)


@pytest.fixture
def ledger_path(ledger_url):
    path = ledger_url
    ledger = open_ledger(path, Limits(per_minute=2, per_day=5))
    now = ledger.clock()
    for offset, status in ((-30, 500), (-29, 200)):
        grant = ledger.take(
            FP, "default", now + offset, label="2025-06-15..2025-06-15", run_id="r1"
        )
        ledger.settle(grant.slot_id, status)
    ledger.reserve("backfill", FP, "default", 2, now, ttl=600, run_id="r2")
    ledger.penalize(FP, "default", now, now + 20, "HTTP 429 on 2025-06-16..2025-06-16")
    return path


def run(args, env=None):
    env = {
        "RANKINGS_BUDGET_DB": "",
        "OPENROUTER_RATE_PER_MINUTE": "",
        "OPENROUTER_RATE_PER_DAY": "",
        "OPENROUTER_API_KEY": API_KEY,
        **(env or {}),
    }
    result = CliRunner().invoke(budget, args, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_text_report_answers_why_a_run_is_waiting(ledger_path):
    out = run(["--db", str(ledger_path), "--per-minute", "2", "--per-day", "5"])
    assert "day (rolling 24 h): 4 of 5 used (2 reserved by running runs), 1 remaining" in out
    assert f"key {FP} (OPENROUTER_API_KEY): 2 of 2 used, 0 remaining; next free slot: 20" in out
    assert "backing off until" in out and "HTTP 429 on 2025-06-16..2025-06-16" in out
    rows = [line for line in out.splitlines() if "2025-06-15..2025-06-15" in line]
    assert len(rows) == 2
    assert "200" in rows[0] and "500" in rows[1]  # newest first
    assert API_KEY not in out


def test_settings_come_from_the_same_environment_as_the_definitions(ledger_path):
    env = {
        "RANKINGS_BUDGET_DB": str(ledger_path),
        "OPENROUTER_RATE_PER_MINUTE": "3",
        "OPENROUTER_RATE_PER_DAY": "4",
    }
    out = run([], env=env)
    assert f"rate budget ledger {ledger_path}" in out
    assert "3 requests per rolling minute per key, 4 per rolling 24 h" in out
    assert "4 of 4 used (2 reserved by running runs), 0 remaining; next free slot: 20" in out


def test_json_output_holds_the_same_figures(ledger_path):
    out = run(["--db", str(ledger_path), "--per-minute", "2", "--per-day", "5", "--json"])
    report = json.loads(out)
    assert report["day"] | {"next_free_slot": None} == {
        "window": "rolling 24 h",
        "used": 4,
        "sent": 2,
        "reserved": 2,
        "remaining": 1,
        "next_free_slot": None,
    }
    (key,) = report["minute"]
    assert (key["key_fp"], key["current_key"], key["used"], key["remaining"]) == (FP, True, 2, 0)
    assert key["next_free_slot"] > key["backing_off_until"]  # the minute frees last
    assert [r["status"] for r in report["recent_requests"]] == [200, 500]
    assert report["recent_requests"][0]["window_requested"] == "2025-06-15..2025-06-15"
    assert API_KEY not in out


def test_a_missing_ledger_is_reported_empty_and_not_created(tmp_path):
    path = tmp_path / "nothing" / "rate_budget.sqlite"
    out = run(["--db", str(path)])
    assert "no ledger at" in out and "0 of 500 used, 500 remaining" in out
    assert not path.exists()


def test_an_empty_postgres_database_is_reported_empty_and_left_untouched(postgres_url):
    out = run(["--db", postgres_url])
    assert "no ledger at" in out and "0 of 500 used, 500 remaining" in out
    assert not open_ledger(postgres_url, Limits(per_minute=2, per_day=5)).exists()


def test_an_unreachable_postgres_ledger_fails_naming_it_without_the_password():
    url = "postgresql://budget:s3cret-pw@127.0.0.1:9/rankings"
    result = CliRunner().invoke(budget, ["--db", url])
    assert result.exit_code == 1
    assert "cannot read the ledger postgresql://budget:***@127.0.0.1:9/rankings" in result.output
    assert "s3cret-pw" not in result.output


def test_an_unsupported_url_is_a_usage_error():
    result = CliRunner().invoke(budget, ["--db", "mysql://budget:pw@db/rankings"])
    assert result.exit_code == 2  # a usage error: the --db value is unusable
    assert "a file path, a sqlite:/// URL or a postgresql:// URL" in result.output
    assert "pw@db" not in result.output
