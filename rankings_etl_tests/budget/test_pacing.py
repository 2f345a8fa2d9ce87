"""The minute budget paces the one client so the server never sees more than ``per_minute``
requests in any rolling minute: ~70 requests through ``client.fetch`` against a 3-second
"minute" on both sides (the ``RateBudget.minute_seconds`` test knob and the sandbox's
``minute_seconds`` setting, its limiter at the real 30 a minute), so it shows in seconds.

Checked on both sides of the wire: the sandbox answered no 429, no rolling window of its own
request log holds more than 30, and neither does the ledger's (its window is the minute plus
the 1 s margin).
"""

import datetime as dt
import logging

import pytest

from rankings_etl.core.timestamps import parse_as_of
from rankings_etl.core.windows import Window
from rankings_etl.datasets.rankings_daily.dataset import parse, request_for
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.resources.rate_budget import RateBudget

from .conftest import API_KEY, held_slots, sent_slots

MINUTE, PER_MINUTE, COUNT = 3.0, 30, 70
REQUESTS = [
    request_for(Window(day, day))
    for day in (dt.date(2025, 3, 1) + dt.timedelta(days=i) for i in range(COUNT))
]


def most_in_a_rolling_window(times, seconds):
    """The most of ``times`` that any window ``(t - seconds, t]`` holds."""
    times = sorted(times)
    most, first = 0, 0
    for last, moment in enumerate(times):
        while times[first] <= moment - seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_most_in_a_rolling_window_counts_a_half_open_window():
    assert most_in_a_rolling_window([0.0, 1.0, 2.9, 3.0, 3.5], 3.0) == 4  # (0.5, 3.5]
    assert most_in_a_rolling_window([0.0, 2.99], 3.0) == 2
    assert most_in_a_rolling_window([0.0, 3.0], 3.0) == 1
    assert most_in_a_rolling_window([], 3.0) == 0


@pytest.fixture
def short_minute(sandbox):
    """The session's sandbox limiting to the real 30 requests, per 3-second "minute"."""
    sandbox.configure(per_minute=PER_MINUTE, minute_seconds=MINUTE)
    yield sandbox
    sandbox.configure(minute_seconds=None)  # the next test's fixture restores the limits


def test_the_server_never_sees_more_than_the_minute_budget_in_a_rolling_minute(
    short_minute, budget_db, caplog
):
    sandbox = short_minute
    assert sandbox.config()["minute_seconds"] == MINUTE
    budget = RateBudget(
        database=str(budget_db),
        per_minute=PER_MINUTE,
        per_day=500,
        minute_seconds=MINUTE,
        max_wait_seconds=30,
    )
    client = OpenRouterClient(api_key=API_KEY, base_url=sandbox.base_url, budget=budget)
    with caplog.at_level(logging.INFO):
        fetched = list(client.fetch(REQUESTS, parse))
    assert [f.attempts for f in fetched] == [1] * COUNT
    assert sandbox.request_count(status=429) == 0
    assert sandbox.request_count() == sandbox.request_count(status=200) == COUNT

    arrivals = [parse_as_of(record["time"]).timestamp() for record in sandbox.requests()]
    assert most_in_a_rolling_window(arrivals, MINUTE) <= PER_MINUTE
    slots = [at for at, _, _ in sent_slots(budget_db)]
    assert len(slots) == COUNT and held_slots(budget_db) == 0
    assert most_in_a_rolling_window(slots, MINUTE + budget.margin_seconds) <= PER_MINUTE
    # It got there by waiting (70 requests cannot fit in two windows of 30), and said so with
    # the window it really counts.
    waits = [r.getMessage() for r in caplog.records if "rate budget: waiting" in r.getMessage()]
    assert waits, "the minute budget never made the client wait"
    assert all(f"of {PER_MINUTE} requests in the rolling 3 s" in line for line in waits)
