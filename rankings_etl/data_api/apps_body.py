"""Parsing of an app-rankings response body into typed columns.

``GET /datasets/app-rankings`` answers one date window with the top apps of that window (no
per-date rows): ``data`` is a list of ``{app_id, app_name, rank, total_requests, total_tokens}``
and ``meta`` is rankings-daily's (``as_of``, the resolved ``start_date``/``end_date``,
``version``). On top of the shared strict decoding (:mod:`rankings_etl.data_api.body`) this
refuses what cannot be stored faithfully in ``app_rankings_weekly``: an ``app_id`` that is not a
JSON integer (``true`` is not 1), a ``rank`` that is not an integer fitting INTEGER, a
``total_requests`` that is not a non-negative integer fitting BIGINT, a ``total_tokens`` that is
not a decimal string fitting BIGINT, an ``app_name`` that is empty, unprintable or too long to be
a name, and a ``meta`` that does not echo the requested window. Fields beyond these are
tolerated: the API may add fields to ``v1`` at any time.

What *can* be stored but breaks the contract's promises about a ranking (more rows than the
limit, ranks that are not 1..n, an app listed twice, popular tokens rising down the list) is
judged by the checks in :mod:`rankings_etl.datasets.app_rankings_weekly.checks`, so the UI shows
the failing week rather than a stack trace.

Given the API key (``secret``), the body is redacted before anything else reads it, as for
rankings-daily.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from rankings_etl.core.api_facts import BIGINT_MAX
from rankings_etl.core.errors import RankingsResponseError, show
from rankings_etl.core.timestamps import parse_as_of
from rankings_etl.core.windows import Window
from rankings_etl.data_api.body import (
    parse_meta,
    parse_tokens,
    read_envelope,
)
from rankings_etl.data_api.request import ApiRequest

#: Real app names are short display names; anything this long is not one.
MAX_APP_NAME_LENGTH = 256
#: ``rank`` is stored as INTEGER.
INTEGER_MAX = 2**31 - 1
BIGINT_MIN = -(2**63)


@dataclasses.dataclass(frozen=True)
class AppRankingsResponse:
    """One successful app-rankings response, rows in API order, with what is needed to audit
    it. The rows are parallel columns, as ``app_rankings_weekly`` stores them."""

    window: Window  # what we asked for
    sort: str  # the ``sort`` asked for (the body does not echo it)
    ranks: Sequence[int]
    app_ids: Sequence[int]
    app_names: Sequence[str]
    total_requests: Sequence[int]
    total_tokens: Sequence[int]
    as_of: str
    meta_start: dt.date
    meta_end: dt.date
    version: str
    fetched_at: dt.datetime
    body: str  # the body exactly as received (redacted), for audits
    attempts: int = 1  # HTTP requests this response cost, retries included
    #: The request it answered; raw_responses records its dataset, endpoint and parameters.
    request: ApiRequest | None = None

    @property
    def row_count(self) -> int:
        return len(self.app_ids)

    def as_of_utc(self) -> dt.datetime:
        """``meta.as_of`` as an aware UTC datetime (one without an offset is taken as UTC)."""
        return parse_as_of(self.as_of)


def parse_app_rankings_body(
    body: str | bytes,
    window: Window,
    fetched_at: dt.datetime,
    *,
    sort: str,
    secret: str | None = None,
) -> AppRankingsResponse:
    """Parse and validate one 200 app-rankings response for ``window`` and ``sort``; raise
    :class:`RankingsResponseError` naming the first problem."""
    where = f"app-rankings response ({sort}) for {window}"
    text, data, meta = read_envelope(body, where, secret)
    as_of, meta_start, meta_end, version = parse_meta(meta, window, fetched_at, where)

    ranks: list[int] = []
    app_ids: list[int] = []
    names: list[str] = []
    requests: list[int] = []
    tokens: list[int] = []
    for index, row in enumerate(data):
        what = f"{where}, row {index}"
        if not isinstance(row, dict):
            raise RankingsResponseError(f"{what} is not an object")
        app_id = _integer(row.get("app_id"), f"{what}: app_id", BIGINT_MIN, BIGINT_MAX)
        what = f"{what} (app_id {app_id})"
        ranks.append(_integer(row.get("rank"), f"{what}: rank", -INTEGER_MAX - 1, INTEGER_MAX))
        app_ids.append(app_id)
        names.append(_app_name(row.get("app_name"), what))
        requests.append(_integer(row.get("total_requests"), f"{what}: total_requests", 0))
        tokens.append(parse_tokens(row.get("total_tokens"), what))

    return AppRankingsResponse(
        window=window,
        sort=sort,
        ranks=ranks,
        app_ids=app_ids,
        app_names=names,
        total_requests=requests,
        total_tokens=tokens,
        as_of=as_of,
        meta_start=meta_start,
        meta_end=meta_end,
        version=version,
        fetched_at=fetched_at,
        body=text,
    )


def _integer(value: object, what: str, lowest: int, highest: int = BIGINT_MAX) -> int:
    """A JSON integer in ``[lowest, highest]``: not a boolean, a float or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int):
        kind = "a boolean" if isinstance(value, bool) else type(value).__name__
        raise RankingsResponseError(f"{what} must be a JSON integer, got {kind} {show(value)}")
    if not lowest <= value <= highest:
        if lowest == 0 and value < 0:
            raise RankingsResponseError(f"{what} {show(value)} is negative")
        raise RankingsResponseError(
            f"{what} {show(value)} is outside {lowest}..{highest}, what its column holds"
        )
    return value


def _app_name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RankingsResponseError(f"{what}: app_name is missing or empty")
    if len(value) > MAX_APP_NAME_LENGTH or not value.isprintable():
        raise RankingsResponseError(
            f"{what}: app_name {show(value)} is not a plausible app name ({len(value)} "
            f"characters; at most {MAX_APP_NAME_LENGTH}, printable only)"
        )
    return value
