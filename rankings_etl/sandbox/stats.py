"""The record of requests to the Data API endpoints, as ``GET /_sandbox/stats`` reports it."""

from __future__ import annotations

import collections
from typing import Any

#: ``status`` of a request whose connection was closed without an answer (the ``drop`` fault).
DROPPED = 0


class RequestLog:
    """Every Data API request (every endpoint) since start-up or the last reset, oldest first.

    A record: ``time`` (arrival, ISO UTC), ``method``, ``path``, ``endpoint``
    (``rankings-daily`` | ``app-rankings``), ``params`` (every query parameter: the values of
    the endpoints' own parameters, ``***`` for any other), ``status`` (0 = dropped),
    ``key_fp`` (None without a usable Authorization header), ``start_date``/``end_date`` as
    requested (None when omitted), ``resolved_start_date``/``resolved_end_date`` as served
    (None when refused), ``rows``, ``fault`` (the kind applied, or None) and ``ms``.
    """

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        #: Bumped by each reset: a request that arrived before it (a slow or delayed answer
        #: still in flight) is not counted after it, in the next test's figures.
        self.generation = 0

    def add(self, record: dict[str, Any], generation: int | None = None) -> None:
        """Record a finished request; one that began before the last reset is dropped."""
        if generation is None or generation == self.generation:
            self.records.append(record)

    def clear(self) -> None:
        self.records.clear()
        self.generation += 1

    def summary(self) -> dict[str, Any]:
        by_status = collections.Counter(str(r["status"]) for r in self.records)
        by_key = collections.Counter(r["key_fp"] for r in self.records if r["key_fp"])
        by_endpoint = collections.Counter(r["endpoint"] for r in self.records)
        return {
            "total": len(self.records),
            "by_status": dict(by_status),
            "by_key": dict(by_key),
            "by_endpoint": dict(by_endpoint),
            "requests": list(self.records),
        }
