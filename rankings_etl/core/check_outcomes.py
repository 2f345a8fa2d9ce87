"""What a check is and what it found, for every check of every dataset (pure, stdlib only).

A check judges each date of a run; its :class:`CheckOutcome` holds the problems per date, split
by severity: an ERROR blocks the write and what is downstream, a WARN is reported and the day
is loaded. The contract checks (Python judges over a response's rows) and the tables' checks
(SQL over the rows just written) both end here, and one translation turns an outcome into what
the Dagster UI shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Protocol

ERROR = "ERROR"
WARN = "WARN"

#: How many failing dates a check lists in its metadata (the count is always exact).
MAX_LISTED = 20


@dataclasses.dataclass(frozen=True)
class CheckSpec:
    name: str
    description: str


@dataclasses.dataclass(frozen=True)
class DayVerdict:
    """One check on one date: what the UI shows on that day's partition."""

    date: dt.date
    passed: bool
    severity: str
    problem: str | None


@dataclasses.dataclass(frozen=True)
class CheckOutcome:
    """What one check found over a run's dates: problems per date, split by severity.

    ``dates`` are the dates it evaluated (every one of them gets a verdict, passing or not);
    ``dates_checked`` is their number.
    """

    spec: CheckSpec
    dates_checked: int
    errors: dict[dt.date, str]
    warnings: dict[dt.date, str]
    dates: tuple[dt.date, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.errors and not self.warnings

    @property
    def severity(self) -> str:
        return ERROR if self.errors else WARN

    @property
    def blocks(self) -> bool:
        """An ERROR stops the write and the downstream assets; a WARN does not."""
        return bool(self.errors)

    def verdict(self, day: dt.date) -> DayVerdict:
        """This check's result on ``day`` alone: an ERROR there, else a WARN, else a pass."""
        if day in self.errors:
            return DayVerdict(day, False, ERROR, self.errors[day])
        if day in self.warnings:
            return DayVerdict(day, False, WARN, self.warnings[day])
        return DayVerdict(day, True, ERROR, None)

    def verdicts(self) -> list[DayVerdict]:
        """A verdict for every date evaluated (and any date a problem names), in date order."""
        return [self.verdict(day) for day in sorted({*self.dates, *self.errors, *self.warnings})]

    def summary(self) -> str:
        if self.passed:
            return f"{self.spec.name}: all {self.dates_checked} dates pass"
        parts = []
        if self.errors:
            parts.append(f"{len(self.errors)} failing date(s): {_listing(self.errors)}")
        if self.warnings:
            parts.append(f"{len(self.warnings)} date(s) at WARN: {_listing(self.warnings)}")
        return f"{self.spec.name}: " + "; ".join(parts)

    def metadata(self) -> dict[str, object]:
        def listed(found: dict[dt.date, str]) -> list[str]:
            return [f"{day}: {what}" for day, what in sorted(found.items())[:MAX_LISTED]]

        return {
            "dates_checked": self.dates_checked,
            "failing_date_count": len(self.errors),
            "warning_date_count": len(self.warnings),
            "failing_dates": listed(self.errors),
            "warning_dates": listed(self.warnings),
        }


class Dated(Protocol):
    date: dt.date


#: A judge looks at one day and returns nothing (it passes) or ``(severity, problem)``.
Judge = Callable[[Dated], "tuple[str, str] | None"]


def outcome(spec: CheckSpec, days: Iterable[Dated], judge: Judge) -> CheckOutcome:
    """``judge`` applied to each of ``days``: the check's outcome over them."""
    days = list(days)
    errors: dict[dt.date, str] = {}
    warnings: dict[dt.date, str] = {}
    for day in days:
        verdict = judge(day)
        if verdict is None:
            continue
        severity, what = verdict
        (errors if severity == ERROR else warnings)[day.date] = what
    return CheckOutcome(spec, len(days), errors, warnings, tuple(day.date for day in days))


def _listing(found: dict[dt.date, str], limit: int = 5) -> str:
    items = sorted(found.items())
    text = ", ".join(f"{day} ({what})" for day, what in items[:limit])
    return text + (f", and {len(items) - limit} more" if len(items) > limit else "")
