"""Every malformed shape is refused with a message naming the problem."""

import datetime as dt
import json

import pytest

from rankings_etl.core.errors import RankingsResponseError
from rankings_etl.core.windows import Window
from rankings_etl.data_api.body import decode_body
from rankings_etl.data_api.rankings_body import parse_rankings_body

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


# --- hostile bodies (issue 16): a message naming the problem, never a Python exception ---------

KEY = "sk-or-v1-unit-0123456789abcdef"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"extra": ' + "[" * 10_000 + "]" * 10_000 + "}", "deeper than the parser allows"),
        ('{"extra": 1' + "0" * 5000 + "}", "a JSON number too long to convert"),
        (body(row("1" * 5000)), "(5002 chars) does not fit a 64-bit integer"),
        (body(as_of="0001-01-01T00:00:00+05:00"), "is not a representable UTC time"),
        (body(as_of="2026-05-10T23:59:59Z"), "is before 2026-05-11, the last day it reports on"),
        (body(as_of="2026-05-13T03:00:01Z"), "more than a day after the response was received"),
        ("\ufeff" + body(), "is not valid JSON: Unexpected UTF-8 BOM"),
        ('{"data": [] x}', "is not valid JSON: Expecting ',' delimiter at line 1 column 13"),
        (body(row("5", date="٢٠٢٦-٠٥-١٠")), "not a YYYY-MM-DD date"),
    ],
)
def test_hostile_bodies_are_refused_naming_the_problem(text, message):
    with pytest.raises(RankingsResponseError) as raised:
        parse(text)
    assert message in str(raised.value)
    assert len(str(raised.value)) < 400


def test_only_a_body_that_ends_early_counts_as_truncated():
    from rankings_etl.core.errors import TruncatedResponseError

    with pytest.raises(TruncatedResponseError):
        parse(body()[:-40])
    with pytest.raises(TruncatedResponseError):
        parse('{"data": [{"date": "2026-05-1')  # cut inside a string
    with pytest.raises(RankingsResponseError) as malformed:
        parse('{"data": [] x}')
    assert not isinstance(malformed.value, TruncatedResponseError)


def test_leading_zeros_are_a_decimal_string_like_any_other():
    assert parse(body(row("0" * 5000 + "42"))).total_tokens == [42]


def test_decoding_is_strict_in_the_declared_charset():
    text = body(row("5", slug="café/crème")).replace("\\u00e9", "é").replace("\\u00e8", "è")
    assert "café/crème" in text
    assert decode_body(text.encode("iso-8859-1"), "application/json; charset=ISO-8859-1") == text
    assert decode_body(text.encode(), "application/json") == text
    for content, content_type, message in [
        (text.encode("iso-8859-1"), "application/json", "not valid UTF-8 (no charset is declared)"),
        (b'{"a": "\xff"}', None, "byte(s) ff at offset 7 of 10 (invalid start byte)"),
        (text.encode(), "application/json; charset=klingon", "declares charset 'klingon'"),
        (text.encode(), "application/json; charset=rot13", "declares charset 'rot13'"),
        (b"+2AA-", "text/plain; charset=utf-7", "a lone surrogate"),
    ]:
        with pytest.raises(RankingsResponseError) as raised:
            decode_body(content, content_type, "the body")
        assert message in str(raised.value)


def test_the_key_is_redacted_before_anything_reads_the_body():
    text = body(row("5", slug=f"x/{KEY}"), version="v1")
    response = parse_rankings_body(text, WINDOW, FETCHED, secret=KEY)
    assert KEY not in response.body and response.permaslugs == ["x/[redacted key]"]
    assert response.body == text.replace(KEY, "[redacted key]")
    with pytest.raises(RankingsResponseError) as raised:
        parse_rankings_body(body(version=f"Bearer {KEY}"), WINDOW, FETCHED, secret=KEY)
    assert "'Bearer [redacted key]'" in str(raised.value) and KEY not in str(raised.value)
    escaped = body().replace(
        '"meta": {', '"meta": {"echo": "' + "".join(f"\\u{ord(c):04x}" for c in KEY) + '", '
    )
    with pytest.raises(RankingsResponseError, match="echoes the API key in JSON escapes"):
        parse_rankings_body(escaped, WINDOW, FETCHED, secret=KEY)
    assert parse_rankings_body(escaped, WINDOW, FETCHED).row_count == 3  # no key, no check
