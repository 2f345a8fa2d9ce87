"""The Data API endpoints the sandbox serves, each a query validator and a body builder.

``app.py`` runs every endpoint through one pipeline: Authorization (401, not counted) -> the
one shared rate limiter (30/min per key, 500/day per account across every endpoint; 429) -> the
first queued fault matching the request -> :attr:`SandboxEndpoint.validate` (400, counted) ->
:attr:`SandboxEndpoint.build` -> transport faults. Adding an endpoint is adding one here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rankings_etl.core.api_facts import APP_RANKINGS_PATH, RANKINGS_DAILY_PATH
from rankings_etl.sandbox.apps import CATEGORY_OF_SUBCATEGORY, app_rows
from rankings_etl.sandbox.faults import APP_KINDS, Fault, apply_to_apps, apply_to_meta
from rankings_etl.sandbox.payload import build_rankings_body
from rankings_etl.sandbox.validation import (
    AppsQuery,
    RankingsQuery,
    resolve_apps_query,
    resolve_rankings_query,
)

if TYPE_CHECKING:
    from rankings_etl.sandbox.state import SandboxState

_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


@dataclasses.dataclass(frozen=True)
class SandboxEndpoint:
    #: The name stats, ``request_count(endpoint=...)`` and faults' ``endpoint`` use.
    name: str
    #: Relative to ``/api/v1``.
    path: str
    #: The query parameters of its contract (logged and recorded with their values).
    params: tuple[str, ...]
    #: ``(query parameters, last completed day) -> query``, or a ValidationError (400).
    validate: Callable[[Mapping[str, str], dt.date], Any]
    #: ``(state, query, last completed day, meta, fault) -> (body, rows)``.
    build: Callable[[SandboxState, Any, dt.date, dict[str, Any], Fault | None], tuple[bytes, int]]
    #: The row field the ``latin1_body``/``invalid_utf8`` faults alter.
    text_field: str


def _build_rankings(
    state: SandboxState,
    query: RankingsQuery,
    last_completed: dt.date,
    meta: dict[str, Any],
    fault: Fault | None,
) -> tuple[bytes, int]:
    revisions = state.faults.revisions
    return build_rankings_body(state.source, query, last_completed, meta, revisions, fault)


def _build_apps(
    state: SandboxState,
    query: AppsQuery,
    last_completed: dt.date,
    meta: dict[str, Any],
    fault: Fault | None,
) -> tuple[bytes, int]:
    rows = app_rows(
        state.config.seed,
        query.window,
        query.sort,
        query.limit,
        query.offset,
        query.category,
        query.subcategory,
    )
    if fault is not None:
        if fault.kind in APP_KINDS:
            rows = apply_to_apps(rows, fault, query.limit)
        meta = apply_to_meta(meta, fault)
    return _dumps({"data": rows, "meta": meta}).encode("utf-8"), len(rows)


RANKINGS = SandboxEndpoint(
    name="rankings-daily",
    path=RANKINGS_DAILY_PATH,
    params=(
        "start_date",
        "end_date",
        "period",
        "modality",
        "context_bucket",
        "category",
        "language_type",
    ),
    validate=resolve_rankings_query,
    build=_build_rankings,
    text_field="model_permaslug",
)
APPS = SandboxEndpoint(
    name="app-rankings",
    path=APP_RANKINGS_PATH,
    params=("start_date", "end_date", "sort", "limit", "offset", "category", "subcategory"),
    validate=lambda params, last: resolve_apps_query(params, last, CATEGORY_OF_SUBCATEGORY),
    build=_build_apps,
    text_field="app_name",
)
ENDPOINTS = (RANKINGS, APPS)
