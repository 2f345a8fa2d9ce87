"""The query-parameter rules of rankings-daily, as a pure function: params -> window or error.

Documented rules (``docs/OPENROUTER_API.md``): dates are ``YYYY-MM-DD`` and must exist
(``2026-02-30`` is refused, never rolled over); ``end_date`` defaults to the last completed UTC
day and ``start_date`` to 30 days before ``end_date``; ``start_date`` after ``end_date`` is
refused; ``end_date`` before 2025-01-01 is refused; ``start_date`` before 2025-01-01 is clamped
to 2025-01-01 and echoed; a window over 366 days is refused; unknown parameters are ignored.

Decisions where the contract is silent (also stated in ``rankings-etl sandbox --help``):

- The 366-day limit is counted on the *resolved* window, after the clamp: the API echoes the
  resolved start, so that is the window it serves. ``start_date=2000-01-01&end_date=2025-12-31``
  is accepted (365 days served); ``2025-01-01..2026-01-01`` (366) is accepted,
  ``2025-01-01..2026-01-02`` (367) is refused.
- An ``end_date`` after the last completed UTC day is refused with 400 rather than served
  partially: the current day is incomplete, and a client asking for it has its clock or its
  partitions wrong, which is better said loudly. (The default ``end_date`` is always valid.)
- An empty value (``end_date=``) is malformed, not "absent": 400.
- Only ASCII digits count as digits (``\\d`` would accept ``٢٠٢٥``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from rankings_etl.core.api_facts import DEFAULT_SPAN_OFFSET_DAYS, FIRST_DATE, MAX_SPAN_DAYS
from rankings_etl.core.dates import CalendarDateError, DateShapeError, parse_iso_date
from rankings_etl.core.windows import Window, clamp_to_dataset


class ValidationError(ValueError):
    """A 400: the message is sent to the client as ``error.message``."""


def parse_param_date(name: str, value: str) -> dt.date:
    """A ``YYYY-MM-DD`` calendar date, or a :class:`ValidationError` naming the parameter."""
    try:
        return parse_iso_date(value)
    except DateShapeError:
        raise ValidationError(
            f"{name} must be a date formatted YYYY-MM-DD, got {value[:40]!r}"
        ) from None
    except CalendarDateError:
        raise ValidationError(f"{name} {value!r} is not a valid calendar date") from None


def resolve_window(params: Mapping[str, str], last_completed: dt.date) -> tuple[Window, bool]:
    """Apply defaults, validation and the clamp to the query parameters of one request: the
    window it is served for (as echoed in ``meta``), and whether ``start_date`` was clamped.

    ``last_completed`` is the most recent completed UTC day (yesterday, or what ``--today``
    or the replay file make it). Parameters other than ``start_date``/``end_date`` are ignored.
    """
    if "end_date" in params:
        end = parse_param_date("end_date", params["end_date"])
    else:
        end = last_completed
    if "start_date" in params:
        start = parse_param_date("start_date", params["start_date"])
    else:
        start = end - dt.timedelta(days=DEFAULT_SPAN_OFFSET_DAYS)
    if end < FIRST_DATE:
        raise ValidationError(f"end_date {end} is before the dataset begins ({FIRST_DATE})")
    if end > last_completed:
        raise ValidationError(
            f"end_date {end} is after the most recent completed UTC day ({last_completed}); "
            "the current day is incomplete"
        )
    if start > end:
        raise ValidationError(f"start_date {start} is after end_date {end}")
    served_start, clamped = clamp_to_dataset(start)
    window = Window(served_start, end)
    if window.days > MAX_SPAN_DAYS:
        raise ValidationError(
            f"the window {window.start}..{window.end} spans {window.days} days; "
            f"at most {MAX_SPAN_DAYS} are allowed"
        )
    return window, clamped
