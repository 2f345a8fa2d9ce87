"""Errors the pipeline raises, each naming what went wrong without revealing the API key.

Every message is one readable line: what was asked (``rankings-daily <window>``), what went
wrong and, where it helps, what to do. Anything a server sent that reaches a message has been
through :func:`rankings_etl.redaction.server_text` (the key blanked out, control bytes escaped).
"""

from __future__ import annotations


class RankingsError(Exception):
    """Base class: anything this project refuses to proceed with."""


class RankingsResponseError(RankingsError):
    """A response that does not honour the rankings-daily contract's shape."""


class TruncatedResponseError(RankingsResponseError):
    """A 200 whose JSON ends before it should: a transport failure in disguise, worth a retry."""


class OpenRouterAPIError(RankingsError):
    """OpenRouter answered with an error status."""

    def __init__(self, status: int, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class OpenRouterAuthError(OpenRouterAPIError):
    """401: the key is missing or refused. Never retried."""


class OpenRouterBadRequestError(OpenRouterAPIError):
    """400: the request itself is wrong (dates, span). Never retried."""


class OpenRouterRateLimitedError(OpenRouterAPIError):
    """429: a rate limit was hit; ``retry_after`` says when to come back."""


class OpenRouterServerError(OpenRouterAPIError):
    """5xx: OpenRouter failed; worth retrying."""


class OpenRouterTransportError(RankingsError):
    """No usable answer at all: timeout, dropped connection, truncated body.

    ``kind`` is a few words for the retry summary ("connection failed", "truncated body").
    """

    def __init__(self, message: str, kind: str = "transport failure"):
        super().__init__(message)
        self.kind = kind


class OpenRouterDeadlineError(OpenRouterTransportError):
    """A time bound fired; ``bound`` says which one.

    ``"read"``: no byte arrived for ``timeout_seconds``; ``"attempt"``: one request (connect,
    headers and the whole body) outlived ``attempt_timeout_seconds``; ``"run"``: every window,
    retry and wait of a run together outlived ``run_timeout_seconds``. The first two are retried;
    the run's bound ends the run.
    """

    def __init__(self, message: str, bound: str, sent: bool = True):
        super().__init__(message, kind=f"{bound} deadline")
        self.bound = bound
        self.sent = sent  # False: the bound fired before the request went out


class BudgetExhaustedError(RankingsError):
    """The shared rate budget cannot afford the request(s); nothing was sent."""


def show(value: object, limit: int = 60) -> str:
    """A value for an error message, cut short so a hostile 10 kB string stays readable."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} chars)"
