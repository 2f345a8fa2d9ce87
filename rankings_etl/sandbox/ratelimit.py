"""Rolling-window rate limits: per key per minute, per account per day (injectable clock)."""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Callable

MINUTE = 60.0
DAY = 86_400.0


class RollingLimiter:
    """Admits a request if both rolling windows have room; otherwise says how long to wait.

    Only admitted requests are recorded: a refused (429) request does not use up budget.
    """

    def __init__(self, per_minute: int, per_day: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute, self.per_day, self.clock = per_minute, per_day, clock
        self._minute: dict[str, collections.deque[float]] = collections.defaultdict(
            collections.deque
        )
        self._day: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def admit(self, key_fp: str) -> tuple[bool, str, int]:
        """(admitted, which limit refused it, Retry-After seconds)."""
        with self._lock:
            now = self.clock()
            minute = self._minute[key_fp]
            _expire(minute, now - MINUTE)
            _expire(self._day, now - DAY)
            if len(self._day) >= self.per_day:
                wait = self._day[0] + DAY - now
                return False, f"{self.per_day} requests per day per account", _ceil(wait)
            if len(minute) >= self.per_minute:
                wait = minute[0] + MINUTE - now
                return False, f"{self.per_minute} requests per minute per key", _ceil(wait)
            minute.append(now)
            self._day.append(now)
            return True, "", 0

    def reset(self) -> None:
        with self._lock:
            self._minute.clear()
            self._day.clear()


def _expire(window: collections.deque[float], cutoff: float) -> None:
    while window and window[0] <= cutoff:
        window.popleft()


def _ceil(seconds: float) -> int:
    return max(1, math.ceil(seconds))
