"""Fault specifications, the queue and what each data fault does to a day (pure, no server)."""

import datetime as dt
import json

import pytest

from rankings_etl.core.api_facts import OTHER
from rankings_etl.sandbox.faults import (
    ALL_KINDS,
    LATIN1_PREFIX,
    Fault,
    FaultError,
    FaultQueue,
    apply_to_body,
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
    "tokens_order",
    "tokens_non_numeric",
    "tokens_negative",
    "tokens_overflow",
    "hostile_slug",
    "missing_date",
    "meta_version",
    "revise",
    # Hostile responses (issue 16)
    "trickle",
    "meta_as_of",
    "zero_tokens",
    "tokens_sum_overflow",
    "tokens_huge",
    "deep_nesting",
    "huge_number",
    "echo_key",
    "latin1_body",
    "invalid_utf8",
    # App rankings (issue 18)
    "app_rank_gap",
    "app_duplicate_app",
    "app_tokens_number",
    "app_tokens_order",
    "app_rows_over_limit",
    "app_name_empty",
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
        ({"kind": "trickle", "interval": 0}, "`interval` must be more than 0 seconds"),
        ({"kind": "meta_as_of"}, "a meta_as_of fault needs `value`"),
        ({"kind": "zero_tokens", "which": "some"}, "`which` must be one of all, last"),
        ({"kind": "tokens_huge", "digits": 5}, "`digits` must be an integer from 20"),
        ({"kind": "echo_key", "where": "header"}, "`where` must be one of meta, row"),
        ({"kind": "status", "status": 429, "retry_after": -1}, "`retry_after` must be an"),
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


def test_the_retry_after_of_a_status_fault_may_be_any_text():
    fault = fault_from_dict({"kind": "status", "status": 429, "retry_after": "1e12"})
    assert fault.params["retry_after"] == "1e12"


def test_zero_token_faults_keep_the_order_valid():
    rows = apply_to_day(a_day(), Fault("zero_tokens"))
    assert {row["total_tokens"] for row in rows} == {"0"}
    ranked = [row["model_permaslug"] for row in rows[:-1]]
    assert ranked == sorted(ranked) and rows[-1]["model_permaslug"] == OTHER
    last = apply_to_day(a_day(), Fault("zero_tokens", params={"which": "last"}))
    assert [row["total_tokens"] for row in last[-2:]] == ["0", a_day()[-1]["total_tokens"]]
    assert last[:-2] == a_day()[:-2]


def test_a_sum_overflow_day_fits_bigint_row_by_row_only():
    rows = apply_to_day(a_day(), Fault("tokens_sum_overflow"))
    tokens = [int(row["total_tokens"]) for row in rows[:-1]]
    assert max(tokens) < 2**63 and sum(tokens) > 2**63 - 1
    assert tokens == sorted(tokens, reverse=True)


def test_huge_tokens_and_meta_as_of():
    rows = apply_to_day(a_day(), Fault("tokens_huge", params={"digits": 5000}))
    assert len(rows[0]["total_tokens"]) == 5000 and rows[0]["total_tokens"].isdigit()
    meta = apply_to_meta({"as_of": "x"}, Fault("meta_as_of", params={"value": "0001-01-01"}))
    assert meta == {"as_of": "0001-01-01"}


BODY = b'{"data":[{"date":"2025-03-02","model_permaslug":"a/b","total_tokens":"5"}],"meta":{"v":1}}'


def test_body_faults():
    nested, kind = apply_to_body(BODY, Fault("deep_nesting", params={"depth": 3}), "k")
    assert b'"extra":[[[]]],"meta":' in nested and kind == "application/json"
    number, _ = apply_to_body(BODY, Fault("huge_number", params={"digits": 30}), "k")
    assert b'"extra":1' + b"0" * 29 + b',"meta":' in number
    echoed, _ = apply_to_body(BODY, Fault("echo_key"), "sk-key")
    assert json.loads(echoed)["meta"]["echo"] == "Bearer sk-key"
    row, _ = apply_to_body(BODY, Fault("echo_key", params={"where": "row"}), "sk-key")
    assert json.loads(row)["data"][0]["echo"] == "Bearer sk-key"
    escaped, _ = apply_to_body(BODY, Fault("echo_key", params={"escaped": True}), "sk-key")
    assert b"sk-key" not in escaped and json.loads(escaped)["meta"]["echo"] == "Bearer sk-key"
    latin, kind = apply_to_body(BODY, Fault("latin1_body"), "k")
    assert kind == "application/json; charset=iso-8859-1"
    assert json.loads(latin.decode("iso-8859-1"))["data"][0]["model_permaslug"] == (
        LATIN1_PREFIX + "a/b"
    )
    with pytest.raises(UnicodeDecodeError):
        latin.decode("utf-8")
    undeclared = apply_to_body(BODY, Fault("latin1_body", params={"declare": False}), "k")
    assert undeclared == (latin, "application/json")
    invalid, _ = apply_to_body(BODY, Fault("invalid_utf8"), "k")
    assert b"gpt-\xff-a/b" in invalid
