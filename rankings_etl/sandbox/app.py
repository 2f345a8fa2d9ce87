"""The sandbox as an ASGI app: the Data API endpoints (``endpoints.py``) plus an admin API.

Why starlette + uvicorn: both already come with ``dagster-webserver``, so the sandbox adds no
dependency; routing, query parsing and JSON errors take a few lines; uvicorn serves concurrent
clients on one event loop, so a ``delay`` fault holds one connection without stalling the others,
and a 1.5 MB full-history answer leaves in milliseconds. ASGI has no way to close a connection
without answering, which the ``drop`` and ``truncate`` faults need: ``server.py`` passes a
callable that does it in ``scope["extensions"]``, see :data:`ABORT_EXTENSION`.

Every endpoint (``GET /api/v1/datasets/rankings-daily``, ``GET /api/v1/datasets/app-rankings``),
in order: Authorization (401, not counted against the limits), the one shared rate limiter (429
with Retry-After; refused requests use no slot), the first queued fault matching the request,
validation (400; counted: the request was authenticated, as every authenticated request counts
on OpenRouter), then the rows.

Admin API (no key; loopback clients only, 403 otherwise), not counted in the stats:

- ``GET /_sandbox/faults`` -> ``{"queue": [...], "revisions": {date: factor}}``;
  ``POST /_sandbox/faults`` with a fault object or a list of them (all validated before any is
  queued) -> the listing; ``DELETE /_sandbox/faults`` clears faults and revisions.
- ``GET /_sandbox/stats`` -> ``{"total", "by_status", "by_key", "by_endpoint", "requests"}``
  (every endpoint).
- ``POST /_sandbox/reset`` clears stats, faults, revisions and rate windows.
- ``GET /_sandbox/config``; ``POST /_sandbox/config`` with any of ``per_minute``, ``per_day``,
  ``minute_seconds``, ``as_of``, ``today`` (null = default) -> the settings in force.
- ``GET /_sandbox/health`` -> ``{"ok": true, ...}`` (for readiness probes).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from rankings_etl.core.api_facts import API_VERSION
from rankings_etl.core.keys import key_fingerprint
from rankings_etl.sandbox.config import SandboxConfig
from rankings_etl.sandbox.endpoints import ENDPOINTS, SandboxEndpoint
from rankings_etl.sandbox.faults import BODY_KINDS, FaultError, apply_to_body, fault_from_dict
from rankings_etl.sandbox.keys import account_for, bearer_key
from rankings_etl.sandbox.state import SandboxState
from rankings_etl.sandbox.stats import DROPPED
from rankings_etl.sandbox.validation import ValidationError

API_PREFIX = "/api/v1"
ADMIN_PREFIX = "/_sandbox"
#: ``scope["extensions"][ABORT_EXTENSION]()`` closes the client connection at once.
ABORT_EXTENSION = "rankings_etl.sandbox.abort"
#: Query parameters logged with their values (those of the endpoints' contracts); others are
#: logged as ``name=***`` (never a secret).
LOGGED_PARAMS = tuple(dict.fromkeys(name for endpoint in ENDPOINTS for name in endpoint.params))

logger = logging.getLogger("rankings_etl.sandbox")


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """OpenRouter's error shape: ``{"error": {"code": <int>, "message": "<text>"}}``."""
    return JSONResponse({"error": {"code": status, "message": message}}, status, headers)


# --- responses that misbehave on purpose -------------------------------------------------------


async def _abort(scope: Scope, receive: Receive) -> None:
    abort = scope.get("extensions", {}).get(ABORT_EXTENSION)
    if abort is None:
        raise RuntimeError(
            "closing a connection needs the sandbox's own server (rankings_etl.sandbox.server)"
        )
    abort()
    try:  # wait until the server has seen the connection go, so it does not answer a 500
        async with asyncio.timeout(2):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        pass


class DroppedConnection(Response):
    """No status line, no headers: the connection is closed (the ``drop`` fault)."""

    def __init__(self) -> None:
        super().__init__(b"")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _abort(scope, receive)


class TruncatedBody(Response):
    """200 announcing the whole body's length, half of it sent, then the connection closed."""

    def __init__(self, body: bytes) -> None:
        super().__init__(body, 200, media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        cut = self.body[: max(1, len(self.body) // 2)]
        await send({"type": "http.response.body", "body": cut, "more_body": True})
        await _abort(scope, receive)


class TrickledBody(Response):
    """200 and its headers at once, then the body a few bytes at a time (the ``trickle`` fault).

    Stops as soon as the client disconnects, so a client that gives up frees the sandbox too.
    """

    def __init__(self, body: bytes, media_type: str, chunk: int, interval: float) -> None:
        super().__init__(body, 200, media_type=media_type)
        self.chunk = chunk
        self.interval = interval

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.create_task(watch())
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            for start in range(0, len(self.body), self.chunk):
                if gone.is_set():
                    return
                part = self.body[start : start + self.chunk]
                more = start + self.chunk < len(self.body)
                await send({"type": "http.response.body", "body": part, "more_body": more})
                if more:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(gone.wait(), self.interval)
        finally:
            watcher.cancel()


# --- the endpoints ----------------------------------------------------------------------------


def _recorded_params(query: Mapping[str, str]) -> dict[str, str]:
    """Every query parameter: the endpoints' own with their values, any other as ``***``."""
    return {name: value if name in LOGGED_PARAMS else "***" for name, value in query.items()}


def endpoint_handler(endpoint: SandboxEndpoint) -> Callable[[Request], Awaitable[Response]]:
    """The starlette handler of one Data API endpoint: the shared pipeline, and its record."""

    async def handle(request: Request) -> Response:
        state: SandboxState = request.app.state.sandbox
        started = time.perf_counter()
        generation = state.log.generation
        record: dict[str, Any] = {
            "time": state.timestamp(),
            "method": request.method,
            "path": request.url.path,
            "endpoint": endpoint.name,
            "params": _recorded_params(request.query_params),
            "status": None,
            "key_fp": None,
            "start_date": request.query_params.get("start_date"),
            "end_date": request.query_params.get("end_date"),
            "resolved_start_date": None,
            "resolved_end_date": None,
            "rows": 0,
            "fault": None,
        }
        try:
            response = await _answer(request, endpoint, state, record)
            dropped = isinstance(response, DroppedConnection)
            record["status"] = DROPPED if dropped else response.status_code
            return response
        finally:
            record["ms"] = round((time.perf_counter() - started) * 1000, 2)
            state.log.add(record, generation)
            request.state.log_extra = record

    handle.__name__ = endpoint.name.replace("-", "_")
    return handle


async def _answer(
    request: Request, endpoint: SandboxEndpoint, state: SandboxState, record: dict[str, Any]
) -> Response:
    key = bearer_key(request.headers.get("authorization"))
    if key is None:
        return error_response(
            401, "missing or malformed Authorization header; expected `Authorization: Bearer <key>`"
        )
    record["key_fp"] = key_fingerprint(key)
    account = account_for(key, state.config.keys)
    if account is None:
        why = "not one of the sandbox's --keys" if state.config.keys else "not an sk-or-... key"
        return error_response(401, f"invalid API key (fingerprint {record['key_fp']}): {why}")

    decision = state.limiter.admit(record["key_fp"], account)
    if not decision.admitted:
        return error_response(429, decision.message, {"Retry-After": str(decision.retry_after)})

    fault = state.faults.take(endpoint.name, request.query_params)
    if fault is not None:
        record["fault"] = fault.kind
        if fault.kind == "status":
            status = fault.params["status"]
            headers = {}
            if "retry_after" in fault.params:
                headers["Retry-After"] = str(fault.params["retry_after"])
            message = fault.params.get("message", f"injected fault: HTTP {status}")
            return error_response(status, message, headers)
        if fault.kind == "delay":
            await asyncio.sleep(fault.params["seconds"])
        elif fault.kind == "drop":
            return DroppedConnection()

    last_completed = state.last_completed_day()
    try:
        query = endpoint.validate(request.query_params, last_completed)
    except ValidationError as exc:
        return error_response(400, str(exc))
    window = query.window
    record["resolved_start_date"] = window.start.isoformat()
    record["resolved_end_date"] = window.end.isoformat()
    meta = {
        "as_of": state.as_of(),
        "version": API_VERSION,
        "start_date": window.start.isoformat(),
        "end_date": window.end.isoformat(),
    }
    body, record["rows"] = endpoint.build(state, query, last_completed, meta, fault)
    media_type = "application/json"
    if fault is not None and fault.kind in BODY_KINDS:
        body, media_type = apply_to_body(body, fault, key, endpoint.text_field)
    if fault is not None and fault.kind == "trickle":
        chunk, interval = fault.params.get("chunk", 1), fault.params.get("interval", 1.0)
        return TrickledBody(body, media_type, chunk, interval)
    if fault is not None and fault.kind == "truncate":
        if fault.params.get("honest_length"):
            return Response(body[: max(1, len(body) // 2)], 200, media_type="application/json")
        return TruncatedBody(body)
    return Response(body, 200, media_type=media_type)


# --- the admin API -----------------------------------------------------------------------------


def is_loopback(host: str | None) -> bool:
    """Whether a peer address is this machine (None: a Unix socket or an in-process client)."""
    if host is None:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return (mapped or address).is_loopback


def _require_loopback(request: Request) -> None:
    if not is_loopback(request.client.host if request.client else None):
        raise HTTPException(403, "the sandbox admin API answers loopback clients only")


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"the request body is not JSON: {exc.msg}") from None


async def admin_faults(request: Request) -> Response:
    _require_loopback(request)
    faults = request.app.state.sandbox.faults
    if request.method == "POST":
        payload = await _json_body(request)
        specs = payload if isinstance(payload, list) else [payload]
        try:
            parsed = [fault_from_dict(spec) for spec in specs]
        except FaultError as exc:
            return error_response(400, str(exc))
        for fault in parsed:
            faults.add(fault)
    elif request.method == "DELETE":
        faults.clear()
    return JSONResponse(faults.listing())


async def admin_stats(request: Request) -> Response:
    _require_loopback(request)
    return JSONResponse(request.app.state.sandbox.log.summary())


async def admin_reset(request: Request) -> Response:
    _require_loopback(request)
    request.app.state.sandbox.reset()
    return JSONResponse({"reset": True})


async def admin_config(request: Request) -> Response:
    _require_loopback(request)
    state: SandboxState = request.app.state.sandbox
    if request.method == "POST":
        try:
            state.configure(await _json_body(request))
        except ValueError as exc:
            return error_response(400, str(exc))
    return JSONResponse(state.describe())


async def admin_health(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    return JSONResponse(
        {
            "ok": True,
            "source": state.source.description,
            "last_completed_day": state.last_completed_day().isoformat(),
        }
    )


# --- errors and the access log -----------------------------------------------------------------


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"no such endpoint: {request.url.path}"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = exc.detail
    return error_response(exc.status_code, message, exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500, f"internal sandbox error: {type(exc).__name__}")


def _logged_query(query_string: bytes) -> str:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    shown = [
        f"{name}={quote(value, safe='-:')}" if name in LOGGED_PARAMS else f"{quote(name)}=***"
        for name, value in pairs
    ]
    return "?" + "&".join(shown) if shown else ""


class AccessLog:
    """One line per request: method, path, query, status, key fingerprint, rows, fault, ms."""

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = DROPPED

        async def send_and_watch(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            extra = scope.get("state", {}).get("log_extra") or {}
            logger.info(
                "%s %s%s %s key=%s rows=%s fault=%s %.1fms",
                scope["method"],
                scope["path"],
                _logged_query(scope.get("query_string", b"")),
                status or "dropped",
                extra.get("key_fp") or "-",
                extra.get("rows", "-"),
                extra.get("fault") or "-",
                (time.perf_counter() - started) * 1000,
            )


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """The sandbox app; its state is ``app.state.sandbox`` (a :class:`SandboxState`)."""
    config = config or SandboxConfig()
    app = Starlette(
        routes=[
            *(
                Route(API_PREFIX + endpoint.path, endpoint_handler(endpoint), methods=["GET"])
                for endpoint in ENDPOINTS
            ),
            Route(f"{ADMIN_PREFIX}/faults", admin_faults, methods=["GET", "POST", "DELETE"]),
            Route(f"{ADMIN_PREFIX}/stats", admin_stats, methods=["GET"]),
            Route(f"{ADMIN_PREFIX}/reset", admin_reset, methods=["POST"]),
            Route(f"{ADMIN_PREFIX}/config", admin_config, methods=["GET", "POST"]),
            Route(f"{ADMIN_PREFIX}/health", admin_health, methods=["GET"]),
        ],
        middleware=[Middleware(AccessLog, enabled=config.log_requests)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.sandbox = SandboxState(config)
    return app
