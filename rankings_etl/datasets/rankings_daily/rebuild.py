"""Rebuilding days from the response bodies already stored in ``raw_responses``.

Any partition can be re-materialized without spending an API request: the stored bodies go
through the same parser and checks as a fresh response. For each date the newest stored
response that covers it wins, so a rebuild reproduces what the last fetch wrote.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb

from rankings_etl.core.errors import RankingsError
from rankings_etl.core.windows import Window
from rankings_etl.data_api.rankings_body import RankingsResponse, parse_rankings_body
from rankings_etl.data_api.raw_responses import stored_bodies
from rankings_etl.datasets.rankings_daily.dataset import NAME


def stored_responses(con: duckdb.DuckDBPyConnection, window: Window) -> list[RankingsResponse]:
    """Responses (restricted to the dates each one is newest for) covering ``window``.

    They carry ``attempts=0``: no request was spent, and they are not stored again.
    """
    rows = stored_bodies(con, NAME, window)
    if not rows:
        raise RankingsError(
            f"no stored responses cover {window}: fetch it from the API first (rebuilds replay "
            "raw_responses, they do not call OpenRouter)"
        )
    parsed = [
        parse_rankings_body(body, Window(start, end), _utc(fetched_at))
        for start, end, fetched_at, body in rows
    ]
    newest: dict[dt.date, int] = {}
    for index, response in enumerate(parsed):
        for day in response.dates_returned():
            if window.start <= day <= window.end:
                newest[day] = index
    restricted = []
    for index, response in enumerate(parsed):
        owned = {day for day, owner in newest.items() if owner == index}
        if owned:
            restricted.append(_restrict(response, owned))
    return restricted


def _restrict(response: RankingsResponse, dates: set[dt.date]) -> RankingsResponse:
    keep = [i for i, day in enumerate(response.dates) if day in dates]
    return dataclasses.replace(
        response,
        dates=[response.dates[i] for i in keep],
        permaslugs=[response.permaslugs[i] for i in keep],
        total_tokens=[response.total_tokens[i] for i in keep],
        attempts=0,
    )


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
