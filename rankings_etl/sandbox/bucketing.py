"""Which days each ``date`` of a rankings-daily answer covers, per ``period`` (pure).

- ``day``: one bucket per day of the window.
- exact ``week``: the window's days grouped by ISO week start; the bucket's ``date`` is the
  Monday, which can precede ``start_date`` (only the window's days are summed).
- exact ``month``: the window's days grouped by month; ``date`` is the first of the month.
- sampled ``week`` (``category``/``language_type``): every whole ISO week overlapping the
  window, up to the last completed day, so **the trailing bucket includes days past
  ``end_date``** and the leading one days before ``start_date``; ``date`` is the Monday.
- sampled ``month``: those same weeks, each bucketed by the month of its Monday (a week that
  straddles two months counts wholly in the first).

A bucket is a ``date`` and its spans (inclusive day ranges): one span for the exact data, one
per week for the sampled data, whose estimates are made week by week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from rankings_etl.core.api_facts import FIRST_DATE
from rankings_etl.core.windows import Window, iso_week_start

Span = tuple[dt.date, dt.date]
_DAY = dt.timedelta(days=1)
_WEEK = dt.timedelta(days=7)


@dataclasses.dataclass(frozen=True)
class Bucket:
    date: dt.date
    spans: tuple[Span, ...]

    def days(self) -> list[dt.date]:
        out = []
        for first, last in self.spans:
            day = first
            while day <= last:
                out.append(day)
                day += _DAY
        return out


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def exact_buckets(window: Window, period: str) -> list[Bucket]:
    """The buckets of the exact data (unfiltered, ``modality``, ``context_bucket``)."""
    if period == "day":
        return [Bucket(day, ((day, day),)) for day in window.dates()]
    key = iso_week_start if period == "week" else _month_start
    spans: dict[dt.date, list[dt.date]] = {}
    for day in window.dates():
        spans.setdefault(key(day), []).append(day)
    return [Bucket(date, ((days[0], days[-1]),)) for date, days in spans.items()]


def sampled_weeks(window: Window, last_completed: dt.date) -> list[Span]:
    """(Monday, last served day) of every ISO week overlapping ``window``, whole up to
    ``last_completed`` and never before the dataset's first day."""
    weeks = []
    monday = iso_week_start(window.start)
    while monday <= window.end:
        first = max(monday, FIRST_DATE)
        last = min(monday + _WEEK - _DAY, last_completed)
        weeks.append((first, last))
        monday += _WEEK
    return weeks


def sampled_buckets(window: Window, period: str, last_completed: dt.date) -> list[Bucket]:
    """The buckets of the sampled data (``category``, ``language_type``): week or month."""
    weeks = sampled_weeks(window, last_completed)
    if period == "week":
        return [Bucket(iso_week_start(span[0]), (span,)) for span in weeks]
    months: dict[dt.date, list[Span]] = {}
    for span in weeks:
        months.setdefault(_month_start(iso_week_start(span[0])), []).append(span)
    return [Bucket(date, tuple(spans)) for date, spans in months.items()]
