"""The sandbox honours the rankings-daily contract, rule by rule, over real HTTP."""

import datetime as dt

import httpx
import pytest

from rankings_etl.contract import last_completed_day

KEY = "sk-or-v1-sandbox-test-key"
YESTERDAY = last_completed_day()


def get(sandbox, key=KEY, **params):
    headers = {"Authorization": f"Bearer {key}".strip()} if key is not None else {}
    return httpx.get(
        f"{sandbox.base_url}/datasets/rankings-daily", params=params, headers=headers, timeout=30
    )


def error_of(response):
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == response.status_code
    return body["error"]["message"]


@pytest.mark.parametrize(
    ("key", "message"),
    [(None, "missing or malformed"), ("", "missing or malformed"), ("abc", "invalid API key")],
)
def test_missing_or_malformed_keys_get_401_with_a_json_error(sandbox, key, message):
    response = get(sandbox, key=key)
    assert response.status_code == 401
    assert message in error_of(response)


def test_a_basic_scheme_is_refused(sandbox):
    response = httpx.get(
        f"{sandbox.base_url}/datasets/rankings-daily", headers={"Authorization": f"Basic {KEY}"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "2026-02-30", "end_date": "2026-03-01"}, "not a valid calendar date"),
        ({"start_date": "2026-02-01", "end_date": "2026-02-29"}, "not a valid calendar date"),
        ({"start_date": "2026-1-5", "end_date": "2026-01-06"}, "formatted YYYY-MM-DD"),
        ({"start_date": "2025-03-02", "end_date": "2025-03-01"}, "is after end_date"),
        ({"start_date": "2025-01-01", "end_date": "2026-01-02"}, "spans 367 days"),
        ({"start_date": "2024-01-01", "end_date": "2024-12-31"}, "before the dataset begins"),
        ({"end_date": (YESTERDAY + dt.timedelta(days=1)).isoformat()}, "most recent completed"),
    ],
)
def test_invalid_windows_get_400_naming_the_problem(sandbox, params, message):
    response = get(sandbox, **params)
    assert response.status_code == 400
    assert message in error_of(response)


def test_a_span_of_exactly_366_days_is_served(sandbox):
    response = get(sandbox, start_date="2025-01-01", end_date="2026-01-01")
    assert response.status_code == 200
    assert len({row["date"] for row in response.json()["data"]}) == 366


def test_an_early_start_is_clamped_and_echoed(sandbox):
    response = get(sandbox, start_date="2024-06-01", end_date="2025-01-03")
    meta = response.json()["meta"]
    assert response.status_code == 200
    assert (meta["start_date"], meta["end_date"]) == ("2025-01-01", "2025-01-03")
    assert {row["date"] for row in response.json()["data"]} == {
        "2025-01-01",
        "2025-01-02",
        "2025-01-03",
    }


def test_defaults_are_the_last_completed_day_and_30_days_before(sandbox):
    response = get(sandbox, unknown_param="ignored")
    meta = response.json()["meta"]
    assert meta["end_date"] == YESTERDAY.isoformat()
    assert meta["start_date"] == (YESTERDAY - dt.timedelta(days=30)).isoformat()
    assert meta["version"] == "v1"
    assert len(response.json()["data"]) == 31 * 51


def test_today_can_be_pinned(sandbox):
    sandbox.configure(today="2026-06-10")
    meta = get(sandbox).json()["meta"]
    assert meta["end_date"] == "2026-06-09"


def test_rows_follow_the_contracts_order_with_other_last_and_decimal_strings(sandbox):
    data = get(sandbox, start_date="2025-01-01", end_date="2026-01-01").json()["data"]
    dates = [row["date"] for row in data]
    assert dates == sorted(dates)
    ties = 0
    for day in sorted(set(dates)):
        rows = [row for row in data if row["date"] == day]
        assert len(rows) == 51 and rows[-1]["model_permaslug"] == "other"
        assert all(isinstance(row["total_tokens"], str) for row in rows)
        ranked = [(int(r["total_tokens"]), r["model_permaslug"]) for r in rows[:-1]]
        assert ranked == sorted(ranked, key=lambda pair: (-pair[0], pair[1]))
        ties += len(ranked) - len({tokens for tokens, _ in ranked})
        total = sum(int(r["total_tokens"]) for r in rows)
        assert 0.05 <= int(rows[-1]["total_tokens"]) / total <= 0.08
    assert ties > 0, "the history should contain exact ties"


def test_as_of_is_the_response_time_unless_fixed(sandbox):
    as_of = get(sandbox).json()["meta"]["as_of"]
    stamp = dt.datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) < 60
    sandbox.configure(as_of="2026-05-12T02:00:00.000Z")
    assert get(sandbox).json()["meta"]["as_of"] == "2026-05-12T02:00:00.000Z"


def test_stats_count_requests_by_status_and_key_without_the_key(sandbox):
    get(sandbox, start_date="2025-02-01", end_date="2025-02-03")
    get(sandbox, key=None)
    stats = sandbox.stats()
    assert stats["total"] == 2 and stats["by_status"] == {"200": 1, "401": 1}
    assert list(stats["by_key"].values()) == [1]
    first = stats["requests"][0]
    assert (first["start_date"], first["end_date"], first["rows"]) == (
        "2025-02-01",
        "2025-02-03",
        153,
    )
    assert KEY not in str(stats)


def test_the_same_request_gives_the_same_rows_in_two_server_processes(sandbox, sandbox_factory):
    other = sandbox_factory()
    params = {"start_date": "2025-05-01", "end_date": "2025-05-31"}
    assert get(sandbox, **params).json()["data"] == get(other, **params).json()["data"]


def test_the_per_minute_limit_answers_429_with_retry_after(sandbox_factory):
    limited = sandbox_factory(per_minute=3)
    statuses = [get(limited).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = get(limited)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "per minute per key" in error_of(refused)
    # another key has its own minute bucket
    assert get(limited, key="sk-or-v1-another-key-0000").status_code == 200


def test_the_per_day_limit_is_per_account(sandbox_factory):
    limited = sandbox_factory(per_day=2)
    assert get(limited, key="sk-or-v1-key-one-00000").status_code == 200
    assert get(limited, key="sk-or-v1-key-two-00000").status_code == 200
    refused = get(limited, key="sk-or-v1-key-three-000")
    assert refused.status_code == 429 and "per day per account" in error_of(refused)
    assert int(refused.headers["Retry-After"]) > 60


def test_a_keys_file_restricts_the_accepted_keys(sandbox_factory, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("sk-or-v1-only-this-one\n")
    strict = sandbox_factory(keys=str(keys))
    assert get(strict, key="sk-or-v1-only-this-one").status_code == 200
    assert get(strict, key="sk-or-v1-some-other-key").status_code == 401
