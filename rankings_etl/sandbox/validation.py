"""The query-parameter rules of the Data API, as pure functions: params -> query or error.

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

rankings-daily's filters (:func:`resolve_rankings_query`; openrouter 1.3.84's docstrings): an
unknown ``period``/``modality``/``context_bucket``/``category``/``language_type`` value is a 400
naming the allowed ones; ``category`` with ``language_type``, or either with ``modality`` or
``context_bucket``, is a 400; ``period=day`` with ``category``/``language_type`` is a 400 (they
are aggregated weekly). The spec states a status only for the last rule; the sandbox answers
400 to all. ``modality`` with ``context_bucket`` is allowed (their intersection is served).

app-rankings (:func:`resolve_apps_query`): the same window rules; ``sort`` popular|trending
(default popular), ``limit`` an integer 1-100 (default 50), ``offset`` 0-100 (default 0),
``category``/``subcategory`` from their enums, and a subcategory outside the given category
is a 400 (the mapping is the sandbox's assumption, ``apps.CATEGORY_OF_SUBCATEGORY``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from rankings_etl.core.api_facts import (
    APP_CATEGORIES,
    APP_DEFAULT_LIMIT,
    APP_LIMIT_MAX,
    APP_OFFSET_MAX,
    APP_SORTS,
    APP_SUBCATEGORIES,
    DEFAULT_SPAN_OFFSET_DAYS,
    EXACT_FILTERS,
    FIRST_DATE,
    MAX_SPAN_DAYS,
    PERIODS,
    SAMPLED_FILTERS,
)
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


@dataclasses.dataclass(frozen=True)
class RankingsQuery:
    """A valid rankings-daily request: its window, bucketing and filters."""

    window: Window
    clamped: bool = False
    period: str = "day"
    #: ``{"modality": "text"}`` etc.: the exact filters given (none, one or both).
    exact: tuple[tuple[str, str], ...] = ()
    #: ``("category", "programming")`` or ``("language_type", "natural")``, or None.
    sampled: tuple[str, str] | None = None

    @property
    def plain(self) -> bool:
        """The unfiltered daily feed (served byte-identically to before filters existed)."""
        return self.period == "day" and not self.exact and self.sampled is None


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    if name not in params:
        return None
    value = params[name]
    if value not in allowed:
        raise ValidationError(f"{name} must be one of {', '.join(allowed)}; got {value[:40]!r}")
    return value


def resolve_rankings_query(params: Mapping[str, str], last_completed: dt.date) -> RankingsQuery:
    """The window, period and filters of one rankings-daily request, or a ValidationError."""
    period = _choice(params, "period", PERIODS)
    exact = tuple(
        (name, value)
        for name, allowed in EXACT_FILTERS.items()
        if (value := _choice(params, name, allowed)) is not None
    )
    sampled = [
        (name, value)
        for name, allowed in SAMPLED_FILTERS.items()
        if (value := _choice(params, name, allowed)) is not None
    ]
    if len(sampled) > 1:
        raise ValidationError(
            "category and language_type cannot be combined: each is its own sampled dataset"
        )
    if sampled and exact:
        raise ValidationError(
            f"{sampled[0][0]} (sampled, weekly estimates) cannot be combined with "
            f"{' or '.join(name for name, _ in exact)} (exact data)"
        )
    if sampled and period == "day":
        raise ValidationError(
            f"period=day is not available with {sampled[0][0]}: its total_tokens are estimates "
            "aggregated weekly; use period=week (the default) or period=month"
        )
    window, clamped = resolve_window(params, last_completed)
    return RankingsQuery(
        window,
        clamped,
        period or ("week" if sampled else "day"),
        exact,
        sampled[0] if sampled else None,
    )


@dataclasses.dataclass(frozen=True)
class AppsQuery:
    """A valid app-rankings request."""

    window: Window
    clamped: bool = False
    sort: str = "popular"
    limit: int = APP_DEFAULT_LIMIT
    offset: int = 0
    category: str | None = None
    subcategory: str | None = None


def _bounded_int(params: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    if name not in params:
        return default
    value = params[name]
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise ValidationError(f"{name} must be an integer from {low} to {high}; got {value[:40]!r}")
    return int(value)


def resolve_apps_query(
    params: Mapping[str, str], last_completed: dt.date, category_of: Mapping[str, str]
) -> AppsQuery:
    """The window, sort, page and filters of one app-rankings request, or a ValidationError.

    ``category_of`` maps each subcategory to its category (the sandbox's assumption): a
    ``subcategory`` outside the given ``category`` is a 400.
    """
    sort = _choice(params, "sort", APP_SORTS) or "popular"
    limit = _bounded_int(params, "limit", 1, APP_LIMIT_MAX, APP_DEFAULT_LIMIT)
    offset = _bounded_int(params, "offset", 0, APP_OFFSET_MAX, 0)
    category = _choice(params, "category", APP_CATEGORIES)
    subcategory = _choice(params, "subcategory", APP_SUBCATEGORIES)
    if category and subcategory and category_of[subcategory] != category:
        raise ValidationError(
            f"subcategory {subcategory!r} is not in category {category!r} "
            f"(it belongs to {category_of[subcategory]!r})"
        )
    window, clamped = resolve_window(params, last_completed)
    return AppsQuery(window, clamped, sort, limit, offset, category, subcategory)
