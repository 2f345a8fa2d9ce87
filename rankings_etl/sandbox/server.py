"""The sandbox HTTP server: rankings-daily plus a small admin API, on the standard library.

Why ``http.server`` rather than starlette + uvicorn: the fault matrix needs byte-level control
of the socket (close it without a response, cut a body mid-JSON behind an honest
Content-Length) that ASGI servers deliberately prevent, and a threaded stdlib server answers a
loopback request in about a millisecond with no dependency to pin.

Admin API (loopback, no auth): ``GET /_sandbox/stats``, ``GET|POST|DELETE /_sandbox/faults``,
``POST /_sandbox/reset``, ``POST /_sandbox/config`` (``per_minute``, ``per_day``, ``as_of``,
``today``). Requests to the admin API are not counted in the stats.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from rankings_etl.contract import API_VERSION, ENDPOINT_PATH, OTHER, RATE_PER_DAY, RATE_PER_MINUTE
from rankings_etl.sandbox import history
from rankings_etl.sandbox.faults import (
    DATA_KINDS,
    FaultError,
    FaultQueue,
    apply_data_fault,
    fault_from_dict,
)
from rankings_etl.sandbox.ratelimit import RollingLimiter
from rankings_etl.sandbox.replay import ReplaySource
from rankings_etl.sandbox.validation import ValidationError, resolve_window

API_PREFIX = "/api/v1"
RANKINGS_PATH = API_PREFIX + ENDPOINT_PATH
MIN_KEY_SUFFIX = 8


@dataclasses.dataclass
class SandboxConfig:
    per_minute: int = RATE_PER_MINUTE
    per_day: int = RATE_PER_DAY
    as_of: str | None = None  # fixed meta.as_of; default: the time of each response
    today: dt.date | None = None  # fixed "today" (UTC); default: the real date
    seed: int = 0
    keys: frozenset[str] = frozenset()  # allowed keys; empty = any sk-or- shaped key
    replay: ReplaySource | None = None
    log: bool = True


def key_fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


class SandboxState:
    """Everything the handlers share: config, limiter, faults and the request log."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.faults = FaultQueue()
        self.limiter = RollingLimiter(config.per_minute, config.per_day)
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []

    def last_completed_day(self) -> dt.date:
        today = self.config.today or dt.datetime.now(dt.UTC).date()
        return today - dt.timedelta(days=1)

    def as_of(self) -> str:
        if self.config.as_of:
            return self.config.as_of
        return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
            f"{dt.datetime.now(dt.UTC).microsecond // 1000:03d}Z"
        )

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)

    def stats(self) -> dict[str, Any]:
        with self.lock:
            requests = list(self.requests)
        by_status: dict[str, int] = {}
        by_key: dict[str, int] = {}
        for entry in requests:
            by_status[str(entry["status"])] = by_status.get(str(entry["status"]), 0) + 1
            if entry["key_fp"]:
                by_key[entry["key_fp"]] = by_key.get(entry["key_fp"], 0) + 1
        return {
            "total": len(requests),
            "by_status": by_status,
            "by_key": by_key,
            "requests": requests,
        }

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
        self.faults.clear()
        self.limiter.reset()

    def configure(self, changes: dict[str, Any]) -> None:
        unknown = set(changes) - {"per_minute", "per_day", "as_of", "today"}
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(sorted(unknown))}")
        if "today" in changes:
            today = changes["today"]
            self.config.today = dt.date.fromisoformat(today) if today else None
        if "as_of" in changes:
            self.config.as_of = changes["as_of"] or None
        for name in ("per_minute", "per_day"):
            if name in changes:
                setattr(self.config, name, int(changes[name]))
                setattr(self.limiter, name, int(changes[name]))

    def rows_for(self, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        rows = []
        day = start
        revisions = self.faults.revisions
        while day <= end:
            iso = day.isoformat()
            if self.config.replay is not None:
                source = self.config.replay.day_rows(day)
            else:
                source = history.day_rows(self.config.seed, day)
            factor = revisions.get(iso)
            if factor is not None:
                source = _revised(source, factor)
            rows.extend(
                {"date": iso, "model_permaslug": slug, "total_tokens": str(tokens)}
                for slug, tokens in source
            )
            day += dt.timedelta(days=1)
        return rows


def _revised(rows, factor: float):
    ranked = [(slug, round(tokens * factor)) for slug, tokens in rows if slug != OTHER]
    ranked.sort(key=lambda row: (-row[1], row[0]))
    return ranked + [(slug, round(tokens * factor)) for slug, tokens in rows if slug == OTHER]


class Handler(BaseHTTPRequestHandler):
    server_version = "rankings-etl-sandbox/1"
    protocol_version = "HTTP/1.1"
    state: SandboxState  # set on the subclass made by make_server

    # --- plumbing --------------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default access log: we write our own line, without the query's key."""

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None):
        body = json.dumps(payload, separators=(",", ":")).encode()
        self._send_bytes(status, body, headers)

    def _send_bytes(self, status: int, body: bytes, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None):
        self._send_json(status, {"error": {"code": status, "message": message}}, headers)

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}") if length else {}

    # --- routing ---------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        path = urlsplit(self.path).path
        if path == RANKINGS_PATH:
            self._rankings()
        elif path == "/_sandbox/stats":
            self._send_json(200, self.state.stats())
        elif path == "/_sandbox/faults":
            self._send_json(200, self.state.faults.listing())
        else:
            self._error(404, f"no such endpoint: {path}")

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        try:
            payload = self._read_json()
            if path == "/_sandbox/faults":
                specs = payload if isinstance(payload, list) else [payload]
                for spec in specs:
                    self.state.faults.add(fault_from_dict(spec))
                self._send_json(200, self.state.faults.listing())
            elif path == "/_sandbox/reset":
                self.state.reset()
                self._send_json(200, {"reset": True})
            elif path == "/_sandbox/config":
                self.state.configure(payload)
                self._send_json(200, {"ok": True})
            elif path == RANKINGS_PATH:
                self._error(405, "rankings-daily accepts GET only")
            else:
                self._error(404, f"no such endpoint: {path}")
        except (FaultError, ValueError, json.JSONDecodeError) as exc:
            self._error(400, str(exc))

    def do_DELETE(self) -> None:  # noqa: N802
        if urlsplit(self.path).path == "/_sandbox/faults":
            self.state.faults.clear()
            self._send_json(200, self.state.faults.listing())
        else:
            self._error(404, "no such endpoint")

    # --- the endpoint ----------------------------------------------------------------------
    def _rankings(self) -> None:
        started = time.perf_counter()
        query = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        entry: dict[str, Any] = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "path": RANKINGS_PATH,
            "start_date": query.get("start_date"),
            "end_date": query.get("end_date"),
            "key_fp": None,
            "rows": 0,
        }
        try:
            entry["status"] = self._answer(query, entry)
        finally:
            entry.setdefault("status", 0)
            self.state.record(entry)
            if self.state.config.log:
                elapsed = (time.perf_counter() - started) * 1000
                sys.stderr.write(
                    f"sandbox: GET {RANKINGS_PATH} start={entry['start_date']} "
                    f"end={entry['end_date']} -> {entry['status']} rows={entry['rows']} "
                    f"key={entry['key_fp']} {elapsed:.1f}ms\n"
                )

    def _answer(self, query: dict[str, str], entry: dict[str, Any]) -> int:
        state = self.state
        auth = self.headers.get("Authorization", "")
        scheme, _, key = auth.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            self._error(401, "missing or malformed Authorization header (expected Bearer <key>)")
            return 401
        allowed = state.config.keys
        valid = (
            key in allowed
            if allowed
            else (key.startswith("sk-or-") and len(key) >= len("sk-or-") + MIN_KEY_SUFFIX)
        )
        if not valid:
            self._error(401, "invalid API key")
            return 401
        entry["key_fp"] = key_fingerprint(key)

        admitted, limit, retry_after = state.limiter.admit(entry["key_fp"])
        if not admitted:
            self._error(429, f"rate limit exceeded: {limit}", {"Retry-After": str(retry_after)})
            return 429

        fault = state.faults.take()
        if fault is not None and fault.kind == "status":
            status = int(fault.params["status"])
            headers = {}
            if "retry_after" in fault.params:
                headers["Retry-After"] = str(fault.params["retry_after"])
            message = fault.params.get("message", f"injected fault: HTTP {status}")
            self._error(status, message, headers)
            return status
        if fault is not None and fault.kind == "delay":
            time.sleep(float(fault.params["seconds"]))
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return 0

        try:
            window = resolve_window(query, state.last_completed_day())
        except ValidationError as exc:
            self._error(400, str(exc))
            return 400
        rows = state.rows_for(window.start, window.end)
        meta = {
            "as_of": state.as_of(),
            "version": API_VERSION,
            "start_date": window.start.isoformat(),
            "end_date": window.end.isoformat(),
        }
        if fault is not None and fault.kind in DATA_KINDS:
            rows = apply_data_fault(rows, fault, meta, window.start.isoformat())
        entry["rows"] = len(rows)
        body = json.dumps({"data": rows, "meta": meta}, separators=(",", ":")).encode()
        if fault is not None and fault.kind == "truncate":
            cut = body[: max(1, len(body) // 2)]
            if fault.params.get("honest_length"):
                self._send_bytes(200, cut)
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(cut)
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
            return 200
        self._send_bytes(200, body)
        return 200


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(host: str, port: int, config: SandboxConfig) -> SandboxHTTPServer:
    state = SandboxState(config)
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = SandboxHTTPServer((host, port), handler)
    server.state = state  # type: ignore[attr-defined]
    return server
