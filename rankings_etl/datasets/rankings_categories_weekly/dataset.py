"""The rankings_categories_weekly dataset: OpenRouter's ``GET /datasets/rankings-daily`` with
``period=week`` filtered by one ``category`` or ``language_type`` per request, one partition per
complete ISO week.

These are sampled, upsampled ESTIMATES, aggregated by ISO week (``period=day`` is refused for
them). The API's week semantics: a bucket's ``date`` is its week's Monday, which can precede
``start_date``, and the trailing bucket can include traffic past ``end_date``. So a run asks
for whole weeks only (Monday to Sunday, 52 weeks per request: 364 days), and the parser refuses
a bucket that is not one of the requested Mondays: only complete weeks are loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rankings_etl.core.check_outcomes import CheckOutcome
from rankings_etl.core.windows import Window, split_into_windows
from rankings_etl.data_api.rankings_body import RankingsResponse, parse_filtered_body
from rankings_etl.data_api.request import ApiRequest
from rankings_etl.datasets.ranked_groups import evaluate_filtered, filtered_requests
from rankings_etl.datasets.rankings_categories_weekly.checks import (
    CATEGORIES_CHECKS,
    LIST_CHECKS,
    VALUE_WEEKS_PRESENT,
)
from rankings_etl.datasets.rankings_categories_weekly.load import store_categories
from rankings_etl.datasets.rankings_categories_weekly.tables import (
    DIMENSION_NAMES,
    DIMENSIONS,
    TABLES,
)
from rankings_etl.datasets.spec import DatasetSpec

NAME = "rankings_categories_weekly"
#: Days per unit of a request: whole ISO weeks.
WEEK_DAYS = 7


def week_starts(window: Window) -> list[dt.date]:
    """The Mondays of a window of whole weeks: its partitions."""
    return window.dates()[::WEEK_DAYS]


def requests(window: Window) -> list[ApiRequest]:
    """What a run over ``window`` (whole ISO weeks) sends: per value, one request per 52
    weeks."""
    parts = split_into_windows(window.start, window.end, unit_days=WEEK_DAYS)
    return filtered_requests(NAME, DIMENSIONS, parts, fixed={"period": "week"})


def parse(
    text: str | bytes, request: ApiRequest, fetched_at: dt.datetime, secret: str | None
) -> RankingsResponse:
    """A 200 body of weekly buckets, each a requested complete week's Monday, with its
    request."""
    return parse_filtered_body(text, request, fetched_at, secret, bucket="week")


def evaluate(responses: Sequence[RankingsResponse], window: Window) -> list[CheckOutcome]:
    """The ranked-list checks on every (week, value) of a run, with a verdict on every week
    asked for."""
    return evaluate_filtered(
        responses, DIMENSION_NAMES, week_starts, LIST_CHECKS, VALUE_WEEKS_PRESENT
    )


DATASET = DatasetSpec(
    name=NAME,
    endpoint_name="rankings-daily",
    grain="week",
    group="openrouter_categories",
    tables=TABLES,
    requests=requests,
    parse=parse,
    contract_checks=CATEGORIES_CHECKS,
    evaluate=evaluate,
    store=store_categories,
)
