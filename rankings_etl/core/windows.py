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


def split_into_windows(
    start: dt.date, end: dt.date, max_days: int = MAX_SPAN_DAYS, unit_days: int = 1
) -> list[Window]:
    """Cover ``[start, end]`` with consecutive windows of at most ``max_days`` days.

    Windows are filled from the start, so every window but the last is full. With
    ``unit_days=7`` every window is whole weeks (``start`` a Monday, ``end`` a Sunday): 52
    weeks (364 days) fit in one 366-day request.
    """
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
    if unit_days < 1 or max_days < unit_days:
        raise ValueError(f"need 1 <= unit_days <= max_days, got {unit_days} and {max_days}")
    days = (end - start).days + 1
    if days % unit_days:
        raise ValueError(f"{start}..{end} is not a whole number of {unit_days}-day units")
    span = max_days - max_days % unit_days
    windows = []
    cursor = start
    while cursor <= end:
        last = min(end, cursor + dt.timedelta(days=span - 1))
        windows.append(Window(cursor, last))
        cursor = last + dt.timedelta(days=1)
    return windows


def iso_week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week: the ``date`` the API gives a weekly bucket."""
    return day - dt.timedelta(days=day.weekday())


def complete_weeks(window: Window) -> Window | None:
    """The whole ISO weeks (Monday..Sunday) inside ``window``; None if there is none."""
    start = window.start + dt.timedelta(days=(7 - window.start.weekday()) % 7)
    end = window.end - dt.timedelta(days=(window.end.weekday() + 1) % 7)
    return Window(start, end) if start <= end else None
