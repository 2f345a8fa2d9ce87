"""What an HTTP answer that is not a 200 means: its status as one of the project's errors, its
``Retry-After``, and the server's words, redacted.

Pure functions of an answer already read in full (:class:`Answer`) and the request it answers,
so the client (:mod:`rankings_etl.resources.openrouter_client`) is transport, budget and retries
only, and every message names the request the way the others do: ``<endpoint> <label>``, the
endpoint being the request's own (``rankings-daily 2025-06-15..2025-06-15``,
``app-rankings popular 2025-03-10..2025-03-16``). Nothing a server sends reaches a message
unredacted (:func:`~rankings_etl.redaction.server_text`): the key is blanked out, control bytes
escaped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import json
import math
from typing import Any

import httpx

from rankings_etl.core.errors import (
    OpenRouterAPIError,
    OpenRouterAuthError,
    OpenRouterBadRequestError,
    OpenRouterRateLimitedError,
    OpenRouterServerError,
)
from rankings_etl.core.keys import key_fingerprint
from rankings_etl.data_api.request import ApiRequest
from rankings_etl.redaction import server_text


@dataclasses.dataclass(frozen=True)
class Answer:
    """An HTTP answer read in full within its attempt's deadline."""

    status: int
    headers: httpx.Headers
    content: bytes


def endpoint_name(request: ApiRequest) -> str:
    """The endpoint as messages name it: its path's last segment, e.g. "rankings-daily"."""
    return request.path.rstrip("/").rsplit("/", 1)[-1]


def request_name(request: ApiRequest) -> str:
    """How every message names a request, e.g. "rankings-daily 2025-06-15..2025-06-15"."""
    return f"{endpoint_name(request)} {request.label}"


def error_for(answer: Answer, request: ApiRequest, secret: str) -> OpenRouterAPIError:
    """The error a non-200 answer is, its one-line message naming the request and what the
    server said (``secret``, the API key, blanked out; the key itself named only by its
    fingerprint)."""
    status = answer.status
    detail = error_detail(answer, secret)
    head = f"{request_name(request)}: HTTP {status}"
    if status == 401:
        return OpenRouterAuthError(
            status,
            f"{head}: the OpenRouter API key was refused (key {key_fingerprint(secret)}; "
            f"check OPENROUTER_API_KEY). Server said: {detail}",
        )
    if status == 400:
        return OpenRouterBadRequestError(status, f"{head}: bad request: {detail}")
    if status == 429:
        retry_after = retry_after_seconds(answer)
        return OpenRouterRateLimitedError(
            status,
            f"{head}: rate limited ({retry_after_told(answer, retry_after, secret)}). "
            f"Server said: {detail}",
            retry_after=retry_after,
        )
    if status >= 500:
        return OpenRouterServerError(status, f"{head}: server error: {detail}")
    return OpenRouterAPIError(status, f"{head}: unexpected status: {detail}")


def error_detail(answer: Answer, secret: str) -> str:
    """The ``error.message`` of a JSON error body, or a short excerpt of whatever came.

    Only shown, never stored, so undecodable bytes may become replacement characters here.
    Redacted and escaped either way (:func:`~rankings_etl.redaction.server_text`).
    """
    charset = httpx.Response(answer.status, headers=answer.headers).charset_encoding
    try:
        text = answer.content.decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = answer.content.decode("utf-8", errors="replace")
    try:
        message = json.loads(text)["error"]["message"]
        if isinstance(message, str):
            return server_text(message, secret, 300)
    except (ValueError, KeyError, TypeError, IndexError, RecursionError):
        pass
    return server_text(text, secret, 200) if text.strip() else "(empty body)"


def retry_after_told(answer: Answer, seconds: float | None, secret: str) -> str:
    """What the answer's ``Retry-After`` said, for a message: "Retry-After 7 s", "no
    Retry-After", "unusable Retry-After 'soon'"; ``seconds`` is :func:`retry_after_seconds`'s
    reading of it."""
    raw = answer.headers.get("Retry-After")
    if raw is None:
        return "no Retry-After"
    if seconds is None:
        return f"unusable Retry-After {server_text(raw, secret, 40)!r}"
    if raw.strip().isdigit() or _is_number(raw):
        return f"Retry-After {seconds:g} s"
    return f"Retry-After {server_text(raw, secret, 40)!r}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def retry_after_seconds(response: Any, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date (RFC 9110).

    None when absent or unusable: not a number or a date, negative, NaN or infinite. A date in
    the past is 0. Huge values are returned as they are: the budget caps the back-off it
    records (:meth:`RateBudget.penalize`), and the client refuses to wait longer than
    ``max_retry_after_seconds``.
    """
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        try:
            seconds = max(0.0, (moment - (now or dt.datetime.now(dt.UTC))).total_seconds())
        except OverflowError:
            return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds
