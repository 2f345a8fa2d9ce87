"""Splitting a run's partition range into API request windows.

One request may cover at most ``MAX_SPAN_DAYS`` days, and every request is precious
(30/min, 500/day), so a run covers its range with as few windows as possible:
ceil(days / 366). All of history (~700 days) is two requests; a single day is one.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from rankings_etl.core.api_facts import FIRST_DATE, MAX_SPAN_DAYS


class Window(NamedTuple):
    """An inclusive range of UTC calendar dates."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def clamp_to_dataset(start: dt.date) -> tuple[dt.date, bool]:
    """The start the API serves for a requested ``start``, and whether it was clamped.

    A ``start_date`` before the dataset's first day is served (and echoed) as that day; the
    sandbox applies the rule and the parser expects it in ``meta``.
    """
    return (FIRST_DATE, True) if start < FIRST_DATE else (start, False)


def split_into_windows(start: dt.date, end: dt.date, max_days: int = MAX_SPAN_DAYS) -> list[Window]:
    """Cover ``[start, end]`` with consecutive windows of at most ``max_days`` days.

    Windows are filled from the start, so every window but the last is full.
    """
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
    if max_days < 1:
        raise ValueError(f"max_days must be at least 1, got {max_days}")
    windows = []
    cursor = start
    while cursor <= end:
        last = min(end, cursor + dt.timedelta(days=max_days - 1))
        windows.append(Window(cursor, last))
        cursor = last + dt.timedelta(days=1)
    return windows
