"""The OpenRouter rankings-daily client: the only place that knows URLs, headers and retries.

Assets call :meth:`OpenRouterClient.fetch_windows` and get validated
:class:`~rankings_etl.parsing.RankingsResponse` objects back, or an exception naming the
problem. The API key arrives through ``EnvVar("OPENROUTER_API_KEY")`` and is only ever put in
the ``Authorization`` header: error messages identify a key by a short fingerprint.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence

import dagster as dg
import httpx
import tenacity
from pydantic import Field

from rankings_etl.contract import DEFAULT_BASE_URL, ENDPOINT_PATH
from rankings_etl.errors import (
    OpenRouterAPIError,
    OpenRouterAuthError,
    OpenRouterBadRequestError,
    OpenRouterRateLimitedError,
    OpenRouterServerError,
    OpenRouterTransportError,
    RankingsResponseError,
)
from rankings_etl.parsing import RankingsResponse, parse_rankings_body
from rankings_etl.windows import Window

USER_AGENT = "rankings-etl/0.1 (+dagster)"


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible label for a key: safe to log, store and compare."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:12]


class OpenRouterClient(dg.ConfigurableResource):
    """Fetches rankings-daily windows over HTTP, with timeouts and bounded retries.

    Retried (with exponential backoff and jitter): 5xx, timeouts, dropped connections and
    truncated bodies; a 429 waits for its ``Retry-After``. Never retried: 400 and 401, whose
    answer will not change, and well-formed responses that break the contract.
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

    @property
    def key_fingerprint(self) -> str:
        return key_fingerprint(self.api_key)

    @property
    def endpoint(self) -> str:
        return self.base_url.rstrip("/") + ENDPOINT_PATH

    def fetch_window(self, window: Window) -> RankingsResponse:
        """One window (at most 366 days) in one request, retries aside."""
        return next(self.fetch_windows([window]))

    def fetch_windows(self, windows: Sequence[Window]) -> Iterator[RankingsResponse]:
        """Fetch each window in turn over one connection, yielding validated responses."""
        if not self.api_key or not self.api_key.strip():
            raise OpenRouterAuthError(
                401, "no OpenRouter API key is configured: set OPENROUTER_API_KEY"
            )
        headers = {
            "Authorization": f"Bearer {self.api_key.strip()}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        with httpx.Client(headers=headers, timeout=self.timeout_seconds) as http:
            for window in windows:
                yield self._fetch_with_retries(http, window)

    def _fetch_with_retries(self, http: httpx.Client, window: Window) -> RankingsResponse:
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
                response = self._attempt(http, window)
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

    def _attempt(self, http: httpx.Client, window: Window) -> RankingsResponse:
        params = {"start_date": window.start.isoformat(), "end_date": window.end.isoformat()}
        try:
            response = http.get(self.endpoint, params=params)
        except httpx.TimeoutException as exc:
            raise OpenRouterTransportError(
                f"rankings-daily {window}: no answer within {self.timeout_seconds:g}s "
                f"({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            raise OpenRouterTransportError(
                f"rankings-daily {window}: connection failed ({type(exc).__name__}: {exc})"
            ) from None
        fetched_at = dt.datetime.now(dt.UTC)
        if response.status_code != 200:
            raise self._error_for(response, window)
        try:
            return parse_rankings_body(response.content, window, fetched_at)
        except RankingsResponseError as exc:
            if "not valid JSON" in str(exc):
                # A cut-off body is a transport failure in disguise: worth another attempt.
                raise OpenRouterTransportError(str(exc)) from None
            raise

    def _error_for(self, response: httpx.Response, window: Window) -> OpenRouterAPIError:
        status = response.status_code
        detail = _error_message(response)
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
            return OpenRouterRateLimitedError(
                status,
                f"{where}: rate limited (Retry-After {retry_after}). Server said: {detail}",
                retry_after=retry_after if retry_after is not None else None,
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


def _retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
