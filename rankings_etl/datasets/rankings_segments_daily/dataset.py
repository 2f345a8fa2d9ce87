"""The rankings_segments_daily dataset: OpenRouter's ``GET /datasets/rankings-daily`` filtered by
one exact segment per request (``modality`` or ``context_bucket``), one partition per UTC day.

A run asks each of the 10 segments for its days, one request per segment per window of at most
366 days (all history: 20 requests; a daily run: 10), each body read by the shared
rankings-daily parser; the one client does the sending.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rankings_etl.core.check_outcomes import CheckOutcome
from rankings_etl.core.windows import Window, split_into_windows
from rankings_etl.data_api.rankings_body import RankingsResponse, parse_filtered_body
from rankings_etl.data_api.request import ApiRequest
from rankings_etl.datasets.ranked_groups import evaluate_filtered, filtered_requests
from rankings_etl.datasets.rankings_segments_daily.checks import (
    LIST_CHECKS,
    SEGMENT_DAYS_PRESENT,
    SEGMENTS_CHECKS,
)
from rankings_etl.datasets.rankings_segments_daily.load import write_segments
from rankings_etl.datasets.rankings_segments_daily.tables import SEGMENT_TYPES, SEGMENTS, TABLES
from rankings_etl.datasets.spec import DatasetSpec

NAME = "rankings_segments_daily"


def requests(window: Window) -> list[ApiRequest]:
    """What a run over ``window`` sends: per segment, one request per part of at most 366 days."""
    return filtered_requests(NAME, SEGMENTS, split_into_windows(window.start, window.end))


def parse(
    text: str | bytes, request: ApiRequest, fetched_at: dt.datetime, secret: str | None
) -> RankingsResponse:
    """A 200 body (one bucket per day), validated against the contract, with its request."""
    return parse_filtered_body(text, request, fetched_at, secret, bucket="day")


def evaluate(responses: Sequence[RankingsResponse], window: Window) -> list[CheckOutcome]:
    """The ranked-list checks on every (day, segment) of a run, with a verdict on every day
    asked for (the bound against rankings_daily is checked by the write, in SQL)."""
    return evaluate_filtered(
        responses, SEGMENT_TYPES, Window.dates, LIST_CHECKS, SEGMENT_DAYS_PRESENT
    )


DATASET = DatasetSpec(
    name=NAME,
    endpoint_name="rankings-daily",
    grain="day",
    group="openrouter_segments",
    tables=TABLES,
    requests=requests,
    parse=parse,
    contract_checks=SEGMENTS_CHECKS,
    evaluate=evaluate,
    store=write_segments,
)
