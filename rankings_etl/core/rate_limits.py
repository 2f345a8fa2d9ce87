"""OpenRouter's documented rate limits, and the units both the ledger and the sandbox count in.

Requests are limited per key per rolling minute and per account per rolling 24 h; the shared
budget (``rankings_etl.budget``) and the sandbox's limiter (``rankings_etl.sandbox.ratelimit``)
both count with these numbers.
"""

from __future__ import annotations

RATE_PER_MINUTE = 30
RATE_PER_DAY = 500

#: The per-day budget is per account; keys given without one share this account.
DEFAULT_ACCOUNT = "default"

MINUTE_SECONDS = 60.0
DAY_SECONDS = 86_400.0
