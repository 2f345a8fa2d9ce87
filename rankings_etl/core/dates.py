"""Calendar dates: the last completed UTC day."""

from __future__ import annotations

import datetime as dt


def last_completed_day(now: dt.datetime | None = None) -> dt.date:
    """The most recent UTC day that has fully ended (yesterday in UTC)."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=1)
