"""The app_rankings_weekly dataset: OpenRouter's ``GET /datasets/app-rankings``, one partition
per ISO week, ranked two ways.

A week costs two requests, ``sort=popular`` and ``sort=trending``, each the top 100
(``limit=100``, ``offset=0``) over the whole week (``start_date`` the Monday, ``end_date`` the
Sunday): the endpoint answers a window with one ranking, not one per day, so a week cannot share
a request with another. All of history is about 200 requests, which the rate budget paces at 30
a minute (each request takes its slot through ``RateBudget.acquire``). What a run sends is
declared here (:func:`requests`, labelled ``<sort> <Monday>..<Sunday>`` as the ledger shows
them) and how a body is read (:func:`parse`); the one client does the sending.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from rankings_etl.core.api_facts import APP_LIMIT_MAX, APP_RANKINGS_PATH, APP_SORTS, APPS_PAGE
from rankings_etl.core.check_outcomes import CheckOutcome
from rankings_etl.core.windows import Window
from rankings_etl.data_api.apps_body import AppRankingsResponse, parse_app_rankings_body
from rankings_etl.data_api.request import ApiRequest
from rankings_etl.datasets.app_rankings_weekly.checks import (
    APP_CHECKS,
    Ranking,
    evaluate_app_rankings,
)
from rankings_etl.datasets.app_rankings_weekly.load import store_app_rankings
from rankings_etl.datasets.app_rankings_weekly.tables import TABLES
from rankings_etl.datasets.spec import DatasetSpec

NAME = "app_rankings_weekly"
#: Rows asked per (week, sort): the most one request may return.
LIMIT = APP_LIMIT_MAX


def weeks(window: Window) -> list[Window]:
    """The ISO weeks (Monday..Sunday) making up ``window``, which must be whole weeks."""
    if window.start.weekday() != 0 or window.end.weekday() != 6:
        raise ValueError(f"{window} is not whole ISO weeks (Monday to Sunday)")
    mondays = (window.start + dt.timedelta(days=offset) for offset in range(0, window.days, 7))
    return [Window(monday, monday + dt.timedelta(days=6)) for monday in mondays]


def request_for(week: Window, sort: str) -> ApiRequest:
    """The one request for ``week``'s ``sort`` ranking: the top ``LIMIT`` from rank 1."""
    return ApiRequest(
        dataset=NAME,
        path=APP_RANKINGS_PATH,
        params={
            "start_date": week.start.isoformat(),
            "end_date": week.end.isoformat(),
            "sort": sort,
            "limit": str(LIMIT),
            "offset": "0",
        },
        window=week,
        label=f"{sort} {week}",
    )


def requests(window: Window) -> list[ApiRequest]:
    """What a run over ``window`` sends: one request per week per sort, week by week."""
    return [request_for(week, sort) for week in weeks(window) for sort in APP_SORTS]


def parse(
    text: str | bytes, request: ApiRequest, fetched_at: dt.datetime, secret: str | None
) -> AppRankingsResponse:
    """A 200 body, validated, remembering the request (and so the sort) it answered."""
    response = parse_app_rankings_body(
        text, request.window, fetched_at, sort=request.params["sort"], secret=secret
    )
    return dataclasses.replace(response, request=request)


def ranking(response: AppRankingsResponse) -> Ranking:
    """What the checks judge of a response: its rows, and the limit its request asked for."""
    limit = int(response.request.params["limit"]) if response.request else LIMIT
    return Ranking(
        week_start=response.window.start,
        sort=response.sort,
        ranks=response.ranks,
        app_ids=response.app_ids,
        total_tokens=response.total_tokens,
        limit=limit,
    )


def evaluate(responses: Sequence[AppRankingsResponse], window: Window) -> list[CheckOutcome]:
    """The contract checks over a run's responses, a verdict per week of ``window``."""
    return evaluate_app_rankings(
        [ranking(response) for response in responses], [week.start for week in weeks(window)]
    )


DATASET = DatasetSpec(
    name=NAME,
    endpoint_name="app-rankings",
    grain="week",
    group="openrouter_apps",
    tables=TABLES,
    requests=requests,
    parse=parse,
    contract_checks=APP_CHECKS,
    evaluate=evaluate,
    store=store_app_rankings,
    citation_page=APPS_PAGE,
)
