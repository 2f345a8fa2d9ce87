"""Facts of OpenRouter's Data API that this project relies on, in one place.

The sandbox server, the API client, the asset checks and the docs all agree on these
numbers because they all import them from here.
"""

from __future__ import annotations

import datetime as dt

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
#: The path of the daily model rankings, relative to the base URL.
RANKINGS_DAILY_PATH = "/datasets/rankings-daily"

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

#: ``total_tokens`` must fit DuckDB's BIGINT.
BIGINT_MAX = 2**63 - 1
