"""The app-rankings parser: a good body becomes typed columns; every malformed shape is refused
with a message naming the problem, and nothing it cannot store faithfully gets through."""

import datetime as dt
import json

import pytest

from rankings_etl.core.api_facts import BIGINT_MAX
from rankings_etl.core.errors import RankingsResponseError
from rankings_etl.data_api.apps_body import parse_app_rankings_body

from .bodies import AS_OF, FETCHED, WEEK, body, rows


def parse(text, sort="popular", **kwargs):
    return parse_app_rankings_body(text, WEEK, FETCHED, sort=sort, **kwargs)


def test_a_good_body_becomes_typed_columns_in_api_order():
    response = parse(body(), sort="trending")
    assert response.sort == "trending"
    assert list(response.ranks) == [1, 2, 3]
    assert list(response.app_ids) == [100, 101, 102]
    assert list(response.app_names) == ["App 0", "App 1", "App 2"]
    assert list(response.total_requests) == [5000, 4999, 4998]
    assert list(response.total_tokens) == [1_000_000, 999_000, 998_000]
    assert response.row_count == 3
    assert response.as_of == AS_OF
    assert response.as_of_utc() == dt.datetime(2025, 3, 17, 0, 30, tzinfo=dt.UTC)
    assert (response.meta_start, response.meta_end) == (WEEK.start, WEEK.end)
    assert response.body == body()


def test_an_empty_ranking_is_a_valid_body():
    assert parse(body([]), sort="trending").row_count == 0


def test_unknown_extra_fields_are_tolerated():
    data = [{**row, "app_url": "https://example.com", "icon": None} for row in rows(2)]
    text = json.dumps({"data": data, "meta": json.loads(body())["meta"] | {"extra": 1}, "x": 2})
    assert list(parse(text).app_ids) == [100, 101]


def test_bytes_are_decoded_strictly():
    assert parse(body().encode()).row_count == 3
    with pytest.raises(RankingsResponseError, match="not valid UTF-8"):
        parse(body().encode()[:-3] + b"\xff}}")


def test_values_at_their_column_limits_are_kept_exactly():
    row = rows(1)[0] | {
        "app_id": BIGINT_MAX,
        "total_requests": BIGINT_MAX,
        "total_tokens": str(BIGINT_MAX),
        "app_name": "x" * 256,
    }
    response = parse(body([row]))
    assert response.app_ids == [BIGINT_MAX]
    assert response.total_requests == [BIGINT_MAX]
    assert response.total_tokens == [BIGINT_MAX]


def bad_row(**changes):
    row = rows(1)[0]
    for key, value in changes.items():
        if value is KeyError:
            row.pop(key)
        else:
            row[key] = value
    return body([row])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "is not a JSON object"),
        ('{"data": [], "meta": {}', "ends before the JSON does"),
        (json.dumps({"meta": json.loads(body())["meta"]}), "has no 'data' list"),
        (json.dumps({"data": []}), "has no 'meta' object"),
        (body(version="v2"), "meta.version 'v2'; this project understands 'v1' only"),
        (body(as_of=None), "has no meta.as_of string"),
        (body(as_of="yesterday"), "meta.as_of 'yesterday' is not ISO-8601"),
        (body(as_of="2025-03-15T00:00:00Z"), "is before 2025-03-16, the last day it reports"),
        (body(as_of="2025-03-19T02:00:00Z"), "more than a day after the response was received"),
        (body(start_date="2025-3-10"), "meta.start_date is not a YYYY-MM-DD date"),
        (body(end_date="2025-03-32"), "meta.end_date is not a calendar date"),
        (body(start_date="2025-03-09"), "echoes the window 2025-03-09..2025-03-16, expected"),
        (body(end_date="2025-03-15", as_of="2025-03-16T01:00:00Z"), "echoes the window"),
        (body(["x"]), "row 0 is not an object"),
        (bad_row(app_id=True), "app_id must be a JSON integer, got a boolean True"),
        (bad_row(app_id="101"), "app_id must be a JSON integer, got str '101'"),
        (bad_row(app_id=101.0), "app_id must be a JSON integer, got float 101.0"),
        (bad_row(app_id=KeyError), "app_id must be a JSON integer, got NoneType None"),
        (bad_row(app_id=2**63), "app_id 9223372036854775808 is outside"),
        (bad_row(rank=False), "rank must be a JSON integer, got a boolean False"),
        (bad_row(rank="1"), "rank must be a JSON integer, got str"),
        (bad_row(rank=2**31), "rank 2147483648 is outside"),
        (bad_row(total_requests=-1), "total_requests -1 is negative"),
        (bad_row(total_requests="5"), "total_requests must be a JSON integer, got str"),
        (bad_row(total_requests=True), "total_requests must be a JSON integer, got a boolean"),
        (bad_row(total_requests=2**63), "total_requests 9223372036854775808 is outside"),
        (bad_row(total_tokens=12), "total_tokens must be a decimal string, got a JSON number 12"),
        (bad_row(total_tokens="-3"), "total_tokens '-3' is not a non-negative decimal integer"),
        (bad_row(total_tokens="1e3"), "is not a non-negative decimal integer"),
        (bad_row(total_tokens=str(2**63)), "does not fit a 64-bit integer"),
        (bad_row(total_tokens=KeyError), "total_tokens must be a decimal string, got NoneType"),
        (bad_row(app_name=""), "app_name is missing or empty"),
        (bad_row(app_name="   "), "app_name is missing or empty"),
        (bad_row(app_name=KeyError), "app_name is missing or empty"),
        (bad_row(app_name=7), "app_name is missing or empty"),
        (bad_row(app_name="bad\nname"), "is not a plausible app name"),
        (bad_row(app_name="x" * 257), r"257 characters; at most 256"),
    ],
)
def test_a_malformed_body_is_refused_naming_the_problem(text, message):
    with pytest.raises(RankingsResponseError, match=message) as raised:
        parse(text)
    assert "app-rankings response (popular) for 2025-03-10..2025-03-16" in str(raised.value)


def test_a_bad_row_is_named_by_its_index_and_app():
    data = rows(3)
    data[2]["total_requests"] = -5
    with pytest.raises(RankingsResponseError, match=r"row 2 \(app_id 102\): total_requests -5"):
        parse(body(data))


def test_the_api_key_is_redacted_and_an_escaped_echo_is_refused():
    key = "sk-or-v1-secret-abcdef0123456789"
    data = rows(1)
    data[0]["app_name"] = f"echo {key}"
    response = parse(body(data), secret=key)
    assert key not in response.body and key not in response.app_names[0]
    escaped = body(data).replace(key, "".join(f"\\u{ord(c):04x}" for c in key))
    with pytest.raises(RankingsResponseError, match="echoes the API key in JSON escapes"):
        parse(escaped, secret=key)
