"""``rankings-etl budget``: the ledger as a person (or a script) reads it (SQLite; Postgres)."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from rankings_etl.budget import Limits, open_ledger
from rankings_etl.commands.budget import budget
from rankings_etl.core.keys import key_fingerprint

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


# --- penalties beyond any calendar, and clearing them ------------------------------------------


def write_penalty(url, at, until):
    """A penalty row as an older version (which capped nothing) could have left it."""
    ledger = open_ledger(url, Limits(per_minute=2, per_day=5))
    ledger.penalize(FP, "default", ledger.clock(), ledger.clock() + 5, "HTTP 429 on w, 1e12")
    sql = "UPDATE penalties SET at = ?, until = ?"
    if str(url).startswith("postgresql://"):
        import psycopg2

        con = psycopg2.connect(url)
        try:
            with con, con.cursor() as cur:
                pg_sql = sql.replace("?", "%s").replace("penalties", "rankings_budget.penalties")
                cur.execute(pg_sql, (at, until))
        finally:
            con.close()
    else:
        import sqlite3

        with sqlite3.connect(url) as con:
            con.execute(sql, (at, until))


def test_an_absurd_penalty_row_is_shown_without_crashing_and_lasts_a_day_at_most(ledger_url):
    now = open_ledger(ledger_url, Limits(2, 5)).clock()
    write_penalty(ledger_url, now - 60, now + 1e12)  # until: the year 33715
    out = run(["--db", ledger_url])
    assert "backing off until" in out and "(in 23 h 59 min)" in out
    report = json.loads(run(["--db", ledger_url, "--json"]))
    until = dt.datetime.fromisoformat(report["minute"][0]["backing_off_until"]).timestamp()
    assert until == pytest.approx(now - 60 + 86_401, abs=1)  # 429 + the day window


def test_times_beyond_any_calendar_read_as_such(ledger_url):
    """A row whose 429 itself is dated beyond 9999 (a broken clock) still reads, in text and
    JSON."""
    write_penalty(ledger_url, 1e13, 1e13 + 5)
    out = run(["--db", ledger_url])
    assert "backing off until beyond the year 9999" in out
    report = json.loads(run(["--db", ledger_url, "--json"]))
    assert report["minute"][0]["backing_off_until"] == "9999-12-31T23:59:59.999+00:00"


def test_clear_penalty_lifts_a_keys_back_off_for_every_process(ledger_path):
    out = run(["--db", str(ledger_path), "--clear-penalty", FP])
    assert out.startswith(f"cleared the back-off of key {FP}: it ran until ")
    assert "(HTTP 429 on 2025-06-16..2025-06-16)" in out and "backing off until" not in out
    assert open_ledger(str(ledger_path), Limits(2, 5)).penalties(0) == []
    again = run(["--db", str(ledger_path), "--clear-penalty", FP.upper(), "--json"])
    assert json.loads(again)["clear_penalty"] == {"key_fp": FP, "cleared": False}


def test_clear_penalty_on_a_missing_ledger_creates_nothing(tmp_path):
    path = tmp_path / "none" / "rate_budget.sqlite"
    out = run(["--db", str(path), "--clear-penalty", FP])
    assert f"key {FP} has no back-off to clear; nothing changed" in out
    assert not path.exists()


@pytest.mark.parametrize("value", [API_KEY, "abc", "zzzzzzzzzzzz"])
def test_clear_penalty_wants_a_fingerprint_and_never_echoes_what_it_got(tmp_path, value):
    result = CliRunner().invoke(
        budget, ["--db", str(tmp_path / "l.sqlite"), "--clear-penalty", value]
    )
    assert result.exit_code == 2
    assert "expects a key fingerprint: 12 hex digits" in result.output
    assert value not in result.output
    assert not (tmp_path / "l.sqlite").exists()


# --- who spent the day ----------------------------------------------------------------------


def test_the_report_says_what_each_dataset_spent_in_text_and_json(ledger_url):
    ledger = open_ledger(ledger_url, Limits(per_minute=1000, per_day=500))
    now = ledger.clock()
    spent = {"app_rankings_weekly": 196, "rankings_daily": 3, None: 2}
    at = now - 3600
    for dataset, count in spent.items():  # one a second, the unattributed ones last
        for _ in range(count):
            at += 1
            ledger.take(FP, "default", at, dataset=dataset, label="w")
    args = ["--db", ledger_url, "--per-minute", "1000", "--per-day", "500"]
    out = run(args)
    assert (
        "spent by dataset (rolling 24 h): app_rankings_weekly 196, rankings_daily 3, unattributed 2"
    ) in out
    assert "day (rolling 24 h): 201 of 500 used, 299 remaining" in out
    report = json.loads(run([*args, "--json"]))
    assert report["by_dataset"] == {
        "app_rankings_weekly": {"window": "rolling 24 h", "sent": 196, "reserved": 0},
        "rankings_daily": {"window": "rolling 24 h", "sent": 3, "reserved": 0},
        "unattributed": {"window": "rolling 24 h", "sent": 2, "reserved": 0},
    }
    assert set(report["day"]) == {
        "window",
        "used",
        "sent",
        "reserved",
        "remaining",
        "next_free_slot",
    }
    assert report["recent_requests"][0]["dataset"] is None  # the newest: unattributed


def test_a_ledger_with_no_requests_says_nothing_was_spent(tmp_path):
    out = run(["--db", str(tmp_path / "none.sqlite")])
    assert "spent by dataset (rolling 24 h): nothing" in out
    report = json.loads(run(["--db", str(tmp_path / "none.sqlite"), "--json"]))
    assert report["by_dataset"] == {}
