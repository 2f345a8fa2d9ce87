"""The sandbox honours the rankings-daily contract, rule by rule, over real HTTP."""

import datetime as dt
import time

import httpx
import pytest

from rankings_etl.core.api_facts import RANKINGS_DAILY_PATH

from .helpers import KEY, assert_day_in_contract_order, by_date, error_of, get, get_apps

TODAY = "2026-06-10"  # pinned where the answer depends on "today"


# --- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing or malformed Authorization header"),
        ({"Authorization": "Bearer"}, "missing or malformed"),
        ({"Authorization": f"Basic {KEY}"}, "missing or malformed"),
        ({"Authorization": KEY}, "missing or malformed"),
        ({"Authorization": "Bearer not-an-openrouter-key"}, "invalid API key"),
        ({"Authorization": "Bearer sk-or-ab"}, "invalid API key"),
    ],
)
def test_missing_malformed_or_invalid_keys_get_401_with_a_json_error(sandbox, headers, message):
    response = httpx.get(f"{sandbox.base_url}{RANKINGS_DAILY_PATH}", headers=headers)
    assert response.status_code == 401
    assert message in error_of(response)


def test_an_invalid_key_is_named_by_its_fingerprint_only(sandbox):
    response = get(sandbox, key="wrong-secret-value-123")
    assert response.status_code == 401
    assert "wrong-secret-value-123" not in response.text
    assert sandbox.requests()[0]["key_fp"] in error_of(response)


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "2026-02-30", "end_date": "2026-03-01"}, "not a valid calendar date"),
        ({"start_date": "2026-1-5", "end_date": "2026-01-06"}, "formatted YYYY-MM-DD"),
        ({"end_date": ""}, "formatted YYYY-MM-DD"),
        ({"start_date": "2025-03-02", "end_date": "2025-03-01"}, "is after end_date"),
        ({"start_date": "2025-01-01", "end_date": "2026-01-02"}, "spans 367 days"),
        ({"start_date": "2024-01-01", "end_date": "2024-12-31"}, "before the dataset begins"),
        ({"end_date": "2026-06-10"}, "after the most recent completed UTC day (2026-06-09)"),
    ],
)
def test_invalid_windows_get_400_naming_the_problem(sandbox, params, message):
    sandbox.configure(today=TODAY)
    response = get(sandbox, **params)
    assert response.status_code == 400
    assert message in error_of(response)


def test_a_span_of_exactly_366_days_is_served_counting_after_the_clamp(sandbox):
    response = get(sandbox, start_date="2025-01-01", end_date="2026-01-01")
    assert response.status_code == 200
    assert len(by_date(response.json()["data"])) == 366
    clamped = get(sandbox, start_date="2024-12-31", end_date="2026-01-01")  # 367 as asked
    assert clamped.status_code == 200 and clamped.json()["meta"]["start_date"] == "2025-01-01"


def test_an_early_start_is_clamped_and_echoed(sandbox):
    response = get(sandbox, start_date="2024-06-01", end_date="2025-01-03")
    meta = response.json()["meta"]
    assert response.status_code == 200
    assert (meta["start_date"], meta["end_date"]) == ("2025-01-01", "2025-01-03")
    assert sorted(by_date(response.json()["data"])) == ["2025-01-01", "2025-01-02", "2025-01-03"]


def test_defaults_are_the_last_completed_day_and_30_days_before(sandbox):
    sandbox.configure(today=TODAY)
    response = get(sandbox, unknown_param="ignored", limit="5")
    meta = response.json()["meta"]
    assert (meta["start_date"], meta["end_date"]) == ("2026-05-10", "2026-06-09")
    days = by_date(response.json()["data"])
    assert len(days) == 31 and all(len(rows) == 51 for rows in days.values())


def test_without_a_pinned_today_the_default_end_is_yesterday_in_utc(sandbox):
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    assert get(sandbox).json()["meta"]["end_date"] == yesterday.isoformat()


# --- the body ------------------------------------------------------------------------------


def test_a_year_of_rows_follows_the_contracts_order_with_decimal_strings(sandbox):
    response = get(sandbox, start_date="2025-01-01", end_date="2026-01-01")
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"data", "meta"}
    data = body["data"]
    dates = [row["date"] for row in data]
    assert dates == sorted(dates)
    for rows in by_date(data).values():
        assert len(rows) == 51 and rows[-1]["model_permaslug"] == "other"
        assert all(set(row) == {"date", "model_permaslug", "total_tokens"} for row in rows)
        assert all(isinstance(r["total_tokens"], str) and r["total_tokens"].isdigit() for r in rows)
        assert_day_in_contract_order(rows)
    ranked = [r for r in data if r["model_permaslug"] != "other"]
    pairs = {(r["date"], r["total_tokens"]) for r in ranked}
    assert len(pairs) < len(ranked), "the history should contain exact ties"


def test_meta_says_when_which_version_and_which_window(sandbox):
    meta = get(sandbox, start_date="2025-02-01", end_date="2025-02-02").json()["meta"]
    assert set(meta) == {"as_of", "version", "start_date", "end_date"}
    assert meta["version"] == "v1"
    assert meta["as_of"].endswith("Z") and len(meta["as_of"]) == len("2026-05-12T02:00:00.000Z")
    stamp = dt.datetime.fromisoformat(meta["as_of"])
    assert abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) < 60


def test_as_of_can_be_fixed(sandbox):
    sandbox.configure(as_of="2026-05-12T02:00:00Z")
    assert get(sandbox).json()["meta"]["as_of"] == "2026-05-12T02:00:00.000Z"


def test_a_day_is_the_same_whatever_window_asks_for_it(sandbox):
    wide = by_date(get(sandbox, start_date="2025-05-01", end_date="2025-05-31").json()["data"])
    narrow = by_date(get(sandbox, start_date="2025-05-15", end_date="2025-05-15").json()["data"])
    assert narrow["2025-05-15"] == wide["2025-05-15"]


def test_the_same_request_gives_the_same_rows_in_two_server_processes(sandbox, sandbox_factory):
    other = sandbox_factory(today="2026-01-01")  # and another "today"
    params = {"start_date": "2025-05-01", "end_date": "2025-05-31"}
    assert get(sandbox, **params).json()["data"] == get(other, **params).json()["data"]


# --- stats, logs and secrets ----------------------------------------------------------------


def test_stats_count_rankings_requests_by_status_and_key(sandbox):
    get(sandbox, start_date="2025-02-01", end_date="2025-02-03")
    get(sandbox, key=None)
    get(sandbox, start_date="2025-02-30")
    sandbox.faults()  # admin calls are not counted
    stats = sandbox.stats()
    assert stats["total"] == 3 and stats["by_status"] == {"200": 1, "401": 1, "400": 1}
    assert list(stats["by_key"].values()) == [2]
    first = stats["requests"][0]
    assert first["path"] == "/api/v1/datasets/rankings-daily" and first["status"] == 200
    assert (first["start_date"], first["end_date"], first["rows"]) == (
        "2025-02-01",
        "2025-02-03",
        153,
    )
    assert dt.datetime.fromisoformat(first["time"]).tzinfo is not None
    assert sandbox.request_count() == 3 and sandbox.request_count(status=400) == 1


def test_the_key_never_appears_in_stats_errors_or_the_log(sandbox):
    secret = "sk-or-v1-" + "f00d" * 16
    for params in ({}, {"start_date": "nope"}, {"api_key": secret}):
        response = get(sandbox, key=secret, **params)
        assert secret not in response.text
    assert secret not in str(sandbox.stats())
    assert log_lines(sandbox, "api_key=***")  # the last request is logged, so all are
    log = sandbox.log_path.read_text()
    assert secret not in log and "f00d" * 4 not in log


def log_lines(sandbox, marker):
    """The server's log lines holding ``marker`` (written just after the answer is sent)."""
    deadline = time.monotonic() + 5
    while True:
        lines = [line for line in sandbox.log_path.read_text().splitlines() if marker in line]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


def test_the_log_has_one_line_per_request_with_what_happened(sandbox):
    marker = "2025-03-17"
    get(sandbox, start_date=marker, end_date=marker)
    lines = log_lines(sandbox, marker)
    assert len(lines) == 1
    fp = sandbox.requests()[0]["key_fp"]
    line = lines[0]
    for part in (
        "GET /api/v1/datasets/rankings-daily",
        f"start_date={marker}&end_date={marker}",
        " 200 ",
        f"key={fp}",
        "rows=51",
        "ms",
    ):
        assert part in line, (part, line)


def test_unknown_paths_and_methods_get_json_errors(sandbox):
    missing = httpx.get(f"{sandbox.base_url}/datasets/rankings-weekly")
    assert missing.status_code == 404 and "no such endpoint" in error_of(missing)
    post = httpx.post(f"{sandbox.base_url}{RANKINGS_DAILY_PATH}", headers={"Authorization": KEY})
    assert post.status_code == 405 and "POST is not allowed" in error_of(post)
    assert sandbox.request_count() == 0


def test_the_log_line_of_an_app_rankings_request_shows_its_parameters(sandbox):
    marker = "2025-03-18"
    get_apps(sandbox, start_date=marker, end_date=marker, sort="trending", limit=100, x="secret")
    lines = log_lines(sandbox, marker)
    assert len(lines) == 1
    line = lines[0]
    assert "GET /api/v1/datasets/app-rankings" in line, line
    assert f"start_date={marker}&end_date={marker}&sort=trending&limit=100&x=***" in line, line
    assert "secret" not in line and " 200 " in line
