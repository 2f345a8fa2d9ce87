"""``GET /api/v1/datasets/app-rankings``: popular and trending apps, paging, categories, over
real HTTP, and the one rate budget it shares with rankings-daily."""

import datetime as dt

import pytest

from rankings_etl.core.api_facts import APP_CATEGORIES, APP_SUBCATEGORIES
from rankings_etl.core.windows import Window
from rankings_etl.sandbox import apps

from .helpers import error_of, get, get_apps

WEEK = {"start_date": "2026-11-09", "end_date": "2026-11-15"}


def data(response):
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_popular_is_the_default_a_page_of_50_ranked_by_tokens(sandbox):
    response = get_apps(sandbox, **WEEK)
    body = response.json()
    assert response.headers["content-type"] == "application/json"
    assert set(body) == {"data", "meta"}
    assert set(body["meta"]) == {"as_of", "version", "start_date", "end_date"}
    assert (body["meta"]["start_date"], body["meta"]["end_date"]) == (
        WEEK["start_date"],
        WEEK["end_date"],
    )
    rows = body["data"]
    assert [row["rank"] for row in rows] == list(range(1, 51))
    for row in rows:
        assert set(row) == {"app_id", "app_name", "rank", "total_requests", "total_tokens"}
        assert isinstance(row["app_id"], int) and isinstance(row["total_requests"], int)
        assert isinstance(row["total_tokens"], str) and row["total_tokens"].isdigit()
        assert row["app_name"] and 0 < row["total_requests"] < int(row["total_tokens"])
    keys = [(-int(row["total_tokens"]), row["app_id"]) for row in rows]
    assert keys == sorted(keys)
    assert len({row["app_id"] for row in rows}) == 50
    assert data(get_apps(sandbox, **WEEK, sort="popular")) == rows


def test_offset_pages_keep_absolute_ranks(sandbox):
    whole = data(get_apps(sandbox, **WEEK, limit=100))
    second = data(get_apps(sandbox, **WEEK, offset=50))
    assert [row["rank"] for row in second] == list(range(51, 101))
    assert second == whole[50:]
    last = data(get_apps(sandbox, **WEEK, offset=100, limit=100))
    assert last[0]["rank"] == 101 and len(last) == 100


def test_trending_lists_fewer_apps_than_popular_by_excess_over_the_three_windows_before():
    history_weeks = [dt.date(2025, 2, 3) + dt.timedelta(weeks=i) for i in range(94)]
    for monday in history_weeks:
        window = Window(monday, monday + dt.timedelta(days=6))
        popular = apps.ranked_apps(0, window, "popular")
        trending = apps.ranked_apps(0, window, "trending")
        assert 0 < len(trending) < min(100, len(popular)), monday
        before = apps.window_tokens(0, monday - dt.timedelta(days=21), monday - dt.timedelta(1))
        excess = [3 * tokens - before[app.app_id - 1] for app, tokens in trending]
        assert all(value > 0 for value in excess) and excess == sorted(excess, reverse=True)


def test_trending_returns_fewer_rows_than_the_limit(sandbox):
    trending = data(get_apps(sandbox, **WEEK, sort="trending", limit=100))
    popular = data(get_apps(sandbox, **WEEK, sort="popular", limit=100))
    assert len(popular) == 100 and 0 < len(trending) < 100
    assert [row["rank"] for row in trending] == list(range(1, len(trending) + 1))
    assert {row["app_id"] for row in trending} != {row["app_id"] for row in popular}


@pytest.mark.parametrize("category", APP_CATEGORIES)
def test_a_category_keeps_its_apps_ranked_from_1(sandbox, category):
    rows = data(get_apps(sandbox, **WEEK, category=category, limit=100))
    catalog = {app.app_id: app for app in apps.catalog(0)}
    assert rows and all(catalog[row["app_id"]].category == category for row in rows)
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize("subcategory", APP_SUBCATEGORIES)
def test_a_subcategory_with_or_without_its_category_keeps_its_apps(sandbox, subcategory):
    category = apps.CATEGORY_OF_SUBCATEGORY[subcategory]
    alone = data(get_apps(sandbox, **WEEK, subcategory=subcategory))
    both = data(get_apps(sandbox, **WEEK, subcategory=subcategory, category=category))
    catalog = {app.app_id: app for app in apps.catalog(0)}
    assert alone == both and alone
    assert all(catalog[row["app_id"]].subcategory == subcategory for row in alone)


def test_the_apps_are_deterministic_across_processes(sandbox, sandbox_factory):
    other = sandbox_factory(today="2026-12-01")
    assert data(get_apps(other, **WEEK)) == data(get_apps(sandbox, **WEEK))


def test_app_rankings_needs_a_key_and_401s_are_not_counted_by_the_limiter(sandbox):
    response = get_apps(sandbox, key=None)
    assert response.status_code == 401 and "missing or malformed" in error_of(response)
    assert sandbox.request_count(status=401, endpoint="app-rankings") == 1


# --- one budget, one record, across endpoints ------------------------------------------------


def test_30_mixed_requests_then_a_429_on_either_endpoint(sandbox_factory):
    limited = sandbox_factory()  # the real limits: 30 per minute per key
    statuses = [
        (get if i % 2 else get_apps)(
            limited, start_date="2025-03-01", end_date="2025-03-01"
        ).status_code
        for i in range(30)
    ]
    assert statuses == [200] * 30
    for refused in (get(limited), get_apps(limited)):
        assert refused.status_code == 429
        assert "30 requests per minute per key" in error_of(refused)
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert limited.request_count(status=429, endpoint="rankings-daily") == 1
    assert limited.request_count(status=429, endpoint="app-rankings") == 1
    assert limited.stats()["by_endpoint"] == {"app-rankings": 16, "rankings-daily": 16}


def test_the_day_budget_is_shared_across_endpoints(sandbox_factory):
    limited = sandbox_factory(per_day=3)
    assert [get_apps(limited).status_code, get(limited).status_code] == [200, 200]
    assert get_apps(limited, sort="nope").status_code == 400  # counted
    refused = get(limited)
    assert refused.status_code == 429 and "3 requests per day per account" in error_of(refused)


def test_the_minute_can_be_shortened_for_a_pacing_test(sandbox_factory):
    limited = sandbox_factory(per_minute=2)
    assert limited.configure(minute_seconds=2)["minute_seconds"] == 2.0
    assert [get_apps(limited).status_code for _ in range(3)] == [200, 200, 429]
    refused = get(limited)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 2
    deadline = dt.datetime.now() + dt.timedelta(seconds=10)
    while get(limited).status_code == 429:  # the window rolls after 2 s, not 60
        assert dt.datetime.now() < deadline
    assert limited.configure(minute_seconds=None)["minute_seconds"] == 60.0


def test_every_request_is_recorded_with_its_endpoint_and_params(sandbox):
    get(sandbox, start_date="2025-03-01", end_date="2025-03-02")
    get(sandbox, start_date="2025-03-01", end_date="2025-03-02", modality="text")
    get(sandbox, start_date="2025-03-01", end_date="2025-03-02", category="legal")
    get_apps(sandbox, **WEEK, sort="trending", limit=100)
    get_apps(sandbox, **WEEK, api_key="sk-or-v1-secret-in-the-query")
    records = sandbox.requests()
    assert [r["endpoint"] for r in records] == ["rankings-daily"] * 3 + ["app-rankings"] * 2
    assert records[1]["params"] == {
        "start_date": "2025-03-01",
        "end_date": "2025-03-02",
        "modality": "text",
    }
    assert records[3]["params"]["limit"] == "100" and records[3]["rows"] < 100
    assert records[4]["params"]["api_key"] == "***"
    assert "secret-in-the-query" not in str(sandbox.stats())
    assert len(sandbox.requests("app-rankings")) == 2
    assert sandbox.request_count() == 5
    assert sandbox.request_count(endpoint="rankings-daily") == 3
    assert sandbox.request_count(endpoint="rankings-daily", unfiltered=True) == 1
    assert sandbox.request_count(endpoint="rankings-daily", modality="text") == 1
    assert sandbox.request_count(endpoint="rankings-daily", modality=None) == 2
    assert sandbox.request_count(endpoint="app-rankings", sort="trending", limit=100) == 1
    assert sandbox.request_count(status=200, endpoint="app-rankings", sort="popular") == 0
    assert sandbox.stats()["by_endpoint"] == {"rankings-daily": 3, "app-rankings": 2}
