"""The OpenRouter rankings-daily client: the only place that knows URLs, headers and retries.

Assets call :meth:`OpenRouterClient.fetch_windows` and get validated
:class:`~rankings_etl.parsing.RankingsResponse` objects back, or an exception naming the
problem. The API key arrives through ``EnvVar("OPENROUTER_API_KEY")`` and is only ever put in
the ``Authorization`` header: error messages, logs and the rate-budget ledger identify a key by a
short fingerprint, and anything a server echoes back has the key blanked out.

Every attempt, retries included, first takes a slot from the shared :class:`RateBudget`; a run
of N windows reserves its N slots up front, so it either has them all or fails before sending
anything. A 429 is recorded in the ledger, so every process backs off the key, not only this one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import email.utils
import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

import dagster as dg
import httpx
import tenacity
from pydantic import Field, PrivateAttr

from rankings_etl.budget.keys import key_fingerprint
from rankings_etl.budget.ledger import LEDGER_ERRORS, Grant
from rankings_etl.budget.report import duration, when
from rankings_etl.contract import DEFAULT_BASE_URL, ENDPOINT_PATH
from rankings_etl.errors import (
    OpenRouterAPIError,
    OpenRouterAuthError,
    OpenRouterBadRequestError,
    OpenRouterRateLimitedError,
    OpenRouterServerError,
    OpenRouterTransportError,
    RankingsError,
    RankingsResponseError,
)
from rankings_etl.parsing import RankingsResponse, parse_rankings_body
from rankings_etl.resources.rate_budget import RateBudget
from rankings_etl.windows import Window

USER_AGENT = "rankings-etl/0.1 (+dagster)"

__all__ = ["OpenRouterClient", "key_fingerprint"]


class OpenRouterClient(dg.ConfigurableResource):
    """Fetches rankings-daily windows over HTTP, with timeouts and bounded retries.

    Retried (with exponential backoff and jitter): 5xx, timeouts, dropped connections and
    truncated bodies; a 429 waits for its ``Retry-After`` (seconds or an HTTP date) and makes
    every process back off the key. Never retried: 400 and 401, whose answer will not change,
    and well-formed responses that break the contract. Each attempt costs a slot of ``budget``.
    """

    api_key: str = Field(description="OpenRouter API key (set through EnvVar).")
    base_url: str = Field(
        default=DEFAULT_BASE_URL, description="API root, e.g. the sandbox's /api/v1."
    )
    timeout_seconds: float = Field(default=60.0, description="Per-request timeout.")
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
    _spent: int = PrivateAttr(default=0)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.dagster_run
        self._run_id = run.run_id if run is not None else None
        self._spent = 0

    @property
    def key_fingerprint(self) -> str:
        return key_fingerprint(self.api_key)

    @property
    def requests_spent(self) -> int:
        """Budget slots this resource took since the step started (every attempt counts)."""
        return self._spent

    @property
    def endpoint(self) -> str:
        return self.base_url.rstrip("/") + ENDPOINT_PATH

    def fetch_window(self, window: Window) -> RankingsResponse:
        """One window (at most 366 days) in one request, retries aside."""
        responses = self.fetch_windows([window])
        try:
            return next(responses)
        finally:
            responses.close()  # give the reservation back now, not when garbage-collected

    def fetch_windows(self, windows: Sequence[Window]) -> Iterator[RankingsResponse]:
        """Fetch each window in turn over one connection, yielding validated responses.

        The run's slots are reserved before the first request: if the day budget cannot cover
        every window, this raises :class:`BudgetExhaustedError` having sent nothing.
        """
        windows = list(windows)
        if not windows:
            return
        if not self.api_key or not self.api_key.strip():
            raise OpenRouterAuthError(
                401, "no OpenRouter API key is configured: set OPENROUTER_API_KEY"
            )
        if httpx.URL(self.endpoint).scheme not in ("http", "https"):
            raise RankingsError(
                f"the OpenRouter base URL must be http(s)://...: {self.base_url!r} "
                "(check OPENROUTER_BASE_URL)"
            )
        headers = {
            "Authorization": f"Bearer {self.api_key.strip()}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        with (
            self._reservation(windows) as holder,
            httpx.Client(headers=headers, timeout=self.timeout_seconds) as http,
        ):
            for window in windows:
                yield self._fetch_with_retries(http, window, holder)

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
    def _reservation(self, windows: list[Window]) -> Iterator[str | None]:
        if self.budget is None:
            yield None
            return
        label = str(windows[0])
        if len(windows) > 1:
            label = f"{len(windows)} windows {windows[0].start}..{windows[-1].end}"
        with self.budget.reservation(
            self.key_fingerprint, len(windows), run_id=self._run_id, label=label
        ) as holder:
            yield holder

    def _fetch_with_retries(
        self, http: httpx.Client, window: Window, holder: str | None
    ) -> RankingsResponse:
        log = dg.get_dagster_logger()
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(max(1, self.max_attempts)),
            wait=self._wait,
            retry=tenacity.retry_if_exception(_is_transient),
            reraise=True,
            before_sleep=lambda state: log.warning(
                f"rankings-daily {window}: attempt {state.attempt_number} failed "
                f"({state.outcome.exception()}); retrying in {state.upcoming_sleep:.1f}s"
            ),
        )
        for attempt in retrying:
            with attempt:
                response = self._attempt(http, window, holder)
                attempts = attempt.retry_state.attempt_number
        return dataclasses.replace(response, attempts=attempts)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, OpenRouterRateLimitedError) and exc.retry_after is not None:
            return exc.retry_after
        backoff = tenacity.wait_random_exponential(
            multiplier=self.backoff_initial_seconds, max=self.backoff_max_seconds
        )
        return backoff(state)

    def _attempt(self, http: httpx.Client, window: Window, holder: str | None) -> RankingsResponse:
        grant = self._take_slot(window, holder)  # waits for the minute; raises if the day is spent
        status = None
        try:
            response = self._send(http, window)
            status = response.status_code
        finally:
            self._settle(grant, status)
        fetched_at = dt.datetime.now(dt.UTC)
        if response.status_code == 429:
            self._penalize(window, _retry_after_seconds(response))
        if response.status_code != 200:
            raise self._error_for(response, window)
        try:
            return parse_rankings_body(response.content, window, fetched_at)
        except RankingsResponseError as exc:
            if "not valid JSON" in str(exc):
                # A cut-off body is a transport failure in disguise: worth another attempt.
                raise OpenRouterTransportError(str(exc)) from None
            raise

    def _send(self, http: httpx.Client, window: Window) -> httpx.Response:
        params = {"start_date": window.start.isoformat(), "end_date": window.end.isoformat()}
        try:
            return http.get(self.endpoint, params=params)
        except httpx.TimeoutException as exc:
            raise OpenRouterTransportError(
                f"rankings-daily {window}: no answer within {self.timeout_seconds:g}s "
                f"({type(exc).__name__})"
            ) from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            # DecodingError: a body cut off inside its gzip/brotli stream.
            raise OpenRouterTransportError(
                f"rankings-daily {window}: connection failed "
                f"({type(exc).__name__}: {self._redact(str(exc))})"
            ) from None

    def _take_slot(self, window: Window, holder: str | None) -> Grant | None:
        if self.budget is None:
            return None
        grant = self.budget.acquire(
            self.key_fingerprint, holder=holder, run_id=self._run_id, label=str(window)
        )
        self._spent += 1
        return grant

    def _settle(self, grant: Grant | None, status: int | None) -> None:
        if self.budget is None or grant is None:
            return
        try:
            self.budget.settle(grant, status)
        except LEDGER_ERRORS as exc:  # the slot is counted; only its status is lost
            dg.get_dagster_logger().warning(f"rate budget: could not record a status: {exc}")

    def _penalize(self, window: Window, retry_after: float | None) -> None:
        if self.budget is None:
            return
        told = "no Retry-After" if retry_after is None else f"Retry-After {retry_after:g} s"
        log = dg.get_dagster_logger()
        try:
            seconds = self.budget.penalize(
                self.key_fingerprint, retry_after, f"HTTP 429 on {window}, {told}"
            )
        except LEDGER_ERRORS as exc:
            log.warning(f"rate budget: could not record a 429 in the ledger: {exc}")
            return
        log.warning(
            f"rate budget: OpenRouter answered 429 ({told}); every process backs off key "
            f"{self.key_fingerprint} for {duration(seconds)}"
        )

    def _redact(self, text: str) -> str:
        """Blank out the key, should a server or library ever echo it back."""
        key = self.api_key.strip()
        return text.replace(key, "[redacted key]") if len(key) >= 4 else text

    def _error_for(self, response: httpx.Response, window: Window) -> OpenRouterAPIError:
        status = response.status_code
        detail = self._redact(_error_message(response))
        where = f"rankings-daily {window}: HTTP {status}"
        if status == 401:
            return OpenRouterAuthError(
                status,
                f"{where}: the OpenRouter API key was refused (key {self.key_fingerprint}; "
                f"check OPENROUTER_API_KEY). Server said: {detail}",
            )
        if status == 400:
            return OpenRouterBadRequestError(status, f"{where}: bad request: {detail}")
        if status == 429:
            retry_after = _retry_after_seconds(response)
            if retry_after is not None and retry_after > self.max_retry_after_seconds:
                return OpenRouterAPIError(
                    status,
                    f"{where}: rate limited for {retry_after:.0f}s, longer than the "
                    f"{self.max_retry_after_seconds:.0f}s this client waits. "
                    f"Server said: {detail}",
                )
            told = "no Retry-After" if retry_after is None else f"Retry-After {retry_after:g} s"
            return OpenRouterRateLimitedError(
                status,
                f"{where}: rate limited ({told}). Server said: {detail}",
                retry_after=retry_after,
            )
        if status >= 500:
            return OpenRouterServerError(status, f"{where}: server error: {detail}")
        return OpenRouterAPIError(status, f"{where}: unexpected status: {detail}")


def _is_transient(exc: BaseException) -> bool:
    return isinstance(
        exc, (OpenRouterServerError, OpenRouterRateLimitedError, OpenRouterTransportError)
    )


def _error_message(response: httpx.Response) -> str:
    """The ``error.message`` of a JSON error body, or a short excerpt of whatever came."""
    try:
        payload = response.json()
        message = payload["error"]["message"]
        if isinstance(message, str):
            return message[:300]
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        pass
    text = response.text.strip()
    return (text[:200] + "...") if len(text) > 200 else (text or "(empty body)")


def _retry_after_seconds(response: httpx.Response, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date (RFC 9110)."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        seconds = (moment - (now or dt.datetime.now(dt.UTC))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None
