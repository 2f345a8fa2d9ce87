"""The fault matrix: every way a response can go wrong, and what the warehouse looks like after.

Each case starts from a warehouse already holding a clean load of PRELOAD (every daily asset),
injects one fault into the sandbox and re-runs PRELOAD through ``rankings_daily`` and a
downstream table, the way a backfill runs it. Three outcomes are acceptable, one per fault:

- healed: the client retried; the run succeeds and holds exactly the rows a clean fetch gives;
- refused: the run fails with an error naming the problem, and every table (raw_responses
  included) is byte-for-byte what it was: same row count and same hash of every column;
- loaded with WARN: the data is legal but unusual (a day with no `other` row); it is loaded and
  the checks say so at WARN.

docs/RELIABILITY.md lists these rows; a test there keeps the two in step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import time

import dagster as dg
import pytest

from rankings_etl.core.dates import last_completed_day
from rankings_etl.datasets.rankings_daily.assets import (
    analytics_assets,
    model_share_daily,
    rankings_daily,
)
from rankings_etl.publishing.exports import export_tables
from rankings_etl.sandbox.faults import HOSTILE_SLUGS
from rankings_etl_tests.integration.helpers import (
    check_evaluations,
    materialize_range,
    run_tags,
    step_outcomes,
)

from .conftest import CLIENT_TIMEOUT, FAULT_DATE, PRELOAD
from .support import (
    connect_read_only,
    rankings_content,
    rows_per_date,
    wait_for_requests,
    warehouse_digest,
)

DROPPED = 0  # the sandbox's status for a connection closed without an answer


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    faults: tuple[dict, ...]
    statuses: tuple[int, ...]  # what the sandbox answered, in order
    message: str = ""  # refused: part of the failure the run reports
    min_seconds: float = 0.0  # healed: the retry had to wait at least this long

    def __str__(self) -> str:
        return self.name


def status(code: int, **params) -> dict:
    return {"kind": "status", "status": code, **params}


def data(kind: str, **params) -> dict:
    return {"kind": kind, "date": FAULT_DATE, **params}


HEALED = [
    Case("500_twice", (status(500, count=2),), (500, 500, 200)),
    Case("502", (status(502),), (502, 200)),
    Case("503", (status(503),), (503, 200)),
    Case(
        "timeout",
        ({"kind": "delay", "seconds": CLIENT_TIMEOUT + 1},),
        (200, 200),
        min_seconds=CLIENT_TIMEOUT,
    ),
    Case("dropped_connection", ({"kind": "drop"},), (DROPPED, 200)),
    Case("truncated_body_connection_closed", ({"kind": "truncate"},), (200, 200)),
    Case(
        "truncated_json_complete_response",
        ({"kind": "truncate", "honest_length": True},),
        (200, 200),
    ),
    Case("429_with_retry_after", (status(429, retry_after=1),), (429, 200), min_seconds=1.0),
]

CONTRACT = f"breaks the API contract on 1 day(s): {FAULT_DATE} ("
REFUSED = [
    Case("500_on_every_attempt", (status(500, count=-1),), (500,) * 4, "HTTP 500: server error"),
    Case("401", (status(401),), (401,), "the OpenRouter API key was refused"),
    Case("400", (status(400),), (400,), "HTTP 400: bad request"),
    Case("other_duplicated", (data("other_duplicated"),), (200,), CONTRACT),
    Case("other_not_last", (data("other_not_last"),), (200,), CONTRACT),
    Case("rows_52", (data("rows_52"),), (200,), CONTRACT),
    Case("rows_49", (data("rows_49"),), (200,), CONTRACT),
    Case("missing_date", (data("missing_date"),), (200,), f"no rows for 1 date(s) of {PRELOAD[0]}"),
    Case(
        "tokens_non_numeric",
        (data("tokens_non_numeric"),),
        (200,),
        "total_tokens '12abc' is not a non-negative decimal integer",
    ),
    Case(
        "tokens_negative",
        (data("tokens_negative"),),
        (200,),
        "total_tokens '-5' is not a non-negative decimal integer",
    ),
    Case("tokens_json_number", (data("tokens_number"),), (200,), "must be a decimal string"),
    Case(
        "tokens_beyond_bigint",
        (data("tokens_overflow"),),
        (200,),
        "'9223372036854775808' does not fit a 64-bit integer",
    ),
    Case(
        "meta_version_v2",
        ({"kind": "meta_version", "version": "v2"},),
        (200,),
        "has meta.version 'v2'; this project understands 'v1' only",
    ),
    Case(
        "permaslug_10kB",
        (data("hostile_slug", variant="long"),),
        (200,),
        "is not a plausible permaslug (10005 characters; at most 256",
    ),
]

WARNED = [
    Case("other_missing", (data("other_missing"),), (200,)),
    Case("tailless_day", (data("tailless"),), (200,)),
]


def failure_text(result) -> str:
    """Every step failure of a run, with causes, as the UI shows them."""
    return "\n".join(
        event.event_specific_data.error.to_string()
        for event in result.all_events
        if event.event_type_value == "STEP_FAILURE"
    )


def rerun_preload(sandbox, resources, instance, faults=()):
    for fault in faults:
        sandbox.inject(**fault)
    started = time.monotonic()
    result = materialize_range(
        [rankings_daily, model_share_daily], *PRELOAD, resources=resources, instance=instance
    )
    return result, time.monotonic() - started


@pytest.mark.parametrize("case", HEALED, ids=str)
def test_transient_faults_are_healed_by_retry(
    pinned_sandbox, resources, instance, loaded_warehouse, case
):
    clean = rankings_content(loaded_warehouse)
    before = warehouse_digest(loaded_warehouse)

    result, seconds = rerun_preload(pinned_sandbox, resources, instance, case.faults)

    assert result.success, failure_text(result)
    requests = wait_for_requests(pinned_sandbox, len(case.statuses))
    assert tuple(r["status"] for r in requests) == case.statuses
    assert seconds >= case.min_seconds
    # Exactly the rows a clean fetch wrote, one stored body per window (not per attempt),
    # nothing restated, and the downstream table rebuilt.
    assert rankings_content(loaded_warehouse) == clean
    after = warehouse_digest(loaded_warehouse)
    assert after["raw_responses"][0] == before["raw_responses"][0] + 1
    assert after["rankings_restatements"] == before["rankings_restatements"]
    assert step_outcomes(result)["model_share_daily"] == "success"
    assert run_tags(instance, result)["requests"] == str(len(case.statuses))


def test_a_429_makes_every_process_back_off_through_the_ledger(
    pinned_sandbox, resources, instance, loaded_warehouse, budget_db
):
    rerun_preload(pinned_sandbox, resources, instance, [status(429, retry_after=1)])
    with sqlite3.connect(budget_db) as ledger:
        penalties = ledger.execute("SELECT until - at, reason FROM penalties").fetchall()
        sent = ledger.execute(
            "SELECT status FROM slots WHERE state = 'sent' ORDER BY id"
        ).fetchall()
    assert [(round(seconds), reason.split(",")[1].strip()) for seconds, reason in penalties] == [
        (1, "Retry-After 1 s")
    ]
    assert sent == [(429,), (200,)]


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_bad_responses_are_refused_and_change_nothing(
    pinned_sandbox, resources, instance, loaded_warehouse, case
):
    before = warehouse_digest(loaded_warehouse)
    assert before["rankings_daily"][0] == 3 * 51 and before["model_share_daily"][0] == 3 * 51

    result, _ = rerun_preload(pinned_sandbox, resources, instance, case.faults)

    assert not result.success
    assert case.message in failure_text(result)
    assert step_outcomes(result).get("model_share_daily") != "success"
    requests = wait_for_requests(pinned_sandbox, len(case.statuses))
    assert tuple(r["status"] for r in requests) == case.statuses
    assert warehouse_digest(loaded_warehouse) == before


@pytest.mark.parametrize("case", WARNED, ids=str)
def test_a_day_without_other_is_loaded_at_warn(
    pinned_sandbox, resources, instance, loaded_warehouse, case
):
    """A dropped `other` row is indistinguishable from a legal day with no tail: load, WARN.

    The day was loaded with its `other` row before, so the re-fetch also lowers the day's total
    by the tail's share (5-8 %), far beyond a late revision: the restatement check warns too.
    """
    result, _ = rerun_preload(pinned_sandbox, resources, instance, case.faults)

    assert result.success, failure_text(result)
    evaluations = check_evaluations(result)
    warned = {key for key, e in evaluations.items() if not e.passed}
    assert warned == {
        (n, FAULT_DATE)
        for n in ("one_other_per_date", "other_is_last", "rows_per_date", "restatements_plausible")
    }
    assert all(evaluations[key].severity == dg.AssetCheckSeverity.WARN for key in warned)
    counts = rows_per_date(loaded_warehouse)
    assert [counts[dt.date.fromisoformat(d)] for d in ("2025-04-01", FAULT_DATE, "2025-04-03")] == [
        51,
        50,
        51,
    ]


@pytest.mark.parametrize("variant", ["quote", "sql", "unicode"])
def test_hostile_permaslugs_are_stored_verbatim_and_harmlessly(
    pinned_sandbox, resources, instance, loaded_warehouse, tmp_path, variant
):
    slug = HOSTILE_SLUGS[variant]
    pinned_sandbox.inject("hostile_slug", date=FAULT_DATE, variant=variant)

    result = materialize_range(
        [rankings_daily, *analytics_assets], *PRELOAD, resources=resources, instance=instance
    )

    assert result.success, failure_text(result)
    with connect_read_only(loaded_warehouse) as con:
        stored = con.execute(
            "SELECT date, rank FROM rankings_daily WHERE model_permaslug = $1", [slug]
        ).fetchall()
        shares = con.execute(
            "SELECT count(*) FROM model_share_daily WHERE model_permaslug = $1", [slug]
        ).fetchone()
        tables = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables"
            ).fetchall()
        }
        exported = export_tables(con, tmp_path / "exports", ["csv"])
    assert stored == [(dt.date.fromisoformat(FAULT_DATE), 1)]
    assert shares == (1,)
    assert "rankings_daily" in tables  # the `DROP TABLE` in a slug stayed data
    assert rows_per_date(loaded_warehouse) == {d: 51 for d in rows_per_date(loaded_warehouse)}
    csv = next(path for path in exported if path.name == "rankings_daily.csv")
    assert slug.replace('"', '""') in csv.read_text(encoding="utf-8")


# --- the day budget ------------------------------------------------------------------------------

#: Two request windows (366 + 1 days); fetched only after the first window succeeded.
TWO_WINDOWS = ("2025-01-01", "2026-01-02")


def ledger_sent(budget_db) -> list[tuple]:
    with sqlite3.connect(budget_db) as ledger:
        return ledger.execute(
            "SELECT status, label FROM slots WHERE state = 'sent' ORDER BY id"
        ).fetchall()


def ledger_reserved(budget_db) -> int:
    with sqlite3.connect(budget_db) as ledger:
        return ledger.execute("SELECT count(*) FROM slots WHERE state = 'reserved'").fetchone()[0]


def test_day_budget_exhausted_mid_backfill_refuses_the_rest_and_writes_nothing(
    pinned_sandbox, make_resources, instance, loaded_warehouse, budget_db
):
    """A retry spends the slot reserved for the second window: the run stops there, unwritten."""
    assert last_completed_day() > dt.date.fromisoformat(TWO_WINDOWS[1])
    before = warehouse_digest(loaded_warehouse)
    pinned_sandbox.inject("status", status=500)

    result = materialize_range(
        [rankings_daily],
        *TWO_WINDOWS,
        resources=make_resources(per_day=2),
        instance=instance,
    )

    assert not result.success
    message = failure_text(result)
    assert "OpenRouter day budget exhausted" in message
    assert "2 of 2 requests used in the rolling 24 h, 0 remaining" in message
    assert [r["status"] for r in pinned_sandbox.requests()] == [500, 200]
    assert [status for status, _ in ledger_sent(budget_db)] == [500, 200]
    assert ledger_reserved(budget_db) == 0
    assert warehouse_digest(loaded_warehouse) == before


def test_a_backfill_the_day_budget_cannot_cover_sends_nothing(
    pinned_sandbox, make_resources, instance, loaded_warehouse, budget_db
):
    before = warehouse_digest(loaded_warehouse)

    result = materialize_range(
        [rankings_daily],
        *TWO_WINDOWS,
        resources=make_resources(per_day=1),
        instance=instance,
    )

    assert not result.success
    message = failure_text(result)
    assert "cannot cover this run's 2 requests" in message and "Nothing was sent" in message
    assert pinned_sandbox.request_count() == 0
    assert ledger_sent(budget_db) == [] and ledger_reserved(budget_db) == 0
    assert warehouse_digest(loaded_warehouse) == before
