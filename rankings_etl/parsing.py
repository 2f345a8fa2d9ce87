"""Strict parsing of a rankings-daily response body into typed columns.

This layer rejects what cannot be stored faithfully: a body that is not the documented JSON
shape, an unknown ``meta.version``, rows outside the requested window or out of date order,
tokens that are not non-negative decimal strings fitting a BIGINT. What *can* be stored but
breaks the contract's promises about a day (the ``other`` row, 51 rows, ordering within a
day) is judged by the asset checks in :mod:`rankings_etl.checks`, so the UI shows the failing
dates rather than a stack trace.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Sequence

from rankings_etl.contract import API_VERSION, BIGINT_MAX, FIRST_DATE, OTHER
from rankings_etl.errors import RankingsResponseError
from rankings_etl.windows import Window

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOKENS_RE = re.compile(r"[0-9]+")
#: Real permaslugs are well under 100 characters; anything this long is not a model name.
MAX_PERMASLUG_LENGTH = 256


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
        as_of = dt.datetime.fromisoformat(self.as_of.replace("Z", "+00:00"))
        if as_of.tzinfo is None:
            return as_of.replace(tzinfo=dt.UTC)
        return as_of.astimezone(dt.UTC)


def parse_date(value: object, what: str) -> dt.date:
    """A strict ``YYYY-MM-DD`` calendar date (no rollover, no other formats)."""
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise RankingsResponseError(f"{what} is not a YYYY-MM-DD date: {_show(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RankingsResponseError(f"{what} is not a calendar date: {_show(value)}") from None


def parse_tokens(value: object, what: str) -> int:
    """``total_tokens`` is a decimal string (so 64-bit values survive JSON) fitting BIGINT."""
    if isinstance(value, bool) or not isinstance(value, str):
        kind = "a JSON number" if isinstance(value, (int, float)) else type(value).__name__
        raise RankingsResponseError(
            f"{what}: total_tokens must be a decimal string, got {kind} {_show(value)}"
        )
    if not _TOKENS_RE.fullmatch(value):
        raise RankingsResponseError(
            f"{what}: total_tokens {_show(value)} is not a non-negative decimal integer"
        )
    tokens = int(value)
    if tokens > BIGINT_MAX:
        raise RankingsResponseError(
            f"{what}: total_tokens {_show(value)} does not fit a 64-bit integer"
        )
    return tokens


def parse_rankings_body(
    body: str | bytes, window: Window, fetched_at: dt.datetime
) -> RankingsResponse:
    """Parse and validate one 200 response for ``window``; raise naming the first problem."""
    where = f"rankings-daily response for {window}"
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RankingsResponseError(
            f"{where} is not valid JSON ({exc.msg} at character {exc.pos} of {len(text)}); "
            "the body may have been truncated"
        ) from None
    if not isinstance(payload, dict):
        raise RankingsResponseError(f"{where} is not a JSON object")
    data, meta = payload.get("data"), payload.get("meta")
    if not isinstance(data, list):
        raise RankingsResponseError(f"{where} has no 'data' list")
    if not isinstance(meta, dict):
        raise RankingsResponseError(f"{where} has no 'meta' object")

    version = meta.get("version")
    if version != API_VERSION:
        raise RankingsResponseError(
            f"{where} has meta.version {_show(version)}; this project understands "
            f"{API_VERSION!r} only (an incompatible API change?)"
        )
    as_of = meta.get("as_of")
    if not isinstance(as_of, str):
        raise RankingsResponseError(f"{where} has no meta.as_of string")
    try:
        dt.datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    except ValueError:
        raise RankingsResponseError(f"{where}: meta.as_of {_show(as_of)} is not ISO-8601") from None
    meta_start = parse_date(meta.get("start_date"), f"{where}: meta.start_date")
    meta_end = parse_date(meta.get("end_date"), f"{where}: meta.end_date")
    expected_start = max(window.start, FIRST_DATE)
    if (meta_start, meta_end) != (expected_start, window.end):
        raise RankingsResponseError(
            f"{where} echoes the window {meta_start}..{meta_end}, "
            f"expected {expected_start}..{window.end}"
        )

    dates: list[dt.date] = []
    slugs: list[str] = []
    tokens: list[int] = []
    date_cache: dict[object, dt.date] = {}
    previous: dt.date | None = None
    for index, row in enumerate(data):
        what = f"{where}, row {index}"
        if not isinstance(row, dict):
            raise RankingsResponseError(f"{what} is not an object")
        raw_date = row.get("date")
        day = date_cache.get(raw_date) if isinstance(raw_date, str) else None
        if day is None:
            day = parse_date(raw_date, f"{what}: date")
            if not meta_start <= day <= meta_end:
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
                f"{what}: model_permaslug {_show(slug)} is not a plausible permaslug "
                f"({len(slug)} characters; at most {MAX_PERMASLUG_LENGTH}, printable only)"
            )
        dates.append(day)
        slugs.append(slug)
        tokens.append(parse_tokens(row.get("total_tokens"), f"{what} ({day}, {_show(slug)})"))

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


def _show(value: object, limit: int = 60) -> str:
    """A value for an error message, cut short so a hostile 10 kB string stays readable."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} chars)"
