"""Fault specifications, the queue and what each data fault does to a day (pure, no server)."""

import datetime as dt

import pytest

from rankings_etl.contract import OTHER
from rankings_etl.sandbox.faults import (
    ALL_KINDS,
    Fault,
    FaultError,
    FaultQueue,
    apply_to_day,
    apply_to_meta,
    fault_from_dict,
    parse_fault_flag,
    revise_rows,
)
from rankings_etl.sandbox.history import day_rows

REQUIRED_KINDS = {
    "status",
    "delay",
    "drop",
    "truncate",
    "other_missing",
    "other_duplicated",
    "other_not_last",
    "rows_49",
    "rows_52",
    "tailless",
    "tokens_number",
    "tokens_non_numeric",
    "tokens_negative",
    "tokens_overflow",
    "hostile_slug",
    "missing_date",
    "meta_version",
    "revise",
}


def a_day():
    rows = day_rows(0, dt.date(2025, 3, 2))
    return [{"date": "2025-03-02", "model_permaslug": s, "total_tokens": str(t)} for s, t in rows]


def test_every_kind_of_the_issue_exists():
    assert set(ALL_KINDS) == REQUIRED_KINDS


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "gremlins"}, "unknown fault kind 'gremlins'"),
        ({}, "unknown fault kind None"),
        ({"kind": "drop", "count": 0}, "`count` must be a positive integer or -1"),
        ({"kind": "drop", "count": -2}, "`count` must be"),
        ({"kind": "drop", "count": "2"}, "`count` must be"),
        ({"kind": "status"}, "a status fault needs `status`"),
        ({"kind": "status", "status": 200}, "`status` must be an integer from 400 to 599"),
        ({"kind": "status", "status": "boom"}, "`status` must be an integer"),
        ({"kind": "status", "status": 503, "retry_afterr": 5}, "unknown parameter(s) retry_afterr"),
        ({"kind": "delay"}, "a delay fault needs `seconds`"),
        ({"kind": "delay", "seconds": -1}, "`seconds` must be between 0 and 600"),
        ({"kind": "tailless", "date": "2025-02-30"}, "`date` must be a YYYY-MM-DD date"),
        ({"kind": "revise", "date": "2025-03-02"}, "a revise fault needs `factor`"),
        ({"kind": "revise", "date": "2025-03-02", "factor": 0}, "`factor` must be a positive"),
        ({"kind": "hostile_slug", "variant": "xss"}, "`variant` must be one of"),
        ({"kind": "truncate", "honest_length": "yes"}, "`honest_length` must be true or false"),
        (["drop"], "a fault is a JSON object"),
    ],
)
def test_bad_specifications_are_refused_naming_the_problem(spec, message):
    with pytest.raises(FaultError) as refused:
        fault_from_dict(spec)
    assert message in str(refused.value)


def test_flags_parse_key_values_and_json():
    fault = parse_fault_flag("status:status=503,count=2,retry_after=7")
    assert (fault.kind, fault.count, fault.params) == (
        "status",
        2,
        {"status": 503, "retry_after": 7},
    )
    assert parse_fault_flag("revise:date=2025-03-02,factor=1.001").params == {
        "date": "2025-03-02",
        "factor": 1.001,
    }
    assert parse_fault_flag("truncate:honest_length=true").params == {"honest_length": True}
    assert parse_fault_flag('{"kind": "hostile_slug", "variant": "sql"}').params == {
        "variant": "sql"
    }
    with pytest.raises(FaultError, match="not key=value"):
        parse_fault_flag("status:503")
    with pytest.raises(FaultError, match="not valid JSON"):
        parse_fault_flag("{kind: drop}")


def test_the_queue_is_fifo_with_counts_and_until_cleared():
    queue = FaultQueue()
    queue.add(fault_from_dict({"kind": "status", "status": 500, "count": 2}))
    queue.add(fault_from_dict({"kind": "drop", "count": -1}))
    queue.add(fault_from_dict({"kind": "tailless"}))
    taken = [queue.take().kind for _ in range(5)]
    assert taken == ["status", "status", "drop", "drop", "drop"]
    assert [f["kind"] for f in queue.listing()["queue"]] == ["drop", "tailless"]
    queue.clear()
    assert queue.take() is None


def test_revisions_are_not_queued_and_persist_until_cleared():
    queue = FaultQueue()
    queue.add(fault_from_dict({"kind": "revise", "date": "2025-03-02", "factor": 1.001}))
    assert queue.take() is None
    assert queue.listing() == {"queue": [], "revisions": {"2025-03-02": 1.001}}
    queue.clear()
    assert queue.listing()["revisions"] == {}


def test_a_revised_day_keeps_integers_a_valid_order_and_other_last():
    rows = day_rows(0, dt.date(2025, 3, 2))
    revised = revise_rows(rows, 1.001)
    assert [slug for slug, _ in revised][-1] == OTHER
    assert dict(revised) == {slug: round(tokens * 1.001) for slug, tokens in rows}
    ranked = [(-tokens, slug) for slug, tokens in revised[:-1]]
    assert ranked == sorted(ranked)
    assert all(isinstance(tokens, int) for _, tokens in revised)


@pytest.mark.parametrize(
    ("kind", "ranked", "others", "other_at"),
    [
        ("other_missing", 50, 0, None),
        ("tailless", 50, 0, None),
        ("other_duplicated", 50, 2, 50),
        ("other_not_last", 50, 1, 0),
        ("rows_49", 49, 1, 49),
        ("rows_52", 51, 1, 51),
        ("missing_date", 0, 0, None),
    ],
)
def test_row_shape_faults(kind, ranked, others, other_at):
    rows = apply_to_day(a_day(), Fault(kind))
    slugs = [row["model_permaslug"] for row in rows]
    assert len(slugs) - slugs.count(OTHER) == ranked and slugs.count(OTHER) == others
    assert (slugs.index(OTHER) if OTHER in slugs else None) == other_at


def test_the_extra_model_of_rows_52_keeps_the_order_valid():
    rows = apply_to_day(a_day(), Fault("rows_52"))
    tokens = [int(row["total_tokens"]) for row in rows[:-1]]
    assert tokens == sorted(tokens, reverse=True) and len(set(tokens[-2:])) == 2


def test_token_faults_and_meta_version():
    day = a_day()
    numbers = apply_to_day(day, Fault("tokens_number"))
    assert [row["total_tokens"] for row in numbers] == [int(row["total_tokens"]) for row in day]
    assert apply_to_day(day, Fault("tokens_non_numeric"))[0]["total_tokens"] == "12abc"
    assert apply_to_day(day, Fault("tokens_negative"))[0]["total_tokens"] == "-5"
    assert int(apply_to_day(day, Fault("tokens_overflow"))[0]["total_tokens"]) == 2**63
    assert day == a_day()  # the input is not mutated
    meta = {"version": "v1"}
    assert apply_to_meta(meta, Fault("meta_version", params={"version": "v9"}))["version"] == "v9"
    assert apply_to_meta(meta, Fault("meta_version"))["version"] == "v2"


def test_hostile_slugs_replace_the_first_ranked_permaslugs():
    rows = apply_to_day(a_day(), Fault("hostile_slug"))
    slugs = [row["model_permaslug"] for row in rows[:4]]
    assert "x'); DROP TABLE rankings_daily;--" in slugs
    assert any("'" in s and '"' in s for s in slugs)
    assert any(not s.isascii() for s in slugs)
    assert any(len(s.encode()) > 10_000 for s in slugs)
    only_sql = apply_to_day(a_day(), Fault("hostile_slug", params={"variant": "sql"}))
    assert only_sql[0]["model_permaslug"] == "x'); DROP TABLE rankings_daily;--"
    assert only_sql[1:] == a_day()[1:]
