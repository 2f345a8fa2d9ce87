"""Every malformed shape is refused with a message naming the problem."""

import datetime as dt
import json

import pytest

from rankings_etl.errors import RankingsResponseError
from rankings_etl.parsing import parse_rankings_body
from rankings_etl.windows import Window

D = dt.date
FETCHED = dt.datetime(2026, 5, 12, 3, 0, tzinfo=dt.UTC)
WINDOW = Window(D(2026, 5, 10), D(2026, 5, 11))


def body(rows=None, **meta):
    rows = (
        rows
        if rows is not None
        else [
            {
                "date": "2026-05-10",
                "model_permaslug": "openai/gpt-4o-2024-05-13",
                "total_tokens": "30",
            },
            {"date": "2026-05-10", "model_permaslug": "other", "total_tokens": "5"},
            {
                "date": "2026-05-11",
                "model_permaslug": "anthropic/claude-x:free",
                "total_tokens": "7",
            },
        ]
    )
    meta_full = {
        "as_of": "2026-05-12T02:00:00.000Z",
        "version": "v1",
        "start_date": "2026-05-10",
        "end_date": "2026-05-11",
    }
    meta_full.update(meta)
    return json.dumps({"data": rows, "meta": meta_full})


def parse(text, window=WINDOW):
    return parse_rankings_body(text, window, FETCHED)


def test_a_good_body_becomes_typed_columns_in_api_order():
    response = parse(body())
    assert list(response.dates) == [D(2026, 5, 10), D(2026, 5, 10), D(2026, 5, 11)]
    assert list(response.total_tokens) == [30, 5, 7]
    assert response.as_of == "2026-05-12T02:00:00.000Z"
    assert response.ranks() == [1, None, 1]  # `other` has no rank; ranks restart each date
    assert response.as_of_utc() == dt.datetime(2026, 5, 12, 2, tzinfo=dt.UTC)


def test_tokens_at_the_bigint_limit_are_kept_exactly():
    big = str(2**63 - 1)
    rows = [{"date": "2026-05-10", "model_permaslug": "a/b", "total_tokens": big}]
    assert parse(body(rows)).total_tokens[0] == 2**63 - 1


def row(tokens, date="2026-05-10", slug="a/b"):
    return [{"date": date, "model_permaslug": slug, "total_tokens": tokens}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"data": [', "not valid JSON"),
        ("[]", "not a JSON object"),
        (json.dumps({"meta": {}}), "no 'data' list"),
        (json.dumps({"data": []}), "no 'meta' object"),
        (body(version="v2"), "meta.version 'v2'"),
        (body(as_of=None), "no meta.as_of"),
        (body(as_of="yesterday"), "not ISO-8601"),
        (body(start_date="2026-02-30"), "not a calendar date"),
        (body(end_date="2026-5-11"), "not a YYYY-MM-DD date"),
        (body(start_date="2026-05-09"), "expected 2026-05-10..2026-05-11"),
        (body(row(12345)), "must be a decimal string, got a JSON number"),
        (body(row("12abc")), "'12abc' is not a non-negative decimal integer"),
        (body(row("-5")), "'-5' is not a non-negative decimal integer"),
        (body(row(str(2**63))), "does not fit a 64-bit integer"),
        (body(row("5", date="2026-05-12")), "outside the window"),
        (body(row("5", date="2026-13-01")), "not a calendar date"),
        (body(row("5", slug="")), "model_permaslug is missing or empty"),
        (body(row("5", slug="x" * 10_000)), "not a plausible permaslug"),
        (body(row("5", slug="a/b\nc")), "not a plausible permaslug"),
        (body(["not a row"]), "row 0 is not an object"),
        (
            body(row("5", date="2026-05-11") + row("5", date="2026-05-10")),
            "rows must be in date order",
        ),
    ],
)
def test_malformed_bodies_are_refused_naming_the_problem(text, message):
    with pytest.raises(RankingsResponseError, match=None) as raised:
        parse(text)
    assert message in str(raised.value)
    assert "2026-05-10..2026-05-11" in str(raised.value)  # names the window


def test_a_start_before_2025_is_expected_back_clamped():
    window = Window(D(2024, 12, 1), D(2025, 1, 1))
    text = body(row("5", date="2025-01-01"), start_date="2025-01-01", end_date="2025-01-01")
    assert parse(text, window).meta_start == D(2025, 1, 1)


def test_hostile_but_printable_permaslugs_are_kept_verbatim():
    slug = "x'); DROP TABLE rankings_daily;-- \u00e9\u4e2d"
    assert parse(body(row("5", slug=slug))).permaslugs[0] == slug


def test_error_messages_cut_long_values_short():
    with pytest.raises(RankingsResponseError) as raised:
        parse(body(row("5", slug="y" * 10_000)))
    assert len(str(raised.value)) < 400
