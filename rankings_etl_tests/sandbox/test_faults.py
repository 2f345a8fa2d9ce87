"""Every fault the sandbox can inject, observed over real HTTP."""

import json
import time

import httpx
import pytest

from rankings_etl.core.api_facts import RANKINGS_DAILY_PATH

from .helpers import KEY, assert_day_in_contract_order, by_date, error_of, get

WINDOW = {"start_date": "2025-03-01", "end_date": "2025-03-03"}


def fetch(sandbox, **params):
    return get(sandbox, **(params or WINDOW))


def day(response, date="2025-03-01"):
    return by_date(response.json()["data"]).get(date, [])


# --- transport faults -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 401, 400])
def test_status_faults_fail_the_next_n_requests_then_heal(sandbox, status):
    sandbox.inject("status", status=status, count=2)
    responses = [fetch(sandbox) for _ in range(3)]
    assert [r.status_code for r in responses] == [status, status, 200]
    assert f"HTTP {status}" in error_of(responses[0])
    assert sandbox.request_count(status) == 2


def test_a_429_fault_carries_retry_after(sandbox):
    sandbox.inject("status", status=429, retry_after=7, message="slow down")
    response = fetch(sandbox)
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert error_of(response) == "slow down"


def test_faults_run_in_order_and_until_cleared(sandbox):
    sandbox.inject("status", status=503)
    sandbox.inject("tailless")
    sandbox.inject("status", status=500, count=-1)
    assert fetch(sandbox).status_code == 503
    assert len(day(fetch(sandbox))) == 50
    assert [fetch(sandbox).status_code for _ in range(3)] == [500, 500, 500]
    sandbox.clear_faults()
    assert len(day(fetch(sandbox))) == 51


def test_requests_refused_before_the_queue_do_not_consume_a_fault(sandbox):
    sandbox.inject("status", status=503)
    assert get(sandbox, key=None).status_code == 401
    assert fetch(sandbox).status_code == 503


def test_a_delay_fault_answers_late_and_correctly(sandbox):
    sandbox.inject("delay", seconds=0.5)
    started = time.monotonic()
    response = fetch(sandbox)
    assert time.monotonic() - started >= 0.5
    assert response.status_code == 200 and len(day(response)) == 51


def test_a_delay_longer_than_the_clients_timeout_times_out(sandbox):
    sandbox.inject("delay", seconds=1.5)
    with pytest.raises(httpx.ReadTimeout):
        get(sandbox, timeout=0.3, **WINDOW)
    assert fetch(sandbox).status_code == 200  # other requests are not held up


def test_a_drop_fault_closes_the_connection_without_an_answer(sandbox):
    sandbox.inject("drop")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        fetch(sandbox)
    assert fetch(sandbox).status_code == 200
    assert [r["status"] for r in sandbox.requests()] == [0, 200]


def test_a_truncate_fault_cuts_the_body_mid_json(sandbox):
    sandbox.inject("truncate")
    url = f"{sandbox.base_url}{RANKINGS_DAILY_PATH}"
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.stream("GET", url, params=WINDOW, headers=headers) as response:
        assert response.status_code == 200
        assert int(response.headers["content-length"]) > 10_000
        with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
            response.read()
    sandbox.inject("truncate", honest_length=True)
    response = fetch(sandbox)
    assert response.status_code == 200 and response.content.startswith(b'{"data":[')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


# --- data faults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rows", "other_positions"),
    [
        ("other_missing", 50, []),
        ("tailless", 50, []),
        ("other_duplicated", 52, [50, 51]),
        ("other_not_last", 51, [0]),
        ("rows_49", 50, [49]),
        ("rows_52", 52, [51]),
    ],
)
def test_row_shape_faults_change_only_the_targeted_date(sandbox, kind, rows, other_positions):
    sandbox.inject(kind, date="2025-03-02")
    response = fetch(sandbox)
    target = day(response, "2025-03-02")
    assert len(target) == rows
    assert [i for i, r in enumerate(target) if r["model_permaslug"] == "other"] == other_positions
    assert len(day(response, "2025-03-01")) == 51 and len(day(response, "2025-03-03")) == 51


def test_a_data_fault_defaults_to_the_first_date_of_the_window(sandbox):
    sandbox.inject("rows_52")
    response = fetch(sandbox)
    assert [len(day(response, d)) for d in ("2025-03-01", "2025-03-02", "2025-03-03")] == [
        52,
        51,
        51,
    ]
    assert_day_in_contract_order(day(response))


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
    response = fetch(sandbox)
    assert check(day(response))
    assert all(isinstance(r["total_tokens"], str) for r in day(response, "2025-03-02"))


def test_hostile_slugs(sandbox):
    sandbox.inject("hostile_slug")
    slugs = [r["model_permaslug"] for r in day(fetch(sandbox))]
    assert "x'); DROP TABLE rankings_daily;--" in slugs
    assert any("'" in s and '"' in s for s in slugs)
    assert any(len(s) > 10_000 for s in slugs)
    assert any("ü" in s and "😀" in s for s in slugs)


def test_missing_date_and_meta_version(sandbox):
    sandbox.inject("missing_date", date="2025-03-02")
    assert sorted(by_date(fetch(sandbox).json()["data"])) == ["2025-03-01", "2025-03-03"]
    sandbox.inject("meta_version", version="v2")
    assert fetch(sandbox).json()["meta"]["version"] == "v2"
    assert fetch(sandbox).json()["meta"]["version"] == "v1"


def test_revise_scales_one_day_until_cleared_keeping_integers_and_order(sandbox):
    before = day(fetch(sandbox), "2025-03-02")
    sandbox.inject("revise", date="2025-03-02", factor=1.001)
    for _ in range(2):  # persists
        revised = fetch(sandbox)
        after = {r["model_permaslug"]: r["total_tokens"] for r in day(revised, "2025-03-02")}
        assert after == {
            r["model_permaslug"]: str(round(int(r["total_tokens"]) * 1.001)) for r in before
        }
        assert_day_in_contract_order(day(revised, "2025-03-02"))
    assert day(revised, "2025-03-01") == day(fetch(sandbox), "2025-03-01")
    assert sandbox.faults()["revisions"] == {"2025-03-02": 1.001}
    sandbox.clear_faults()
    assert day(fetch(sandbox), "2025-03-02") == before


def test_stats_name_the_fault_each_request_got(sandbox):
    sandbox.inject("status", status=502)
    sandbox.inject("tailless")
    for _ in range(3):
        fetch(sandbox)
    assert [r["fault"] for r in sandbox.requests()] == ["status", "tailless", None]
