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

# --- Filters of rankings-daily (openrouter 1.3.84: operations/getrankingsdaily.py) ------------
#: ``period``: one bucket per day (the default of the exact data), ISO week or month start.
PERIODS = ("day", "week", "month")
#: Exact segments: the same numbers as the unfiltered feed, restricted. ``text`` and
#: ``image_output`` match the output modality, ``image`` and ``audio`` the input one,
#: ``tool_calling`` rows that recorded at least one tool call.
MODALITIES = ("text", "image", "image_output", "audio", "tool_calling")
#: Exact segments by the request's context length.
CONTEXT_BUCKETS = ("1K", "10K", "100K", "1M", "10M")
#: Sampled, upsampled segments: their ``total_tokens`` are weekly estimates, and ``period=day``
#: is refused with a 400. Neither combines with the other or with an exact filter.
CATEGORIES = (
    "programming",
    "roleplay",
    "marketing",
    "marketing/seo",
    "technology",
    "science",
    "translation",
    "legal",
    "finance",
    "health",
    "trivia",
    "academia",
)
LANGUAGE_TYPES = ("natural", "programming")
#: The exact filters and the sampled ones, by parameter name.
EXACT_FILTERS = {"modality": MODALITIES, "context_bucket": CONTEXT_BUCKETS}
SAMPLED_FILTERS = {"category": CATEGORIES, "language_type": LANGUAGE_TYPES}
#: The first ISO week (a Monday) wholly inside the dataset: weekly data starts here.
FIRST_WEEK = dt.date(2025, 1, 6)

# --- app-rankings (openrouter 1.3.84: operations/getapprankings.py) --------------------------
#: The path of the app rankings, relative to the base URL.
APP_RANKINGS_PATH = "/datasets/app-rankings"
#: ``sort``: by tokens in the window, or by excess over the three equal periods before it
#: (apps without excess growth are omitted, so ``trending`` can return fewer rows).
APP_SORTS = ("popular", "trending")
APP_CATEGORIES = ("coding", "creative", "productivity", "entertainment")
APP_SUBCATEGORIES = (
    "cli-agent",
    "ide-extension",
    "cloud-agent",
    "programming-app",
    "native-app-builder",
    "creative-writing",
    "video-gen",
    "image-gen",
    "audio-gen",
    "roleplay",
    "game",
    "writing-assistant",
    "general-chat",
    "personal-agent",
    "legal",
)
#: ``limit`` is 1..100 (default 50); ``offset`` 0..100 (default 0), and ``rank`` stays
#: absolute: the first row of ``offset=50`` is rank 51.
APP_LIMIT_MAX = 100
APP_DEFAULT_LIMIT = 50
APP_OFFSET_MAX = 100

# --- Citation pages: each dataset cites the OpenRouter page that shows it -------------------
RANKINGS_PAGE = "rankings"
APPS_PAGE = "apps"
