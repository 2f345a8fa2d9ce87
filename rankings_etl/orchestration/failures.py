"""Failures a person can read: what went wrong, in one line, at the top of the run's page.

Dagster shows a step's failure (and the run's, which repeats its first failed step's error)
as the error's first line, then its metadata, then the stack. An exception escaping an asset
comes out as ``DagsterExecutionStepExecutionError: Error occurred while executing op ...``
with the real cause further down; a :class:`dagster.Failure` comes out as its description.
So the project's own errors become a ``Failure`` at the asset boundary, headed by what
happened (the key was refused, the budget is spent until T, the response broke the contract on
these days), with the details in its metadata. The original exception stays chained below it
for whoever debugs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dagster as dg

from rankings_etl.core.check_outcomes import CheckOutcome
from rankings_etl.core.errors import (
    BudgetExhaustedError,
    OpenRouterAPIError,
    OpenRouterAuthError,
    OpenRouterBadRequestError,
    OpenRouterRateLimitedError,
    OpenRouterServerError,
    OpenRouterTransportError,
    RankingsError,
    RankingsResponseError,
)
from rankings_etl.core.windows import Window

#: What happened, by error type (the most specific class listed first wins).
_HEADLINES: tuple[tuple[type[RankingsError], str], ...] = (
    (OpenRouterAuthError, "OpenRouter refused the API key (HTTP 401)"),
    (BudgetExhaustedError, "The OpenRouter rate budget is spent"),
    (OpenRouterRateLimitedError, "OpenRouter rate-limited the key (HTTP 429)"),
    (OpenRouterBadRequestError, "OpenRouter rejected the request (HTTP 400)"),
    (OpenRouterServerError, "OpenRouter kept failing (HTTP 5xx)"),
    (OpenRouterAPIError, "OpenRouter answered with an error"),
    (OpenRouterTransportError, "No usable answer from OpenRouter"),
    (RankingsResponseError, "The response does not honour the Data API's contract"),
    (RankingsError, "The run cannot proceed"),
)

#: How many failing days a one-line summary names (the metadata lists more).
NAMED_DAYS = 3


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def failure_for(error: RankingsError, window: Window) -> dg.Failure:
    """``error`` as a one-line ``Failure``: what happened, then what the error said."""
    headline = next(text for kind, text in _HEADLINES if isinstance(error, kind))
    detail = first_line(str(error)).rstrip(".")
    metadata: dict[str, object] = {"error": type(error).__name__, "days": str(window)}
    if isinstance(error, OpenRouterAPIError):
        metadata["http_status"] = error.status
    return dg.Failure(
        description=f"{headline}; nothing was written for {window}. {detail}.",
        metadata=metadata,
    )


def checks_failure(
    what: str, window: Window, blocking: Sequence[CheckOutcome], broke: str = "breaks its checks"
) -> dg.Failure:
    """A refused write: ``what`` ``broke`` on these days (named), nothing was written."""
    days: dict[dt.date, list[str]] = {}
    for outcome in blocking:
        for day, problem in outcome.errors.items():
            days.setdefault(day, []).append(f"{outcome.spec.name}: {problem}")
    named = [f"{day} ({'; '.join(problems)})" for day, problems in sorted(days.items())]
    more = f" and {len(named) - NAMED_DAYS} more" if len(named) > NAMED_DAYS else ""
    return dg.Failure(
        description=(
            f"{what} for {window} {broke} on {len(days)} day(s): "
            f"{', '.join(named[:NAMED_DAYS])}{more}; nothing was written."
        ),
        metadata={
            "failing_days": [str(day) for day in sorted(days)][:100],
            "failing_checks": sorted(outcome.spec.name for outcome in blocking),
            "problems": [o.summary() for o in blocking],
        },
    )
