"""Rolling-window rate limits: per key per minute, per account per rolling 24 h.

Like OpenRouter's documented limits (30/minute per key, 500/day per account), both windows roll:
a slot frees exactly 60 s (or 24 h) after the request that used it. Only admitted requests use a
slot; a request refused with 429 does not (otherwise a client polling too fast would never get
through). The clock is injectable so the arithmetic is tested without waiting.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import time
from collections.abc import Callable

from rankings_etl.core.rate_limits import DAY_SECONDS, DEFAULT_ACCOUNT, MINUTE_SECONDS


@dataclasses.dataclass(frozen=True)
class Admission:
    admitted: bool
    #: Which limits refused the request, e.g. ["30 requests per minute per key"].
    exceeded: tuple[str, ...] = ()
    #: Whole seconds until the request would be admitted (the ``Retry-After`` header).
    retry_after: int = 0

    @property
    def message(self) -> str:
        return "rate limit exceeded: " + " and ".join(self.exceeded)


class RollingLimiter:
    """Admits a request when the key's minute window and the account's day window have room.

    ``per_minute``, ``per_day`` and ``minute_seconds`` (how long the "minute" lasts: a test
    knob, so pacing is tested in seconds) may be changed at any time (the admin API does); the
    recorded requests are kept, so lowering a limit takes effect at once. Not thread-safe: the
    sandbox calls it from its single event loop.
    """

    def __init__(
        self,
        per_minute: int,
        per_day: int,
        clock: Callable[[], float] = time.monotonic,
        minute_seconds: float = MINUTE_SECONDS,
    ):
        self.per_minute = per_minute
        self.per_day = per_day
        self.minute_seconds = minute_seconds
        self.clock = clock
        self._minute: dict[str, collections.deque[float]] = collections.defaultdict(
            collections.deque
        )
        self._day: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)

    def admit(self, key_fp: str, account: str = DEFAULT_ACCOUNT) -> Admission:
        """Record the request and admit it, or refuse it and say how long to wait."""
        now = self.clock()
        minute, day = self._minute[key_fp], self._day[account]
        _expire(minute, now - self.minute_seconds)
        _expire(day, now - DAY_SECONDS)
        exceeded, waits = [], []
        if len(minute) >= self.per_minute:
            exceeded.append(f"{self.per_minute} requests per minute per key")
            waits.append(_wait_for_slot(minute, self.per_minute, self.minute_seconds, now))
        if len(day) >= self.per_day:
            exceeded.append(f"{self.per_day} requests per day per account")
            waits.append(_wait_for_slot(day, self.per_day, DAY_SECONDS, now))
        if exceeded:
            return Admission(False, tuple(exceeded), max(waits))
        minute.append(now)
        day.append(now)
        return Admission(True)

    def reset(self) -> None:
        self._minute.clear()
        self._day.clear()


def _expire(window: collections.deque[float], cutoff: float) -> None:
    while window and window[0] <= cutoff:
        window.popleft()


def _wait_for_slot(window: collections.deque[float], limit: int, span: float, now: float) -> int:
    """Seconds until the window holds fewer than ``limit`` requests (at least 1)."""
    # After a limit is lowered the window may hold more than `limit`: the oldest surplus must
    # expire too, so wait for the request at position len - limit.
    frees_at = window[len(window) - limit] + span
    return max(1, math.ceil(frees_at - now))
