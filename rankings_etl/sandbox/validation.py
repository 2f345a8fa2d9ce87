"""The query-parameter rules of rankings-daily, as a pure function.

Decisions where the public contract is silent (also stated in ``--help``):
- the 366-day span is counted on the *resolved* window, after ``start_date`` is clamped to
  2025-01-01 (so ``start_date=2000-01-01&end_date=2025-12-31`` is fine);
- an ``end_date`` after the last completed UTC day is refused with 400: the current day is
  incomplete, and a client asking for it is almost certainly wrong about "today".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping

from rankings_etl.contract import DEFAULT_SPAN_OFFSET_DAYS, FIRST_DATE, MAX_SPAN_DAYS

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ValidationError(ValueError):
    """A 400: the message is sent to the client as ``error.message``."""


@dataclasses.dataclass(frozen=True)
class ResolvedWindow:
    start: dt.date
    end: dt.date


def parse_param_date(name: str, value: str) -> dt.date:
    if not _DATE_RE.fullmatch(value):
        raise ValidationError(f"{name} must be a date formatted YYYY-MM-DD, got {value[:40]!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{name} {value!r} is not a valid calendar date") from None


def resolve_window(params: Mapping[str, str], last_completed: dt.date) -> ResolvedWindow:
    """Apply defaults, validation and the clamp; unknown parameters are ignored."""
    end = (
        parse_param_date("end_date", params["end_date"])
        if params.get("end_date")
        else last_completed
    )
    if params.get("start_date"):
        start = parse_param_date("start_date", params["start_date"])
    else:
        start = end - dt.timedelta(days=DEFAULT_SPAN_OFFSET_DAYS)
    if end < FIRST_DATE:
        raise ValidationError(f"end_date {end} is before the dataset begins ({FIRST_DATE})")
    if end > last_completed:
        raise ValidationError(
            f"end_date {end} is after the most recent completed UTC day ({last_completed})"
        )
    if start > end:
        raise ValidationError(f"start_date {start} is after end_date {end}")
    start = max(start, FIRST_DATE)
    span = (end - start).days + 1
    if span > MAX_SPAN_DAYS:
        raise ValidationError(
            f"the window {start}..{end} spans {span} days; at most {MAX_SPAN_DAYS} are allowed"
        )
    return ResolvedWindow(start, end)
