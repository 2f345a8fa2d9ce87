"""The JSON body of a rankings-daily answer, built fast (pure apart from its caches).

Filtered or bucketed answers (:func:`build_rankings_body`) go through the same encoding, one
cached fragment per bucket (keyed by source, bucket, filters and the bucket's revisions).

A full-history backfill asks for 366 days x 51 rows twice; the body of one such window is
~1.5 MB. Each date's rows are encoded once into a JSON fragment and cached (keyed by source,
date and revision factor), so a window is a join of cached fragments plus ``meta``. Only the one
date a data fault targets goes through ``json.dumps`` row by row.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from rankings_etl.core.windows import Window
from rankings_etl.sandbox.bucketing import Bucket, exact_buckets, sampled_buckets
from rankings_etl.sandbox.faults import (
    DATA_KINDS,
    META_KINDS,
    Fault,
    apply_to_day,
    apply_to_meta,
)
from rankings_etl.sandbox.history import Rows
from rankings_etl.sandbox.segments import Exact, Factors, exact_bucket_rows, sampled_bucket_rows
from rankings_etl.sandbox.sources import RowSource, rows_for_day
from rankings_etl.sandbox.validation import RankingsQuery

_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


@functools.lru_cache(maxsize=2048)
def day_fragment(source: RowSource, day: dt.date, factor: float | None) -> tuple[str, int]:
    """(``{row},{row},...`` of one date, number of rows). Sources hash by identity."""
    rows = rows_for_day(source, day, factor)
    return _encode(day, rows), len(rows)


def _encode(day: dt.date, rows: Rows) -> str:
    head = f'{{"date":"{day.isoformat()}","model_permaslug":'
    return ",".join(f'{head}{_dumps(slug)},"total_tokens":"{tokens}"}}' for slug, tokens in rows)


def build_body(
    source: RowSource,
    window: Window,
    meta: dict[str, Any],
    revisions: dict[str, float] | None = None,
    fault: Fault | None = None,
) -> tuple[bytes, int]:
    """(UTF-8 JSON body, number of rows) for ``window``, with revisions and a data fault applied.

    A data fault acts on its ``date`` (default: the window's first date); a date outside the
    window leaves the answer untouched.
    """
    revisions = revisions or {}
    target = None
    if fault is not None and fault.kind in DATA_KINDS and fault.kind not in META_KINDS:
        target = fault.date or window.start.isoformat()
    parts: list[str] = []
    count = 0
    day = window.start
    while day <= window.end:
        iso = day.isoformat()
        factor = revisions.get(iso)
        if iso == target:
            rows = [
                {"date": iso, "model_permaslug": slug, "total_tokens": str(tokens)}
                for slug, tokens in rows_for_day(source, day, factor)
            ]
            rows = apply_to_day(rows, fault)
            fragment, n = ",".join(_dumps(row) for row in rows), len(rows)
        else:
            fragment, n = day_fragment(source, day, factor)
        if n:
            parts.append(fragment)
            count += n
        day += dt.timedelta(days=1)
    if fault is not None:
        meta = apply_to_meta(meta, fault)
    body = '{"data":[' + ",".join(parts) + '],"meta":' + _dumps(meta) + "}"
    return body.encode("utf-8"), count


def bucket_rows(
    source: RowSource,
    bucket: Bucket,
    exact: Exact,
    sampled: tuple[str, str] | None,
    factors: Factors,
) -> Rows:
    if sampled is not None:
        return sampled_bucket_rows(source, bucket, sampled, factors)
    return exact_bucket_rows(source, bucket, exact, factors)


@functools.lru_cache(maxsize=4096)
def bucket_fragment(
    source: RowSource,
    bucket: Bucket,
    exact: Exact,
    sampled: tuple[str, str] | None,
    factors: Factors,
) -> tuple[str, int]:
    rows = bucket_rows(source, bucket, exact, sampled, factors)
    return _encode(bucket.date, rows), len(rows)


def build_rankings_body(
    source: RowSource,
    query: RankingsQuery,
    last_completed: dt.date,
    meta: dict[str, Any],
    revisions: dict[str, float] | None = None,
    fault: Fault | None = None,
) -> tuple[bytes, int]:
    """(UTF-8 JSON body, number of rows) of any rankings-daily request.

    The unfiltered daily feed is :func:`build_body`; otherwise one ``date`` per bucket of
    ``bucketing`` with the rows of ``segments``. A data fault acts on the bucket dated its
    ``date`` (default: the first bucket), as it acts on a day of the daily feed.
    """
    if query.plain:
        return build_body(source, query.window, meta, revisions, fault)
    revisions = revisions or {}
    if query.sampled is not None:
        buckets = sampled_buckets(query.window, query.period, last_completed)
    else:
        buckets = exact_buckets(query.window, query.period)
    target = None
    if fault is not None and fault.kind in DATA_KINDS and fault.kind not in META_KINDS:
        target = fault.date or (buckets[0].date.isoformat() if buckets else None)
    parts: list[str] = []
    count = 0
    for bucket in buckets:
        days = set(bucket.days())
        factors = tuple(
            sorted(
                (day, factor)
                for iso, factor in revisions.items()
                if (day := dt.date.fromisoformat(iso)) in days
            )
        )
        iso = bucket.date.isoformat()
        if iso == target:
            rows = [
                {"date": iso, "model_permaslug": slug, "total_tokens": str(tokens)}
                for slug, tokens in bucket_rows(source, bucket, query.exact, query.sampled, factors)
            ]
            rows = apply_to_day(rows, fault)
            fragment, n = ",".join(_dumps(row) for row in rows), len(rows)
        else:
            fragment, n = bucket_fragment(source, bucket, query.exact, query.sampled, factors)
        if n:
            parts.append(fragment)
            count += n
    if fault is not None:
        meta = apply_to_meta(meta, fault)
    body = '{"data":[' + ",".join(parts) + '],"meta":' + _dumps(meta) + "}"
    return body.encode("utf-8"), count
