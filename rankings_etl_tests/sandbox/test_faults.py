"""Every fault the sandbox can inject, observed over real HTTP."""

import json
import time

import httpx
import pytest

KEY = "sk-or-v1-sandbox-test-key"
WINDOW = {"start_date": "2025-03-01", "end_date": "2025-03-03"}


def get(sandbox, timeout=30, **params):
    return httpx.get(
        f"{sandbox.base_url}/datasets/rankings-daily",
        params=params or WINDOW,
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=timeout,
    )


def day(response, date="2025-03-01"):
    return [row for row in response.json()["data"] if row["date"] == date]


@pytest.mark.parametrize("status", [500, 502, 503, 401, 400])
def test_status_faults_fail_the_next_n_requests_then_heal(sandbox, status):
    sandbox.inject("status", status=status, count=2)
    codes = [get(sandbox).status_code for _ in range(3)]
    assert codes == [status, status, 200]
    assert sandbox.request_count(status) == 2


def test_a_429_fault_carries_retry_after(sandbox):
    sandbox.inject("status", status=429, retry_after=7)
    response = get(sandbox)
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert response.json()["error"]["code"] == 429


def test_faults_run_in_order(sandbox):
    sandbox.inject("status", status=503)
    sandbox.inject("tailless")
    assert get(sandbox).status_code == 503
    assert len(day(get(sandbox))) == 50
    assert len(day(get(sandbox))) == 51


def test_a_delay_fault_answers_late(sandbox):
    sandbox.inject("delay", seconds=0.6)
    started = time.monotonic()
    assert get(sandbox).status_code == 200
    assert time.monotonic() - started >= 0.6


def test_a_delay_longer_than_the_clients_timeout_times_out(sandbox):
    sandbox.inject("delay", seconds=2)
    with pytest.raises(httpx.ReadTimeout):
        get(sandbox, timeout=0.5)


def test_a_drop_fault_closes_the_connection_without_an_answer(sandbox):
    sandbox.inject("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        get(sandbox)
    assert get(sandbox).status_code == 200


def test_a_truncate_fault_cuts_the_body_mid_json(sandbox):
    sandbox.inject("truncate")
    with pytest.raises(httpx.RemoteProtocolError):
        get(sandbox)
    sandbox.inject("truncate", honest_length=True)
    response = get(sandbox)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


@pytest.mark.parametrize(
    ("kind", "rows", "other_positions"),
    [
        ("other_missing", 50, []),
        ("tailless", 50, []),
        ("other_duplicated", 52, [50, 51]),
        ("other_not_last", 51, [0]),
        ("rows_49", 49, [48]),
        ("rows_52", 52, [51]),
    ],
)
def test_row_shape_faults_change_only_the_targeted_date(sandbox, kind, rows, other_positions):
    sandbox.inject(kind, date="2025-03-02")
    response = get(sandbox)
    target = day(response, "2025-03-02")
    assert len(target) == rows
    assert [i for i, r in enumerate(target) if r["model_permaslug"] == "other"] == other_positions
    assert len(day(response, "2025-03-01")) == 51 and len(day(response, "2025-03-03")) == 51


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("tokens_number", lambda rows: all(isinstance(r["total_tokens"], int) for r in rows)),
        ("tokens_non_numeric", lambda rows: rows[0]["total_tokens"] == "12abc"),
        ("tokens_negative", lambda rows: rows[0]["total_tokens"] == "-5"),
        ("tokens_overflow", lambda rows: int(rows[0]["total_tokens"]) > 2**63 - 1),
    ],
)
def test_token_faults(sandbox, kind, check):
    sandbox.inject(kind)
    assert check(day(get(sandbox)))


def test_hostile_slugs(sandbox):
    sandbox.inject("hostile_slug")
    slugs = [r["model_permaslug"] for r in day(get(sandbox))]
    assert "x'); DROP TABLE rankings_daily;--" in slugs
    assert any(len(s) > 10_000 for s in slugs)
    assert any("ü" in s for s in slugs)


def test_missing_date_and_meta_version(sandbox):
    sandbox.inject("missing_date", date="2025-03-02")
    assert {r["date"] for r in get(sandbox).json()["data"]} == {"2025-03-01", "2025-03-03"}
    sandbox.inject("meta_version", version="v2")
    assert get(sandbox).json()["meta"]["version"] == "v2"


def test_revise_scales_one_day_until_cleared(sandbox):
    before = day(get(sandbox), "2025-03-02")
    sandbox.inject("revise", date="2025-03-02", factor=1.001)
    revised = get(sandbox)
    for old, new in zip(before, day(revised, "2025-03-02"), strict=True):
        assert int(new["total_tokens"]) == round(int(old["total_tokens"]) * 1.001)
    assert day(revised, "2025-03-01") == day(get(sandbox), "2025-03-01")
    assert day(get(sandbox), "2025-03-02") != before  # persists
    sandbox.clear_faults()
    assert day(get(sandbox), "2025-03-02") == before


def test_unknown_faults_are_refused_with_a_message(sandbox):
    with pytest.raises(ValueError, match="unknown fault kind"):
        sandbox.inject("gremlins")
    with pytest.raises(ValueError, match="status"):
        sandbox.inject("status", status="boom")
