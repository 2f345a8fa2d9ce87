"""The admin API that scripts the sandbox: faults, stats, reset, run-time settings."""

import concurrent.futures
import time

import httpx
import pytest

from rankings_etl.sandbox.app import is_loopback
from rankings_etl.sandbox.testing import SandboxAdminError

from .helpers import error_of, get


def test_faults_are_listed_and_cleared(sandbox):
    sandbox.inject("status", status=503, count=2)
    listing = sandbox.inject("revise", date="2025-03-02", factor=1.01)
    assert listing == {
        "queue": [{"kind": "status", "count": 2, "status": 503}],
        "revisions": {"2025-03-02": 1.01},
    }
    get(sandbox)
    assert sandbox.faults()["queue"] == [{"kind": "status", "count": 1, "status": 503}]
    sandbox.clear_faults()
    assert sandbox.faults() == {"queue": [], "revisions": {}}


def test_a_list_of_faults_is_queued_whole_or_not_at_all(sandbox):
    url = f"{sandbox.admin_url}/faults"
    good = httpx.post(url, json=[{"kind": "drop"}, {"kind": "tailless", "count": 3}])
    assert [f["kind"] for f in good.json()["queue"]] == ["drop", "tailless"]
    bad = httpx.post(url, json=[{"kind": "rows_49"}, {"kind": "gremlins"}])
    assert bad.status_code == 400 and "unknown fault kind 'gremlins'" in error_of(bad)
    assert [f["kind"] for f in sandbox.faults()["queue"]] == ["drop", "tailless"]


def test_bad_admin_requests_get_400_naming_the_problem(sandbox):
    not_json = httpx.post(f"{sandbox.admin_url}/faults", content=b"{kind: drop")
    assert not_json.status_code == 400 and "not JSON" in error_of(not_json)
    with pytest.raises(SandboxAdminError, match="unknown fault kind"):
        sandbox.inject("gremlins")
    with pytest.raises(SandboxAdminError, match="`status` must be an integer from 400 to 599"):
        sandbox.inject("status", status="boom")
    with pytest.raises(SandboxAdminError, match="per_minute must be a positive integer"):
        sandbox.configure(per_minute=0)
    with pytest.raises(SandboxAdminError, match="'2026-02-30' is not a YYYY-MM-DD date"):
        sandbox.configure(today="2026-02-30")
    with pytest.raises(SandboxAdminError, match="unknown setting"):
        sandbox.configure(seed=3)
    for value in (0, -1, "3", True, 86_401):
        with pytest.raises(SandboxAdminError, match="minute_seconds must be a number of seconds"):
            sandbox.configure(minute_seconds=value)


def test_settings_are_read_changed_and_restored(sandbox):
    config = sandbox.configure(today="2026-06-10", as_of="2026-06-10T03:00:00+02:00")
    assert config["today"] == "2026-06-10" and config["last_completed_day"] == "2026-06-09"
    assert config["as_of"] == "2026-06-10T01:00:00.000Z"
    assert config["source"] == "synthetic" and config["keys"] == "any sk-or- key"
    assert config["minute_seconds"] == 60.0
    meta = get(sandbox).json()["meta"]
    assert (meta["end_date"], meta["as_of"]) == ("2026-06-09", "2026-06-10T01:00:00.000Z")
    restored = sandbox.configure(today=None, as_of=None)
    assert restored["today"] is None and restored["as_of"] is None


def test_reset_clears_stats_faults_revisions_and_rate_windows(sandbox):
    sandbox.configure(per_minute=1)
    get(sandbox)
    assert get(sandbox).status_code == 429
    sandbox.inject("tailless")
    sandbox.inject("revise", date="2025-03-02", factor=2)
    sandbox.reset()
    assert sandbox.stats() == {
        "total": 0,
        "by_status": {},
        "by_key": {},
        "by_endpoint": {},
        "requests": [],
    }
    assert sandbox.faults() == {"queue": [], "revisions": {}}
    assert get(sandbox).status_code == 200
    assert sandbox.config()["per_minute"] == 1  # settings are not reset


def test_a_request_in_flight_across_a_reset_is_not_counted_after_it(sandbox):
    """A delayed answer from one test must not show up in the next test's stats."""
    sandbox.inject("delay", seconds=1.0)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(get, sandbox)
        wait_for(lambda: sandbox.faults()["queue"] == [])  # the delay is being served
        sandbox.reset()
        assert slow.result().status_code == 200
    assert sandbox.request_count() == 0
    get(sandbox)
    assert [r["fault"] for r in sandbox.requests()] == [None]


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_health_answers_without_a_key(sandbox):
    health = httpx.get(f"{sandbox.admin_url}/health").json()
    assert health["ok"] is True and health["source"] == "synthetic"


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        (None, True),
        ("192.168.1.20", False),
        ("10.0.0.1", False),
        ("::ffff:192.168.1.20", False),
        ("example.org", False),
    ],
)
def test_the_admin_api_is_for_loopback_clients_only(host, allowed):
    assert is_loopback(host) is allowed
