"""Errors the pipeline raises, each naming what went wrong without revealing the API key."""

from __future__ import annotations


class RankingsError(Exception):
    """Base class: anything this project refuses to proceed with."""


class RankingsResponseError(RankingsError):
    """A response that does not honour the rankings-daily contract's shape."""


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
    """No usable answer at all: timeout, dropped connection, truncated body."""


class BudgetExhaustedError(RankingsError):
    """The shared rate budget cannot afford the request(s); nothing was sent."""
