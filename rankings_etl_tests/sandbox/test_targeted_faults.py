"""Faults aimed at one endpoint or at requests with given parameters, and the app-rankings
faults, observed over real HTTP."""

import json

import httpx
import pytest

from rankings_etl.sandbox.faults import LATIN1_PREFIX
from rankings_etl.sandbox.testing import SandboxAdminError

from .helpers import KEY, by_date, error_of, get, get_apps

WINDOW = {"start_date": "2025-03-03", "end_date": "2025-03-09"}
WEEK = {"start_date": "2026-11-09", "end_date": "2026-11-15"}


def ranks(rows):
    return [row["rank"] for row in rows]


@pytest.mark.parametrize(
    ("kind", "broken"),
    [
        ("app_rank_gap", lambda rows: ranks(rows) != list(range(1, len(rows) + 1))),
        ("app_duplicate_app", lambda rows: len({r["app_id"] for r in rows}) == len(rows) - 1),
        ("app_tokens_number", lambda rows: all(isinstance(r["total_tokens"], int) for r in rows)),
        (
            "app_tokens_order",
            lambda rows: int(rows[0]["total_tokens"]) < int(rows[1]["total_tokens"]),
        ),
        ("app_rows_over_limit", lambda rows: len(rows) == 11),
        ("app_name_empty", lambda rows: rows[0]["app_name"] == ""),
    ],
)
def test_each_app_fault_breaks_its_rule_once(sandbox, kind, broken):
    sandbox.inject(kind)
    assert get(sandbox, **WINDOW).status_code == 200  # rankings requests pass it by
    faulted = get_apps(sandbox, **WEEK, limit=10)
    assert faulted.status_code == 200
    assert broken(faulted.json()["data"])
    clean = get_apps(sandbox, **WEEK, limit=10).json()["data"]
    assert not broken(clean) and ranks(clean) == list(range(1, 11))
    assert [r["fault"] for r in sandbox.requests()] == [None, kind, None]


def test_rows_over_limit_also_overfills_a_short_trending_page(sandbox):
    sandbox.inject("app_rows_over_limit", match={"sort": "trending"})
    rows = get_apps(sandbox, **WEEK, sort="trending", limit=100).json()["data"]
    assert len(rows) == 101 and ranks(rows) == list(range(1, 102))


def test_a_fault_for_one_endpoint_lets_the_others_requests_by(sandbox):
    sandbox.inject("status", status=503, endpoint="app-rankings", count=2)
    assert get(sandbox, **WINDOW).status_code == 200
    assert [get_apps(sandbox).status_code for _ in range(3)] == [503, 503, 200]
    assert sandbox.request_count(status=503, endpoint="app-rankings") == 2


def test_a_fault_with_match_waits_for_a_matching_request(sandbox):
    sandbox.inject("rows_52", match={"modality": "tool_calling"})
    plain = by_date(get(sandbox, **WINDOW).json()["data"])
    text = by_date(get(sandbox, **WINDOW, modality="text").json()["data"])
    tools = by_date(get(sandbox, **WINDOW, modality="tool_calling").json()["data"])
    assert len(plain["2025-03-03"]) == len(text["2025-03-03"]) == 51
    assert len(tools["2025-03-03"]) == 52 and len(tools["2025-03-04"]) == 51
    assert sandbox.faults()["queue"] == []


def test_a_null_in_match_means_the_parameter_is_absent(sandbox):
    sandbox.inject("status", status=500, match={"modality": None, "category": None}, count=-1)
    assert get(sandbox, **WINDOW, modality="audio").status_code == 200
    assert get_apps(sandbox, category="coding").status_code == 200
    assert get(sandbox, **WINDOW).status_code == 500
    assert get_apps(sandbox).status_code == 500


def test_faults_are_taken_first_matching_in_queue_order(sandbox):
    sandbox.inject("status", status=502, endpoint="rankings-daily")
    sandbox.inject("status", status=503, endpoint="app-rankings")
    sandbox.inject("status", status=504)
    assert get_apps(sandbox).status_code == 503
    assert get_apps(sandbox).status_code == 504
    assert get(sandbox, **WINDOW).status_code == 502
    assert get(sandbox, **WINDOW).status_code == 200


def test_a_data_fault_acts_on_a_bucket_of_a_filtered_answer(sandbox):
    sandbox.inject("other_not_last", date="2025-03-10", match={"category": "finance"})
    params = {"start_date": "2025-03-03", "end_date": "2025-03-16", "category": "finance"}
    weeks = by_date(get(sandbox, **params).json()["data"])
    assert weeks["2025-03-10"][0]["model_permaslug"] == "other"
    assert weeks["2025-03-03"][-1]["model_permaslug"] == "other"


def test_the_listing_shows_where_a_fault_applies(sandbox):
    listing = sandbox.inject("tailless", endpoint="rankings-daily", match={"period": "week"})
    assert listing["queue"] == [
        {"kind": "tailless", "count": 1, "endpoint": "rankings-daily", "match": {"period": "week"}}
    ]
    listing = sandbox.inject("app_name_empty", match={"limit": 100})
    assert listing["queue"][1] == {"kind": "app_name_empty", "count": 1, "match": {"limit": "100"}}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"endpoint": "models"}, "`endpoint` must be one of rankings-daily, app-rankings"),
        ({"match": ["sort"]}, "`match` must be an object of query parameters"),
        ({"match": {"limit": 1.5}}, "`match.limit` must be a string, an integer or null"),
    ],
)
def test_bad_targets_are_refused_naming_the_problem(sandbox, params, message):
    with pytest.raises(SandboxAdminError, match=message):
        sandbox.inject("drop", **params)


def test_an_app_fault_cannot_target_rankings_daily(sandbox):
    with pytest.raises(SandboxAdminError, match="acts on app-rankings answers only"):
        sandbox.inject("app_rank_gap", endpoint="rankings-daily")
    with pytest.raises(SandboxAdminError, match="acts on rankings-daily answers only"):
        sandbox.inject("rows_49", endpoint="app-rankings")


def test_transport_and_body_faults_work_on_app_rankings(sandbox):
    sandbox.inject("drop", endpoint="app-rankings")
    with pytest.raises(httpx.RemoteProtocolError):
        get_apps(sandbox)
    sandbox.inject("truncate", endpoint="app-rankings")
    with pytest.raises(httpx.RemoteProtocolError):
        get_apps(sandbox)
    sandbox.inject("latin1_body", endpoint="app-rankings")
    latin = get_apps(sandbox, **WEEK)
    assert latin.content.decode("iso-8859-1").count(LATIN1_PREFIX) == 1
    assert json.loads(latin.text)["data"][0]["app_name"].startswith(LATIN1_PREFIX)
    sandbox.inject("echo_key", where="row", endpoint="app-rankings")
    assert get_apps(sandbox, **WEEK).json()["data"][0]["echo"] == f"Bearer {KEY}"
    sandbox.inject("meta_version", endpoint="app-rankings")
    assert get_apps(sandbox, **WEEK).json()["meta"]["version"] == "v2"
    assert [r["status"] for r in sandbox.requests("app-rankings")] == [0, 200, 200, 200, 200]


def test_a_status_fault_on_app_rankings_keeps_the_error_shape(sandbox):
    sandbox.inject("status", status=429, retry_after=3, endpoint="app-rankings")
    response = get_apps(sandbox)
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert "HTTP 429" in error_of(response)
