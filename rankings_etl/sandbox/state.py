"""Everything a running sandbox remembers: its settings, rate windows, faults and request log."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from rankings_etl.core.dates import parse_iso_date
from rankings_etl.core.keys import key_fingerprint
from rankings_etl.core.rate_limits import MINUTE_SECONDS
from rankings_etl.core.timestamps import format_as_of
from rankings_etl.sandbox.config import SandboxConfig, normalize_as_of
from rankings_etl.sandbox.faults import FaultQueue
from rankings_etl.sandbox.history import SyntheticSource
from rankings_etl.sandbox.ratelimit import RollingLimiter
from rankings_etl.sandbox.sources import RowSource
from rankings_etl.sandbox.stats import RequestLog

#: Settings ``POST /_sandbox/config`` may change at run time.
RUNTIME_SETTINGS = ("per_minute", "per_day", "minute_seconds", "as_of", "today")
#: The longest "minute" ``minute_seconds`` may set (a day: the other window).
MAX_MINUTE_SECONDS = 86_400


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SandboxState:
    """Shared by the request handlers of one app (one event loop, so no locking needed)."""

    def __init__(
        self,
        config: SandboxConfig,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = _utc_now,
    ):
        self.config = config
        self.now = now
        self.source: RowSource = config.replay or SyntheticSource(config.seed)
        self.limiter = RollingLimiter(
            config.per_minute, config.per_day, clock, config.minute_seconds
        )
        self.faults = FaultQueue()
        for fault in config.faults:
            self.faults.add(fault)
        self.log = RequestLog()

    def last_completed_day(self) -> dt.date:
        """Yesterday (UTC), or the day before ``today``, or the replay file's last date."""
        if self.config.today is not None:
            return self.config.today - dt.timedelta(days=1)
        last = self.source.last_day()
        if last is not None:
            return last
        return self.now().date() - dt.timedelta(days=1)

    def as_of(self) -> str:
        return self.config.as_of or format_as_of(self.now())

    def timestamp(self) -> str:
        return format_as_of(self.now())

    def reset(self) -> None:
        """Forget requests, faults, revisions and rate windows (settings stay)."""
        self.log.clear()
        self.faults.clear()
        self.limiter.reset()

    def configure(self, changes: Any) -> None:
        """Apply run-time settings; ValueError (naming the field) and nothing applied if invalid.

        ``as_of``/``today`` set to null go back to their defaults.
        """
        if not isinstance(changes, dict):
            raise ValueError('config changes are a JSON object, e.g. {"per_minute": 3}')
        unknown = sorted(set(changes) - set(RUNTIME_SETTINGS))
        if unknown:
            raise ValueError(
                f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(RUNTIME_SETTINGS)}"
            )
        resolved: dict[str, Any] = {}
        for name in ("per_minute", "per_day"):
            if name in changes:
                value = changes[name]
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ValueError(f"{name} must be a positive integer, got {value!r}")
                resolved[name] = value
        if "minute_seconds" in changes:
            value = changes["minute_seconds"]
            if value is None:
                value = MINUTE_SECONDS
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 < value <= MAX_MINUTE_SECONDS
            ):
                raise ValueError(
                    f"minute_seconds must be a number of seconds above 0 and at most "
                    f"{MAX_MINUTE_SECONDS} (null: {MINUTE_SECONDS}), got {value!r}"
                )
            resolved["minute_seconds"] = float(value)
        if "as_of" in changes:
            value = changes["as_of"]
            resolved["as_of"] = None if value is None else normalize_as_of(str(value))
        if "today" in changes:
            value = changes["today"]
            resolved["today"] = None if value is None else parse_iso_date(str(value))
        for name, value in resolved.items():
            setattr(self.config, name, value)
        self.limiter.per_minute = self.config.per_minute
        self.limiter.per_day = self.config.per_day
        self.limiter.minute_seconds = self.config.minute_seconds

    def describe(self) -> dict[str, Any]:
        """The settings in force, for ``GET /_sandbox/config`` (keys only as fingerprints)."""
        config = self.config
        return {
            "per_minute": config.per_minute,
            "per_day": config.per_day,
            "minute_seconds": config.minute_seconds,
            "as_of": config.as_of,
            "today": config.today.isoformat() if config.today else None,
            "last_completed_day": self.last_completed_day().isoformat(),
            "seed": config.seed,
            "source": self.source.description,
            "keys": sorted(key_fingerprint(key) for key in config.keys) or "any sk-or- key",
        }
