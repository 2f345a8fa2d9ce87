"""Calendar dates: the one strict ``YYYY-MM-DD`` parser, and the last completed UTC day.

Every date the project reads (API bodies, query parameters, command-line arguments, fault specs,
replay files) is parsed here, so they all refuse the same things: other ISO forms (``20250101``,
``2025-W01-1``), non-ASCII digits (``\\d`` would accept ``٢٠٢٥``) and rolled-over days
(``2026-02-30``). Both failures say "'X' is not a YYYY-MM-DD date" (what a command line
prints); they are distinct types so a caller that words them apart (the API parser, the
sandbox's 400s) can.
"""

from __future__ import annotations

import datetime as dt
import re

#: ASCII digits only.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateShapeError(ValueError):
    """Not shaped ``YYYY-MM-DD``."""


class CalendarDateError(ValueError):
    """Shaped ``YYYY-MM-DD`` but not a day of the calendar (``2026-02-30``)."""


def parse_iso_date(text: object) -> dt.date:
    """A strict ``YYYY-MM-DD`` calendar date: no other format, no rollover."""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise DateShapeError(f"{text!r} is not a YYYY-MM-DD date")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CalendarDateError(f"{text!r} is not a YYYY-MM-DD date") from None


def last_completed_day(now: dt.datetime | None = None) -> dt.date:
    """The most recent UTC day that has fully ended (yesterday in UTC)."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=1)
