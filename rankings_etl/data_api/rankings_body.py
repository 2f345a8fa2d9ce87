"""Parsing of a rankings-daily response body into typed columns.

On top of the shared strict decoding (:mod:`rankings_etl.data_api.body`), a rankings-daily body
must have the documented shape: a ``data`` list and a ``meta`` object, a known
``meta.version``, the requested window echoed, rows inside it and in date order, plausible
permaslugs. Every refusal is a :class:`~rankings_etl.core.errors.RankingsResponseError` naming the
problem. What *can* be stored but breaks the contract's promises about a day (the ``other``
row, 51 rows, ordering, zero tokens, a day's sum) is judged by the asset checks in
:mod:`rankings_etl.datasets.rankings_daily.checks`, so the UI shows the failing dates rather
than a stack trace.

The same parser reads the filtered requests of the other rankings datasets: an exact segment
(``modality``, ``context_bucket``) answers one bucket per day like the unfiltered feed, and a
sampled one (``category``, ``language_type``, ``period=week``) one bucket per ISO week, dated by
its Monday (``bucket="week"``). A weekly bucket must be the Monday of one of the complete
weeks requested: the API's trailing bucket may hold traffic past ``end_date`` and its first
may start before ``start_date``, so anything else is refused rather than loaded as a week.

Given the API key (``secret``), the body is redacted before anything else reads it: the text
parsed, quoted in messages and stored in ``raw_responses`` is the body as received with the key
replaced by ``[redacted key]``, every other character kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Literal

from rankings_etl.core.api_facts import OTHER
from rankings_etl.core.errors import RankingsResponseError, show
from rankings_etl.core.timestamps import parse_as_of
from rankings_etl.core.windows import Window, complete_weeks
from rankings_etl.data_api.body import (
    SAFE_DIGITS,
    parse_date,
    parse_meta,
    parse_tokens,
    read_envelope,
)
from rankings_etl.data_api.request import ApiRequest

#: Real permaslugs are well under 100 characters; anything this long is not a model name.
MAX_PERMASLUG_LENGTH = 256

#: What one row's ``date`` stands for: a UTC day, or the ISO week starting that Monday.
Bucket = Literal["day", "week"]


@dataclasses.dataclass(frozen=True)
class RankingsResponse:
    """One successful response, in API order, with the context needed to audit it."""

    window: Window  # what we asked for
    dates: Sequence[dt.date]
    permaslugs: Sequence[str]
    total_tokens: Sequence[int]
    as_of: str
    meta_start: dt.date
    meta_end: dt.date
    version: str
    fetched_at: dt.datetime
    body: str  # the body exactly as received, for audits and rebuilds
    attempts: int = 1  # HTTP requests this response cost, retries included
    #: The request it answered (None when replayed from raw_responses); raw_responses
    #: records its dataset, endpoint and parameters.
    request: ApiRequest | None = None

    @property
    def row_count(self) -> int:
        return len(self.permaslugs)

    def dates_returned(self) -> set[dt.date]:
        return set(self.dates)

    def ranks(self) -> list[int | None]:
        """Each row's ``rank``: its position in its day in API order; ``other`` has none."""
        ranks: list[int | None] = []
        current = None
        position = 0
        for day, slug in zip(self.dates, self.permaslugs, strict=True):
            if day != current:
                current, position = day, 0
            if slug == OTHER:
                ranks.append(None)
            else:
                position += 1
                ranks.append(position)
        return ranks

    def as_of_utc(self) -> dt.datetime:
        """``meta.as_of`` as an aware UTC datetime (one without an offset is taken as UTC)."""
        return parse_as_of(self.as_of)


def parse_rankings_body(
    body: str | bytes,
    window: Window,
    fetched_at: dt.datetime,
    *,
    secret: str | None = None,
    bucket: Bucket = "day",
    query: str | None = None,
) -> RankingsResponse:
    """Parse and validate one 200 response for ``window``; raise naming the first problem.

    ``body`` is text, or bytes decoded as UTF-8 (see :func:`decode_body` for a declared
    charset). With ``secret`` the body is redacted first, and one that spells the key in JSON
    escapes is refused: what is stored and quoted never holds the key.

    ``bucket="week"``: every row's ``date`` must be the Monday of a complete ISO week inside
    ``window`` (see the module's docstring). ``query`` (e.g. ``"modality=text"``) names the
    filter in messages; without one they read exactly as for the unfiltered feed.
    """
    if bucket not in ("day", "week"):
        raise ValueError(f"bucket must be 'day' or 'week', got {bucket!r}")
    where = f"rankings-daily response{f' ({query})' if query else ''} for {window}"
    text, data, meta = read_envelope(body, where, secret)
    as_of, meta_start, meta_end, version = parse_meta(meta, window, fetched_at, where)

    dates: list[dt.date] = []
    slugs: list[str] = []
    tokens: list[int] = []
    date_cache: dict[object, dt.date] = {}
    previous: dt.date | None = None
    weeks = complete_weeks(window) if bucket == "week" else None
    for index, row in enumerate(data):
        what = f"{where}, row {index}"
        if not isinstance(row, dict):
            raise RankingsResponseError(f"{what} is not an object")
        raw_date = row.get("date")
        day = date_cache.get(raw_date) if isinstance(raw_date, str) else None
        if day is None:
            day = parse_date(raw_date, f"{what}: date")
            if bucket == "week":
                _check_week_bucket(day, weeks, what)
            elif not meta_start <= day <= meta_end:
                raise RankingsResponseError(
                    f"{what}: date {day} is outside the window {meta_start}..{meta_end}"
                )
            date_cache[raw_date] = day
        if previous is not None and day < previous:
            raise RankingsResponseError(
                f"{what}: date {day} comes after {previous}; rows must be in date order"
            )
        previous = day
        slug = row.get("model_permaslug")
        if not isinstance(slug, str) or not slug.strip():
            raise RankingsResponseError(f"{what}: model_permaslug is missing or empty")
        if len(slug) > MAX_PERMASLUG_LENGTH or not slug.isprintable():
            raise RankingsResponseError(
                f"{what}: model_permaslug {show(slug)} is not a plausible permaslug "
                f"({len(slug)} characters; at most {MAX_PERMASLUG_LENGTH}, printable only)"
            )
        dates.append(day)
        slugs.append(slug)
        value = row.get("total_tokens")
        if type(value) is str and len(value) <= SAFE_DIGITS and value.isascii() and value.isdigit():
            tokens.append(int(value))  # the common case, checked without building a label
        else:
            tokens.append(parse_tokens(value, f"{what} ({day}, {show(slug)})"))

    return RankingsResponse(
        window=window,
        dates=dates,
        permaslugs=slugs,
        total_tokens=tokens,
        as_of=as_of,
        meta_start=meta_start,
        meta_end=meta_end,
        version=version,
        fetched_at=fetched_at,
        body=text,
    )


def _check_week_bucket(day: dt.date, weeks: Window | None, what: str) -> None:
    """A weekly bucket is dated by its ISO week's Monday, one of the requested whole weeks."""
    if day.weekday() != 0:
        raise RankingsResponseError(
            f"{what}: weekly bucket {day} is not a Monday (an ISO week start is); "
            "only complete weeks are loaded"
        )
    if weeks is None or not weeks.start <= day <= weeks.end:
        requested = (
            f"the Mondays {weeks.start}..{weeks.end - dt.timedelta(days=6)}"
            if weeks
            else "no complete week"
        )
        raise RankingsResponseError(
            f"{what}: weekly bucket {day} is outside the requested weeks ({requested}); "
            "only complete weeks are loaded"
        )


#: Query parameters every rankings-daily request has; the others are its filter.
WINDOW_PARAMS = ("start_date", "end_date")


def parse_filtered_body(
    text: str | bytes,
    request: ApiRequest,
    fetched_at: dt.datetime,
    secret: str | None,
    *,
    bucket: Bucket = "day",
) -> RankingsResponse:
    """A 200 body answering a filtered request (a segment, a category), validated against the
    contract, remembering the request; messages name the filter (``modality=text``)."""
    query = ", ".join(f"{k}={v}" for k, v in request.params.items() if k not in WINDOW_PARAMS)
    response = parse_rankings_body(
        text, request.window, fetched_at, secret=secret, bucket=bucket, query=query or None
    )
    return dataclasses.replace(response, request=request)


def row_stamps(
    responses: Sequence[RankingsResponse],
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """Each row's ``as_of`` (its response's ``meta.as_of``, UTC) and ``fetched_at``, in row
    order: the two columns every rankings table stores beside the rows."""
    as_of = [moment for r in responses for moment in [r.as_of_utc()] * r.row_count]
    fetched_at = [moment for r in responses for moment in [r.fetched_at] * r.row_count]
    return as_of, fetched_at
