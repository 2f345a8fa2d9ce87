"""The JSON body of a rankings-daily answer, built fast (pure apart from its caches).

A full-history backfill asks for 366 days x 51 rows twice; the body of one such window is
~1.5 MB. Each date's rows are encoded once into a JSON fragment and cached (keyed by source,
date and revision factor), so a window is a join of cached fragments plus ``meta``. Only the one
date a data fault targets goes through ``json.dumps`` row by row.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any, Protocol

from rankings_etl.core.windows import Window
from rankings_etl.sandbox.faults import (
    DATA_KINDS,
    META_KINDS,
    Fault,
    apply_to_day,
    apply_to_meta,
    revise_rows,
)
from rankings_etl.sandbox.history import Rows

_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


class RowSource(Protocol):
    """Where rows come from: the synthetic history or a replay file."""

    description: str

    def day_rows(self, day: dt.date) -> Rows: ...

    def last_day(self) -> dt.date | None: ...


def rows_for_day(source: RowSource, day: dt.date, factor: float | None = None) -> Rows:
    rows = source.day_rows(day)
    return revise_rows(rows, factor) if factor is not None else rows


@functools.lru_cache(maxsize=2048)
def day_fragment(source: RowSource, day: dt.date, factor: float | None) -> tuple[str, int]:
    """(``{row},{row},...`` of one date, number of rows). Sources hash by identity."""
    rows = rows_for_day(source, day, factor)
    head = f'{{"date":"{day.isoformat()}","model_permaslug":'
    encoded = ",".join(f'{head}{_dumps(slug)},"total_tokens":"{tokens}"}}' for slug, tokens in rows)
    return encoded, len(rows)


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
