"""Facts of OpenRouter's rankings-daily contract, in one place.

The sandbox server, the API client, the asset checks and the docs all agree on these
numbers because they all import them from here (see ``shared/openrouter-rankings-api.md``).
"""

from __future__ import annotations

import datetime as dt

ENDPOINT_PATH = "/datasets/rankings-daily"
DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"

#: The first UTC day of the dataset; earlier ``start_date`` values are clamped to it.
FIRST_DATE = dt.date(2025, 1, 1)
#: The widest window one request may cover (inclusive day count).
MAX_SPAN_DAYS = 366
#: Default ``start_date`` is this many days before ``end_date``.
DEFAULT_SPAN_OFFSET_DAYS = 30
#: Ranked models per day; the ``other`` row comes on top of them.
TOP_N = 50
#: The reserved permaslug of the aggregated long-tail row.
OTHER = "other"
#: The only ``meta.version`` this project understands.
API_VERSION = "v1"

RATE_PER_MINUTE = 30
RATE_PER_DAY = 500

#: ``total_tokens`` must fit DuckDB's BIGINT.
BIGINT_MAX = 2**63 - 1

CITATION_TEMPLATE = "Source: OpenRouter (openrouter.ai/rankings), as of {as_of}."
LICENCE_LINE = "Licensed under CC BY 4.0."


def citation(as_of: str) -> str:
    """The attribution OpenRouter's licence requires wherever the data is republished."""
    return CITATION_TEMPLATE.format(as_of=as_of)


def last_completed_day(now: dt.datetime | None = None) -> dt.date:
    """The most recent UTC day that has fully ended (yesterday in UTC)."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=1)
