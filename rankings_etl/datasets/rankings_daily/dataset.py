"""The rankings_daily dataset: OpenRouter's ``GET /datasets/rankings-daily``, one partition per
UTC day, and the tables it feeds.

What a run sends is declared here (:func:`requests`: one request per window of at most 366
days, labelled ``start..end`` as the rate-budget ledger shows it) and how a body is read
(:func:`parse`); the one client (``OpenRouterClient``)
does the sending.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, Protocol

from rankings_etl.core.api_facts import RANKINGS_DAILY_PATH
from rankings_etl.core.windows import Window, split_into_windows
from rankings_etl.data_api.rankings_body import RankingsResponse, parse_rankings_body
from rankings_etl.data_api.request import ApiRequest
from rankings_etl.datasets.rankings_daily.checks import RANKINGS_CHECKS
from rankings_etl.datasets.rankings_daily.tables import TABLES
from rankings_etl.datasets.spec import DatasetSpec


class Client(Protocol):
    """What fetching needs of a client: the one client,
    ``rankings_etl.resources.openrouter_client.OpenRouterClient``, lives in layer 3 (Dagster), which
    this layer does not import (``docs/ARCHITECTURE.md``)."""

    def fetch(
        self,
        requests: Sequence[ApiRequest],
        parse: Callable[..., RankingsResponse],
        also_needed: int = 0,
    ) -> Generator[Any, None, None]: ...


NAME = "rankings_daily"


def request_for(window: Window) -> ApiRequest:
    """The one request asking for ``window`` (at most 366 days)."""
    return ApiRequest(
        dataset=NAME,
        path=RANKINGS_DAILY_PATH,
        params={"start_date": window.start.isoformat(), "end_date": window.end.isoformat()},
        window=window,
        label=str(window),
    )


def requests(window: Window) -> list[ApiRequest]:
    """What a run over ``window`` sends: one request per part of at most 366 days."""
    return [request_for(part) for part in split_into_windows(window.start, window.end)]


def parse(
    text: str | bytes, request: ApiRequest, fetched_at: dt.datetime, secret: str | None
) -> RankingsResponse:
    """A 200 body, validated against the contract, remembering the request it answered."""
    response = parse_rankings_body(text, request.window, fetched_at, secret=secret)
    return dataclasses.replace(response, request=request)


def fetch_windows(
    client: Client, windows: Sequence[Window], also_needed: int = 0
) -> Iterator[RankingsResponse]:
    """Fetch each window in turn, yielding validated responses with the attempts they took
    (``also_needed``: what the run will send after them, reserved with them)."""
    fetched = client.fetch([request_for(window) for window in windows], parse, also_needed)
    try:
        for each in fetched:
            yield dataclasses.replace(each.parsed, attempts=each.attempts)
    finally:
        fetched.close()  # give the reservation back now, not when garbage-collected


def fetch_window(client: Client, window: Window) -> RankingsResponse:
    """One window (at most 366 days) in one request, retries aside."""
    responses = fetch_windows(client, [window])
    try:
        return next(responses)
    finally:
        responses.close()


DATASET = DatasetSpec(
    name=NAME,
    endpoint_name="rankings-daily",
    grain="day",
    tables=TABLES,
    requests=requests,
    parse=parse,
    contract_checks=RANKINGS_CHECKS,
)
