"""``RateBudget``: the OpenRouter rate budget every process consults before each request.

The client asks it for a slot before every attempt (retries included). A spent minute budget
makes it wait, bounded and with a log line saying how long and why; a spent day budget fails
at once with :class:`~rankings_etl.core.errors.BudgetExhaustedError` before anything is sent. The
state lives in the shared ledger (:mod:`rankings_etl.budget.ledger`), never in a process's
memory, so the schedule, UI backfills and manual runs all draw on the same budget.

Limits and the ledger's location are read where the resource is built (``definitions.py``):
``OPENROUTER_RATE_PER_MINUTE`` (30), ``OPENROUTER_RATE_PER_DAY`` (500) and
``RANKINGS_BUDGET_DB`` (``data/rate_budget.sqlite``). ``keep_for_schedules`` leaves the
schedules' next ticks their slots: a manual backfill that would eat into them is refused before
it sends anything.
"""

from __future__ import annotations

import contextlib
import math
import random
import time
import uuid
from collections.abc import Callable, Iterator

import dagster as dg
from pydantic import Field, PrivateAttr

from rankings_etl.budget.backends import open_ledger
from rankings_etl.budget.ledger import (
    DEFAULT_MAX_PENALTY_SECONDS,
    LEDGER_ERRORS,
    Grant,
    Ledger,
    Limits,
    Refuse,
    Usage,
)
from rankings_etl.budget.messages import day_refusal, duration, wait_reason
from rankings_etl.core.errors import BudgetExhaustedError
from rankings_etl.core.rate_limits import DEFAULT_ACCOUNT, MINUTE_SECONDS
from rankings_etl.settings import DEFAULTS


class RateBudget(dg.ConfigurableResource):
    """OpenRouter's request budget, shared through a ledger by every process on the machine.

    30 requests per rolling minute per key (keyed by the key's fingerprint, never the key) and
    500 per rolling 24 h per account; a 429 makes every process back off the same key.
    """

    database: str = Field(
        default=DEFAULTS.budget_db,
        description=(
            "The ledger (RANKINGS_BUDGET_DB): a SQLite file path shared by the processes of one "
            "machine, or a postgresql:// URL shared by every machine."
        ),
    )
    per_minute: int = Field(
        default=DEFAULTS.rate_per_minute,
        description="Requests per rolling minute per key (OPENROUTER_RATE_PER_MINUTE).",
    )
    per_day: int = Field(
        default=DEFAULTS.rate_per_day,
        description="Requests per rolling 24 h per account (OPENROUTER_RATE_PER_DAY).",
    )
    account: str = Field(
        default=DEFAULT_ACCOUNT,
        description="Label of the OpenRouter account whose day budget the key draws on.",
    )
    max_wait_seconds: float = Field(
        default=300.0,
        description="Longest a request waits for the minute budget before the run fails.",
    )
    reservation_ttl_seconds: float = Field(
        default=1800.0,
        description=(
            "How long a run's unused reserved slots stay held after its last request; a run "
            "that died gives them back after this."
        ),
    )
    margin_seconds: float = Field(
        default=1.0,
        description="Added to each rolling window, for the trip between slot and server.",
    )
    busy_timeout_seconds: float = Field(
        default=30.0, description="How long to wait for another process's ledger transaction."
    )
    penalty_seconds_without_retry_after: float = Field(
        default=30.0,
        description=(
            "How long every process backs off a key after a 429 with no (or an unusable) "
            "Retry-After."
        ),
    )
    keep_for_schedules: int = Field(
        default=0,
        ge=0,
        description=(
            "Day slots a run must leave free for the scheduled runs (what the schedules' next "
            "ticks need): a manual run or backfill is refused if it would eat into them; runs "
            "launched by a schedule are not charged them."
        ),
    )
    minute_seconds: float = Field(
        default=MINUTE_SECONDS,
        gt=0,
        description=(
            "Length of the rolling 'minute' window. A test knob only (no environment variable): "
            "a test paces against a short minute, with the sandbox told the same, instead of "
            "waiting real minutes. OpenRouter's is 60 s."
        ),
    )
    max_penalty_seconds: float = Field(
        default=DEFAULT_MAX_PENALTY_SECONDS,
        description=(
            "Longest back-off a 429 can impose on every process, whatever its Retry-After says "
            "(the ledger never records more than the API's 24 h day window either)."
        ),
    )

    _ledger: Ledger | None = PrivateAttr(default=None)
    _clock: Callable[[], float] | None = PrivateAttr(default=None)  # tests inject a fake
    _sleep: Callable[[float], None] = PrivateAttr(default=time.sleep)

    @property
    def limits(self) -> Limits:
        return Limits(
            self.per_minute, self.per_day, self.margin_seconds, minute_seconds=self.minute_seconds
        )

    def now(self) -> float:
        """Epoch seconds on the ledger's clock (a Postgres ledger's is the server's)."""
        return self._clock() if self._clock is not None else self.ledger().clock()

    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = open_ledger(
                self.database, self.limits, busy_timeout_seconds=self.busy_timeout_seconds
            )
        return self._ledger

    def acquire(
        self,
        key_fp: str,
        *,
        holder: str | None = None,
        run_id: str | None = None,
        label: str | None = None,
        dataset: str | None = None,
        max_wait: float | None = None,
    ) -> Grant:
        """Take a slot for one request, waiting out the minute budget; raise if the day is spent.

        ``max_wait`` shortens ``max_wait_seconds`` (the client passes what is left of its run's
        deadline); ``dataset`` is recorded on the slot.
        """
        log = dg.get_dagster_logger()
        ledger = self.ledger()
        limit, limit_name = self.max_wait_seconds, "max_wait_seconds"
        if max_wait is not None and max_wait < limit:
            limit, limit_name = max(0.0, max_wait), "what is left of the run deadline"
        waited = 0.0
        while True:
            now = self.now()
            decision = ledger.take(
                key_fp,
                self.account,
                now,
                holder=holder,
                run_id=run_id,
                label=label,
                dataset=dataset,
            )
            if isinstance(decision, Grant):
                return decision
            if isinstance(decision, Refuse):
                raise BudgetExhaustedError(day_refusal(decision, self.account, now))
            why = wait_reason(decision, key_fp)
            if waited + decision.seconds > limit:
                lift = (
                    f" If that back-off is wrong, `rankings-etl budget --clear-penalty {key_fp}` "
                    "lifts it."
                    if decision.reason == "penalty"
                    else ""
                )
                raise BudgetExhaustedError(
                    f"OpenRouter {decision.reason} budget: {why}, in "
                    f"{duration(decision.seconds)}; after {duration(waited)} of waiting that "
                    f"exceeds the {duration(limit)} a request may wait ({limit_name}). "
                    f"Nothing was sent.{lift}"
                )
            # A little jitter so processes woken by the same free slot do not all collide.
            pause = max(0.01, decision.seconds) + random.uniform(0, 0.05)
            log.info(f"rate budget: waiting {duration(pause)} for {label or 'a request'}: {why}")
            self._sleep(pause)
            waited += pause

    @contextlib.contextmanager
    def reservation(
        self,
        key_fp: str,
        count: int,
        *,
        run_id: str | None = None,
        label: str | None = None,
        dataset: str | None = None,
        also_needed: int = 0,
        scheduled: bool = False,
    ) -> Iterator[str]:
        """Hold ``count`` day slots for a run, or raise before anything is sent.

        It is refused unless ``also_needed`` more slots (what the run's later steps will ask
        for) and, for a run not launched by a schedule (``scheduled``), ``keep_for_schedules``
        would still be free after it; those are not held, only left free. Yields the holder id
        to pass to :meth:`acquire`; what the run did not use is given back on exit (and, should
        the process die, when the reservation expires).
        """
        holder = f"{(run_id or 'adhoc')[:8]}-{uuid.uuid4().hex[:12]}"
        ledger = self.ledger()
        now = self.now()
        for_schedules = 0 if scheduled else self.keep_for_schedules
        outcome = ledger.reserve(
            holder,
            key_fp,
            self.account,
            count,
            now,
            ttl=self.reservation_ttl_seconds,
            run_id=run_id,
            label=label,
            dataset=dataset,
            also_needed=max(0, also_needed) + for_schedules,
        )
        if isinstance(outcome, Refuse):
            raise BudgetExhaustedError(
                day_refusal(outcome, self.account, now, for_schedules=for_schedules)
            )
        try:
            yield holder
        finally:
            try:
                ledger.release(holder)
            except LEDGER_ERRORS as exc:  # it expires by itself; don't mask the run's outcome
                dg.get_dagster_logger().warning(
                    f"rate budget: could not release reservation {holder} ({exc}); "
                    f"it expires within {duration(self.reservation_ttl_seconds)}"
                )

    def settle(self, grant: Grant, status: int | None) -> None:
        """Record the status the request got (shown by ``rankings-etl budget``)."""
        self.ledger().settle(grant.slot_id, status)

    def penalty_seconds(self, retry_after: float | None) -> float:
        """How long a 429 makes every process back off: what it asked, within the cap.

        No usable ``Retry-After`` (absent, negative, NaN, garbage) means the default; anything
        longer than ``max_penalty_seconds`` (an hour by default) is cut to it: the minute
        window frees within a minute, and the day budget is the ledger's own business, so no
        honest 429 needs every process kept off the key for longer.
        """
        if retry_after is None or not math.isfinite(retry_after) or retry_after < 0:
            seconds = self.penalty_seconds_without_retry_after
        else:
            seconds = retry_after
        return max(0.0, min(seconds, self.max_penalty_seconds))

    def penalize(self, key_fp: str, retry_after: float | None, reason: str) -> float:
        """A 429: make every process back off ``key_fp``; return for how long (capped)."""
        seconds = self.penalty_seconds(retry_after)
        now = self.now()
        self.ledger().penalize(key_fp, self.account, now, now + seconds, reason)
        return seconds

    def usage(self, key_fp: str | None = None, recent: int = 20) -> Usage:
        return self.ledger().usage(self.account, self.now(), key_fp=key_fp, recent=recent)
