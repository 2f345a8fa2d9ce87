"""The one client of OpenRouter's Data API: the only place that knows URLs, headers and retries.

A dataset says what to send (its :class:`~rankings_etl.data_api.request.ApiRequest` list) and
how to read a body (its ``parse``); :meth:`OpenRouterClient.fetch` sends them and yields each
parsed answer (:class:`Fetched`), or raises one of the
project's own exceptions (:mod:`rankings_etl.core.errors`) whose one-line message names the
problem. The API key arrives through ``EnvVar("OPENROUTER_API_KEY")`` and is only ever put in
the ``Authorization`` header: error messages, logs and the rate-budget ledger identify a key by
a short fingerprint, and anything a server sends back goes through one redaction
(:mod:`rankings_etl.redaction`) before it is quoted or stored.

Every attempt, retries included, first takes a slot from the shared :class:`RateBudget`; a run
of N requests reserves its N slots up front, so it either has them all or fails before sending
anything. A 429 is recorded in the ledger, so every process backs off the key, not only this one.

Time is bounded three ways, and a failure says which bound fired: each read
(``timeout_seconds``), each attempt as a whole, connect, headers and body
(``attempt_timeout_seconds``), and the run, every window, retry and wait together
(``run_timeout_seconds``). Messages name a request as ``<endpoint> <label>``, e.g.
``rankings-daily 2025-06-15..2025-06-15``. Size is bounded too (``max_body_bytes``).

This module is transport, budget and retries; what a non-200 answer means (its error class and
message, its ``Retry-After``, the server's words redacted) is
:mod:`rankings_etl.data_api.responses`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import dagster as dg
import httpx
from pydantic import Field, PrivateAttr

from rankings_etl.budget.ledger import LEDGER_ERRORS, Grant
from rankings_etl.budget.messages import duration, when
from rankings_etl.core.errors import (
    BudgetExhaustedError,
    OpenRouterAPIError,
    OpenRouterAuthError,
    OpenRouterDeadlineError,
    OpenRouterRateLimitedError,
    OpenRouterServerError,
    OpenRouterTransportError,
    RankingsError,
    RankingsResponseError,
    TruncatedResponseError,
)
from rankings_etl.core.keys import key_fingerprint
from rankings_etl.data_api.body import decode_body
from rankings_etl.data_api.request import ApiRequest
from rankings_etl.data_api.responses import (
    Answer,
    endpoint_name,
    error_detail,
    error_for,
    request_name,
    retry_after_seconds,
    retry_after_told,
)
from rankings_etl.data_api.transport import request_headers, request_url
from rankings_etl.redaction import server_text
from rankings_etl.resources.deadlines import AttemptWatchdog, RunClock
from rankings_etl.resources.rate_budget import RateBudget
from rankings_etl.settings import DEFAULTS

MIB = 1024 * 1024

__all__ = ["Fetched", "OpenRouterClient", "Parse"]

T = TypeVar("T")

#: The tag Dagster puts on every run a schedule launched (``dagster/schedule_name``).
SCHEDULE_NAME_TAG = "dagster/schedule_name"

#: A dataset's parser: (body text as received, its request, when it arrived, the API key to
#: redact) -> the typed response; raises RankingsResponseError naming what is wrong.
Parse = Callable[[str, ApiRequest, dt.datetime, str], T]


@dataclasses.dataclass(frozen=True)
class Fetched(Generic[T]):
    """One request's parsed answer and what it cost."""

    request: ApiRequest
    parsed: T
    attempts: int  # HTTP requests it took, retries included


@dataclasses.dataclass
class _Session:
    """What the attempts of one ``fetch`` call share."""

    http: httpx.Client
    holder: str | None
    run: RunClock
    watchdog: AttemptWatchdog


class OpenRouterClient(dg.ConfigurableResource):
    """Sends a dataset's requests over HTTP, with time bounds and bounded retries.

    Retried (with exponential backoff and jitter): 5xx, timeouts, an attempt that outlived its
    deadline, dropped connections and truncated bodies; a 429 waits for its ``Retry-After``
    (seconds or an HTTP date) and makes every process back off the key. Never retried: 400 and
    401, whose answer will not change, a 429 asking for longer than ``max_retry_after_seconds``,
    and well-formed responses that break the contract. Each attempt costs a slot of ``budget``.
    """

    api_key: str = Field(description="OpenRouter API key (set through EnvVar).")
    base_url: str = Field(
        default=DEFAULTS.base_url, description="API root, e.g. the sandbox's /api/v1."
    )
    timeout_seconds: float = Field(
        default=60.0, description="Longest wait for any one connect, write or read."
    )
    attempt_timeout_seconds: float = Field(
        default=180.0,
        description=(
            "Longest one attempt may take as a whole: connect, headers and the entire body. "
            "Cuts a server that trickles bytes slowly enough to never trip timeout_seconds."
        ),
    )
    run_timeout_seconds: float = Field(
        default=1200.0,
        description=(
            "Longest fetch_windows may take: every window, attempt, backoff and budget wait."
        ),
    )
    max_body_bytes: int = Field(
        default=64 * MIB,
        description="Largest body accepted (decoded); a full 366-day window is about 1.5 MB.",
    )
    max_attempts: int = Field(
        default=4, description="Attempts per window, the first included; each one is counted."
    )
    backoff_initial_seconds: float = Field(
        default=1.0, description="First backoff after a transient failure (doubles, jittered)."
    )
    backoff_max_seconds: float = Field(default=30.0, description="Longest single backoff.")
    max_retry_after_seconds: float = Field(
        default=120.0, description="A 429 asking to wait longer than this fails instead."
    )
    budget: RateBudget | None = Field(
        default=None,
        description=(
            "The shared rate budget every attempt draws on (definitions.py always sets it); "
            "None sends unbudgeted, for tests and one-off scripts only."
        ),
    )

    _run_id: str | None = PrivateAttr(default=None)
    _scheduled: bool = PrivateAttr(default=False)
    _spent: int = PrivateAttr(default=0)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.dagster_run
        self._run_id = run.run_id if run is not None else None
        # A schedule's run spends the slots the budget keeps for schedules: it is not charged
        # them again (RateBudget.keep_for_schedules).
        self._scheduled = run is not None and SCHEDULE_NAME_TAG in (run.tags or {})
        self._spent = 0

    @property
    def key_fingerprint(self) -> str:
        return key_fingerprint(self.api_key)

    @property
    def requests_spent(self) -> int:
        """Budget slots this resource took since the step started (every attempt counts)."""
        return self._spent

    def fetch(
        self, requests: Sequence[ApiRequest], parse: Parse[T], also_needed: int = 0
    ) -> Iterator[Fetched[T]]:
        """Send each request in turn over one connection, yielding its parsed answer.

        The run's slots are reserved before the first request: if the day budget cannot cover
        every request, with ``also_needed`` more (what the run's later steps will send) and the
        budget's ``keep_for_schedules`` (unless a schedule launched the run) still free after
        them, this raises :class:`BudgetExhaustedError` having sent nothing. Each slot is
        recorded for its request's ``dataset``. The run's deadline (``run_timeout_seconds``)
        starts here.
        """
        requests = list(requests)
        if not requests:
            return
        if not self.api_key or not self.api_key.strip():
            raise OpenRouterAuthError(
                401, "no OpenRouter API key is configured: set OPENROUTER_API_KEY"
            )
        try:
            scheme = httpx.URL(request_url(self.base_url, requests[0])).scheme
        except httpx.InvalidURL as exc:
            raise RankingsError(
                f"the OpenRouter base URL is not a URL ({exc}): check OPENROUTER_BASE_URL"
            ) from None
        if scheme not in ("http", "https"):
            raise RankingsError(
                f"the OpenRouter base URL must be http(s)://...: {self.base_url!r} "
                "(check OPENROUTER_BASE_URL)"
            )
        run = RunClock(self.run_timeout_seconds)
        headers = request_headers(self.api_key)
        with (
            self._reservation(requests, also_needed) as holder,
            httpx.Client(headers=headers, timeout=self.timeout_seconds) as http,
        ):
            session = _Session(http, holder, run, AttemptWatchdog())
            for request in requests:
                yield self._fetch_with_retries(session, request, parse)

    def budget_metadata(self) -> dict[str, Any]:
        """Budget figures for a materialization: requests this step spent, what is left today.

        Never raises: the data is written by the time this is asked, and a ledger that cannot
        be read must not fail the step.
        """
        if self.budget is None:
            return {}
        figures: dict[str, Any] = {"budget_requests_spent": self._spent}
        try:
            usage = self.budget.usage(self.key_fingerprint, recent=0)
        except (*LEDGER_ERRORS, OSError, ValueError) as exc:
            dg.get_dagster_logger().warning(f"rate budget: could not read the ledger: {exc}")
            return figures
        key = usage.key(self.key_fingerprint)
        figures.update(
            {
                "budget_used_today": usage.day_used,
                "budget_remaining_today": usage.day_remaining,
                "budget_day_limit": usage.limits.per_day,
                "budget_remaining_this_minute": key.minute_remaining if key else None,
                "budget_next_free_slot": when(usage.day_next_free),
            }
        )
        return figures

    @contextlib.contextmanager
    def _reservation(self, requests: list[ApiRequest], also_needed: int) -> Iterator[str | None]:
        if self.budget is None:
            yield None
            return
        first, last = requests[0], requests[-1]
        label = first.label
        if len(requests) > 1:
            label = f"{len(requests)} windows {first.window.start}..{last.window.end}"
        datasets = {request.dataset for request in requests}
        reservation = self.budget.reservation(
            self.key_fingerprint,
            len(requests),
            run_id=self._run_id,
            label=label,
            dataset=datasets.pop() if len(datasets) == 1 else None,
            also_needed=also_needed,
            scheduled=self._scheduled,
        )
        try:
            holder = reservation.__enter__()
        except LEDGER_ERRORS as exc:
            raise RankingsError(
                f"{endpoint_name(first)} {label}: the rate-budget ledger cannot be used "
                f"({exc}); nothing was sent"
            ) from None
        with contextlib.ExitStack() as stack:
            stack.push(reservation)
            yield holder

    # --- retries ------------------------------------------------------------------------------

    def _fetch_with_retries(
        self, session: _Session, request: ApiRequest, parse: Parse[T]
    ) -> Fetched[T]:
        """Attempts until one succeeds, one fails for good, or a bound is reached.

        What is raised is the project's own exception with one line saying what happened; after
        several attempts it also lists how each one failed.
        """
        log = dg.get_dagster_logger()
        attempts = max(1, self.max_attempts)
        failures: list[str] = []  # how each attempt that was sent failed, for the summary
        for number in range(1, attempts + 1):
            try:
                parsed = self._attempt(session, request, parse)
            except RankingsError as exc:
                sent = not isinstance(exc, BudgetExhaustedError) and getattr(exc, "sent", True)
                if sent:
                    failures.append(_failure_kind(exc))
                if not self._worth_retrying(exc) or number == attempts:
                    raise _summarized(exc, failures, sent) from None
                pause = self._pause(exc, number)
                left = session.run.remaining()
                if pause >= left:
                    raise OpenRouterDeadlineError(
                        f"{request_name(request)}: the run deadline ({self._run_bound()}) "
                        f"leaves {duration(left)}, less than the {duration(pause)} to wait before "
                        f"attempt {number + 1}; {_attempts_line(failures)}. The last: {exc}",
                        "run",
                        sent=False,
                    ) from None
                log.warning(
                    f"{request_name(request)}: attempt {number} of {attempts} failed ({exc}); "
                    f"retrying in {pause:.1f}s"
                )
                time.sleep(pause)
                continue
            return Fetched(request, parsed, attempts=number)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _worth_retrying(self, exc: RankingsError) -> bool:
        if isinstance(exc, OpenRouterRateLimitedError):
            return exc.retry_after is None or exc.retry_after <= self.max_retry_after_seconds
        if isinstance(exc, OpenRouterDeadlineError):
            return exc.bound != "run"
        return isinstance(exc, (OpenRouterServerError, OpenRouterTransportError))

    def _pause(self, exc: RankingsError, number: int) -> float:
        if isinstance(exc, OpenRouterRateLimitedError) and exc.retry_after is not None:
            return exc.retry_after
        # Full jitter: uniform in [0, min(max, initial * 2^(n-1))].
        ceiling = min(self.backoff_max_seconds, self.backoff_initial_seconds * 2 ** (number - 1))
        return random.uniform(0, max(0.0, ceiling))

    def _run_bound(self) -> str:
        seconds = self.run_timeout_seconds
        return f"{seconds:g} s for every window, retry and wait; run_timeout_seconds"

    # --- one attempt --------------------------------------------------------------------------

    def _attempt(self, session: _Session, request: ApiRequest, parse: Parse[T]) -> T:
        where = request_name(request)
        left = session.run.remaining()
        if left <= 0:
            raise OpenRouterDeadlineError(
                f"{where}: the run deadline ({self._run_bound()}) passed before this attempt",
                "run",
                sent=False,
            )
        # Waits for the minute budget (within the run's deadline); raises if the day is spent.
        grant = self._take_slot(request, session.holder, max_wait=left)
        status = None
        try:
            answer = self._send(session, request)
            status = answer.status
        finally:
            self._settle(grant, status)
        fetched_at = dt.datetime.now(dt.UTC)
        penalty = self._penalize(request, answer) if answer.status == 429 else None
        if answer.status != 200:
            raise self._error_for(answer, request, penalty)
        content_type = answer.headers.get("content-type")
        try:
            text = decode_body(answer.content, content_type, f"{where}: the body")
            return parse(text, request, fetched_at, self.api_key)
        except TruncatedResponseError as exc:
            # A cut-off body is a transport failure in disguise: worth another attempt.
            raise OpenRouterTransportError(str(exc), kind="truncated body") from None
        except RankingsResponseError as exc:
            if content_type and "json" not in content_type.lower():
                shown = server_text(content_type, self.api_key, 80)
                raise RankingsResponseError(
                    f"{exc} (the server sent Content-Type {shown}, not JSON)"
                ) from None
            raise

    def _send(self, session: _Session, request: ApiRequest) -> Answer:
        """One GET, read in full within the attempt's deadline (and the run's)."""
        where = request_name(request)
        run_left = session.run.remaining()
        seconds = min(self.attempt_timeout_seconds, run_left)
        bound = "attempt" if self.attempt_timeout_seconds <= run_left else "run"
        # No single connect or read may outlast the attempt either.
        timeout = httpx.Timeout(max(0.001, min(self.timeout_seconds, seconds)))
        started = time.monotonic()
        ends = started + seconds
        received = 0
        watchdog = session.watchdog
        try:
            with (
                watchdog.armed(seconds),
                session.http.stream(
                    "GET",
                    request_url(self.base_url, request),
                    params=dict(request.params),
                    timeout=timeout,
                    extensions={"trace": watchdog.trace},
                ) as response,
            ):
                chunks = []
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > self.max_body_bytes:
                        raise RankingsResponseError(
                            f"{where}: the body is larger than {self.max_body_bytes:,} bytes "
                            f"(max_body_bytes; HTTP {response.status_code}); refused unread"
                        )
                    chunks.append(chunk)
                answer = Answer(response.status_code, response.headers, b"".join(chunks))
        except (httpx.HTTPError, httpx.StreamError) as exc:
            if watchdog.fired or time.monotonic() >= ends - 0.005:
                raise self._deadline_error(where, bound, seconds, received) from None
            if isinstance(exc, httpx.TimeoutException):
                raise OpenRouterDeadlineError(
                    f"{where}: no data for {min(self.timeout_seconds, seconds):g}s "
                    f"(timeout_seconds; {type(exc).__name__})",
                    "read",
                ) from None
            # DecodingError: a body cut off inside its gzip/brotli stream.
            raise OpenRouterTransportError(
                f"{where}: connection failed "
                f"({type(exc).__name__}: {server_text(str(exc), self.api_key, 200)})",
                kind="connection failed",
            ) from None
        if watchdog.fired:  # e.g. a body read until close, cut by the deadline
            raise self._deadline_error(where, bound, seconds, received)
        return answer

    def _deadline_error(
        self, where: str, bound: str, seconds: float, received: int
    ) -> OpenRouterDeadlineError:
        if bound == "run":
            what = f"the run deadline ({self._run_bound()}) passed during this attempt"
        else:
            what = (
                f"the attempt deadline ({self.attempt_timeout_seconds:g} s for connect, headers "
                "and the whole body; attempt_timeout_seconds) passed"
            )
        got = f"{received:,} bytes of body received" if received else "no body received"
        return OpenRouterDeadlineError(f"{where}: {what} ({got} in {seconds:.1f} s)", bound)

    # --- the budget ---------------------------------------------------------------------------

    def _take_slot(self, request: ApiRequest, holder: str | None, max_wait: float) -> Grant | None:
        if self.budget is None:
            return None
        try:
            grant = self.budget.acquire(
                self.key_fingerprint,
                holder=holder,
                run_id=self._run_id,
                label=request.label,
                dataset=request.dataset,
                max_wait=max_wait,
            )
        except LEDGER_ERRORS as exc:
            raise RankingsError(
                f"{request_name(request)}: the rate-budget ledger cannot be used ({exc}); "
                "nothing was sent"
            ) from None
        self._spent += 1
        return grant

    def _settle(self, grant: Grant | None, status: int | None) -> None:
        if self.budget is None or grant is None:
            return
        try:
            self.budget.settle(grant, status)
        except LEDGER_ERRORS as exc:  # the slot is counted; only its status is lost
            dg.get_dagster_logger().warning(f"rate budget: could not record a status: {exc}")

    def _penalize(self, request: ApiRequest, answer: Answer) -> float | None:
        """Record a 429 so every process backs off the key; return the back-off recorded."""
        if self.budget is None:
            return None
        retry_after = retry_after_seconds(answer)
        told = retry_after_told(answer, retry_after, self.api_key)
        log = dg.get_dagster_logger()
        try:
            seconds = self.budget.penalize(
                self.key_fingerprint, retry_after, f"HTTP 429 on {request.label}, {told}"
            )
        except LEDGER_ERRORS as exc:
            log.warning(f"rate budget: could not record a 429 in the ledger: {exc}")
            return None
        capped = retry_after is not None and seconds < retry_after
        log.warning(
            f"rate budget: OpenRouter answered 429 ({told}); every process backs off key "
            f"{self.key_fingerprint} for {duration(seconds)}"
            + (f" (capped: the server asked for {duration(retry_after)})" if capped else "")
        )
        return seconds

    # --- error statuses -----------------------------------------------------------------------

    def _error_for(
        self, answer: Answer, request: ApiRequest, penalty: float | None
    ) -> OpenRouterAPIError:
        """The error a non-200 answer is (:func:`~rankings_etl.data_api.responses.error_for`);
        a 429 asking for longer than this client waits says so, and how to lift the back-off
        it recorded for every process."""
        error = error_for(answer, request, self.api_key)
        retry_after = getattr(error, "retry_after", None)
        if answer.status != 429 or retry_after is None:
            return error
        if retry_after <= self.max_retry_after_seconds:
            return error
        told = retry_after_told(answer, retry_after, self.api_key)
        backing = (
            f"; every process backs off key {self.key_fingerprint} for "
            f"{duration(penalty)} (`rankings-etl budget --clear-penalty "
            f"{self.key_fingerprint}` lifts it)"
            if penalty is not None
            else ""
        )
        return OpenRouterRateLimitedError(
            answer.status,
            f"{request_name(request)}: HTTP {answer.status}: rate limited, and the server asks "
            f"to wait {duration(retry_after)} ({told}), longer than the "
            f"{duration(self.max_retry_after_seconds)} this client waits "
            f"(max_retry_after_seconds){backing}. Server said: "
            f"{error_detail(answer, self.api_key)}",
            retry_after=retry_after,
        )


def _failure_kind(exc: RankingsError) -> str:
    """A few words for how one attempt failed, for the summary after several."""
    if isinstance(exc, OpenRouterAPIError):
        return f"HTTP {exc.status}"
    if isinstance(exc, OpenRouterTransportError):
        return exc.kind
    return "refused response"


def _attempts_line(failures: list[str]) -> str:
    if not failures:
        return "no attempt was sent"
    return f"{len(failures)} attempt(s) sent: {', '.join(failures)}"


def _summarized(exc: RankingsError, failures: list[str], sent: bool) -> RankingsError:
    """The last exception, its message completed with how the earlier attempts failed.

    Same type and attributes (callers and the retry logic dispatch on them), no chained cause.
    """
    earlier = failures if not sent else failures[:-1]
    if not earlier:
        return exc
    if sent:
        tail = f" (gave up after {len(failures)} attempts: {', '.join(failures)})"
    else:
        tail = f" (after {_attempts_line(earlier)})"
    # Not copy.copy: it would call __init__ with args that do not match its signature.
    summarized = type(exc).__new__(type(exc), f"{exc}{tail}")
    summarized.__dict__.update(vars(exc))
    summarized.args = (f"{exc}{tail}",)
    return summarized
