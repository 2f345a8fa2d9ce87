"""What a sandbox serves and how strictly: the settings behind its command-line options."""

from __future__ import annotations

import dataclasses
import datetime as dt

from rankings_etl.core.rate_limits import MINUTE_SECONDS, RATE_PER_DAY, RATE_PER_MINUTE
from rankings_etl.core.timestamps import format_as_of, parse_as_of
from rankings_etl.sandbox.faults import Fault
from rankings_etl.sandbox.replay_source import ReplaySource


@dataclasses.dataclass
class SandboxConfig:
    per_minute: int = RATE_PER_MINUTE
    per_day: int = RATE_PER_DAY
    #: How many seconds the per-key "minute" window lasts (shorter only in tests).
    minute_seconds: float = MINUTE_SECONDS
    #: A fixed ``meta.as_of`` (normalised ISO time); None = the time of each response.
    as_of: str | None = None
    #: A fixed "today" (UTC): the last completed day is the one before. None = the real date
    #: (or, when replaying, the day after the file's last date).
    today: dt.date | None = None
    #: Seed of the synthetic history (ignored when replaying).
    seed: int = 0
    #: Accepted keys -> their account. Empty: any key shaped ``sk-or-...`` is accepted.
    keys: dict[str, str] = dataclasses.field(default_factory=dict)
    replay: ReplaySource | None = None
    #: Faults queued at start-up (``--fault``, ``--revise``).
    faults: list[Fault] = dataclasses.field(default_factory=list)
    #: One log line per request (``--quiet`` turns it off).
    log_requests: bool = True


def normalize_as_of(text: str) -> str:
    """An ISO date-time (``Z``, an offset, or none = UTC) in the API's format; ValueError if not."""
    try:
        moment = parse_as_of(text.strip())
    except (ValueError, OverflowError):
        raise ValueError(f"{text!r} is not an ISO date-time such as 2026-05-12T02:00:00Z") from None
    if "T" not in text and " " not in text.strip():
        raise ValueError(f"{text!r} is a date; as_of needs a time, e.g. {text}T02:00:00Z")
    return format_as_of(moment)
