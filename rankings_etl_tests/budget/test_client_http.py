"""The client's HTTP edges that need no server: Retry-After, redaction, counted failures."""

import datetime as dt
import socket

import httpx
import pytest

from rankings_etl.budget.keys import key_fingerprint
from rankings_etl.errors import OpenRouterAuthError, OpenRouterTransportError, RankingsError
from rankings_etl.resources.openrouter_client import OpenRouterClient, _retry_after_seconds
from rankings_etl.resources.rate_budget import RateBudget
from rankings_etl.windows import Window

from .conftest import API_KEY, held_slots, sent_slots

WINDOW = Window(dt.date(2025, 6, 15), dt.date(2025, 6, 15))
NOW = dt.datetime(2026, 5, 12, 10, 0, 0, tzinfo=dt.UTC)


def response(status=429, headers=None, **kwargs):
    return httpx.Response(status, headers=headers or {}, **kwargs)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("2", 2.0),
        ("0.5", 0.5),
        ("-3", 0.0),
        ("Tue, 12 May 2026 10:00:30 GMT", 30.0),  # the HTTP-date form (RFC 9110)
        ("Tue, 12 May 2026 09:59:00 GMT", 0.0),
        ("soon", None),
        ("nan", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_as_an_http_date(header, seconds):
    assert _retry_after_seconds(response(headers={"Retry-After": header}), NOW) == seconds


def test_no_retry_after_header_means_unknown():
    assert _retry_after_seconds(response(), NOW) is None


def test_an_echoed_key_is_blanked_out_of_error_messages():
    client = OpenRouterClient(api_key=API_KEY)
    echoed = response(401, json={"error": {"code": 401, "message": f"bad key {API_KEY}"}})
    error = client._error_for(echoed, WINDOW)
    assert isinstance(error, OpenRouterAuthError)
    assert API_KEY not in str(error)
    assert "[redacted key]" in str(error)
    assert f"key {key_fingerprint(API_KEY)}" in str(error)
    assert "the OpenRouter API key was refused" in str(error)


def test_a_429_message_says_what_the_server_asked():
    client = OpenRouterClient(api_key=API_KEY)
    error = client._error_for(response(429, headers={"Retry-After": "7"}), WINDOW)
    assert error.retry_after == 7.0 and "Retry-After 7 s" in str(error)
    error = client._error_for(response(429, headers={"Retry-After": "600"}), WINDOW)
    assert "longer than the 120s this client waits" in str(error)


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_every_failed_connection_attempt_is_counted_against_the_budget(closed_port, budget_db):
    budget = RateBudget(database=str(budget_db), per_minute=30, per_day=10)
    client = OpenRouterClient(
        api_key=API_KEY,
        base_url=f"http://127.0.0.1:{closed_port}/api/v1",
        max_attempts=3,
        backoff_initial_seconds=0.01,
        backoff_max_seconds=0.02,
        budget=budget,
    )
    with pytest.raises(OpenRouterTransportError, match="connection failed"):
        client.fetch_window(WINDOW)
    assert [(status, label) for _, status, label in sent_slots(budget_db)] == [
        (None, "2025-06-15..2025-06-15")
    ] * 3
    assert held_slots(budget_db) == 0
    assert client.requests_spent == 3


def test_a_misconfigured_base_url_fails_before_taking_any_slot(budget_db):
    budget = RateBudget(database=str(budget_db))
    client = OpenRouterClient(api_key=API_KEY, base_url="ftp://example.invalid", budget=budget)
    with pytest.raises(RankingsError, match="must be http"):
        client.fetch_window(WINDOW)
    assert not budget_db.exists()
