"""The client's HTTP edges that need no server: Retry-After, redaction, counted failures."""

import datetime as dt
import socket

import httpx
import pytest

from rankings_etl.core.errors import OpenRouterAuthError, OpenRouterTransportError, RankingsError
from rankings_etl.core.keys import key_fingerprint
from rankings_etl.core.windows import Window
from rankings_etl.data_api.responses import Answer, retry_after_seconds
from rankings_etl.datasets.rankings_daily.dataset import fetch_window, request_for
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.resources.rate_budget import RateBudget

from .conftest import API_KEY, held_slots, sent_slots

WINDOW = Window(dt.date(2025, 6, 15), dt.date(2025, 6, 15))
REQUEST = request_for(WINDOW)
NOW = dt.datetime(2026, 5, 12, 10, 0, 0, tzinfo=dt.UTC)


def response(status=429, headers=None, **kwargs):
    return httpx.Response(status, headers=headers or {}, **kwargs)


def answer(status=429, headers=None, **kwargs):
    sent = response(status, headers, **kwargs)
    return Answer(sent.status_code, sent.headers, sent.read())


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("2", 2.0),
        ("0.5", 0.5),
        ("Tue, 12 May 2026 10:00:30 GMT", 30.0),  # the HTTP-date form (RFC 9110)
        ("Tue, 12 May 2026 09:59:00 GMT", 0.0),
        # Absurd values are returned as they are: the budget caps what it records.
        ("999999", 999_999.0),
        ("1e12", 1e12),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 251_623_720_799.0),
        ("9" * 5000, None),  # a float that overflows to inf
        # Unusable: the default back-off applies.
        ("-3", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        ("Sat, 31 Dec 10000 23:59:59 GMT", None),
        ("\x00\x1b[2J", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_as_an_http_date(header, seconds):
    assert retry_after_seconds(response(headers={"Retry-After": header}), NOW) == seconds


def test_no_retry_after_header_means_unknown():
    assert retry_after_seconds(response(), NOW) is None


def test_an_echoed_key_is_blanked_out_of_error_messages():
    client = OpenRouterClient(api_key=API_KEY)
    echoed = answer(401, json={"error": {"code": 401, "message": f"bad key {API_KEY}"}})
    error = client._error_for(echoed, REQUEST, None)
    assert isinstance(error, OpenRouterAuthError)
    assert API_KEY not in str(error)
    assert "[redacted key]" in str(error)
    assert f"key {key_fingerprint(API_KEY)}" in str(error)
    assert "the OpenRouter API key was refused" in str(error)


def test_a_429_message_says_what_the_server_asked():
    client = OpenRouterClient(api_key=API_KEY)
    error = client._error_for(answer(429, headers={"Retry-After": "7"}), REQUEST, 7.0)
    assert error.retry_after == 7.0 and "Retry-After 7 s" in str(error)
    error = client._error_for(answer(429, headers={"Retry-After": "600"}), REQUEST, 600.0)
    assert "asks to wait 10 min 0 s (Retry-After 600 s)" in str(error)
    assert "longer than the 2 min 0 s this client waits" in str(error)
    assert f"--clear-penalty {key_fingerprint(API_KEY)}" in str(error)


def test_control_bytes_and_the_key_in_an_error_body_are_escaped_and_blanked():
    client = OpenRouterClient(api_key=API_KEY)
    hostile = f"\x00\x1b[2J\x1b]0;owned\x07 \u202e {API_KEY}\r\nINFO forged line"
    error = client._error_for(answer(500, json={"error": {"message": hostile}}), REQUEST, None)
    text = str(error)
    assert text.isprintable() and API_KEY not in text
    assert "\\x00\\x1b[2J\\x1b]0;owned\\x07 \\u202e [redacted key]\\x0d\\x0aINFO forged" in text


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
        fetch_window(client, WINDOW)
    assert [(status, label) for _, status, label in sent_slots(budget_db)] == [
        (None, "2025-06-15..2025-06-15")
    ] * 3
    assert held_slots(budget_db) == 0
    assert client.requests_spent == 3


def test_a_misconfigured_base_url_fails_before_taking_any_slot(budget_db):
    budget = RateBudget(database=str(budget_db))
    client = OpenRouterClient(api_key=API_KEY, base_url="ftp://example.invalid", budget=budget)
    with pytest.raises(RankingsError, match="must be http"):
        fetch_window(client, WINDOW)
    assert not budget_db.exists()


def test_an_unusable_ledger_is_our_error_naming_it_and_nothing_is_sent(tmp_path, closed_port):
    budget = RateBudget(database=str(tmp_path))  # a folder: SQLite cannot open it
    client = OpenRouterClient(
        api_key=API_KEY, base_url=f"http://127.0.0.1:{closed_port}/api/v1", budget=budget
    )
    with pytest.raises(RankingsError) as raised:
        fetch_window(client, WINDOW)
    assert "the rate-budget ledger cannot be used" in str(raised.value)
    assert "nothing was sent" in str(raised.value) and raised.value.__cause__ is None
    assert client.requests_spent == 0


def test_a_base_url_that_is_no_url_is_our_error():
    client = OpenRouterClient(api_key=API_KEY, base_url="http://[::1")
    with pytest.raises(RankingsError, match="check OPENROUTER_BASE_URL"):
        fetch_window(client, WINDOW)
