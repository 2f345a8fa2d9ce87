"""A real sandbox server in a subprocess, and a handle to script and inspect it.

Used by the test suite's fixtures, the benchmarks and the demo: the server is the same program
users run (``python -m rankings_etl.sandbox``), reached over loopback HTTP, never a mock::

    with SandboxServer(per_minute=3) as sandbox:
        httpx.get(f"{sandbox.base_url}/datasets/rankings-daily", headers=...)
        sandbox.inject("status", status=503, count=2)
        assert sandbox.request_count(status=503) == 0
        assert sandbox.request_count(endpoint="rankings-daily", modality="text") == 0
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

import rankings_etl
from rankings_etl.core.api_facts import EXACT_FILTERS, SAMPLED_FILTERS

#: The query parameters that filter an answer (``request_count(unfiltered=True)`` counts the
#: requests that had none of them). ``period`` is not one: it buckets, it does not filter.
FILTER_PARAMS = frozenset({*EXACT_FILTERS, *SAMPLED_FILTERS, "subcategory"})
#: The directory holding the ``rankings_etl`` package, so the subprocess imports this checkout.
_PROJECT_ROOT = str(Path(rankings_etl.__file__).resolve().parent.parent)


class SandboxAdminError(ValueError):
    """The admin API refused a request (e.g. an unknown fault kind); the message says why."""


class SandboxHandle:
    """Client for a running sandbox: its URLs and its admin API."""

    def __init__(self, port: int, host: str = "127.0.0.1", log_path: Path | None = None):
        self.port = port
        self.host = host
        self.url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        self.base_url = f"{self.url}/api/v1"
        self.admin_url = f"{self.url}/_sandbox"
        self.log_path = log_path
        self._http = httpx.Client(timeout=30)

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        response = self._http.request(method, f"{self.admin_url}/{path}", json=json)
        if response.status_code != 200:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text
            raise SandboxAdminError(f"{method} /_sandbox/{path}: {message}")
        return response.json()

    def stats(self) -> dict[str, Any]:
        """``{"total", "by_status", "by_key", "by_endpoint", "requests"}``, every endpoint."""
        return self._call("GET", "stats")

    def requests(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Every Data API request since the last reset (or those to ``endpoint``:
        ``"rankings-daily"`` | ``"app-rankings"``), oldest first; each record has ``endpoint``
        and ``params`` (every query parameter)."""
        records = self.stats()["requests"]
        return [r for r in records if endpoint is None or r["endpoint"] == endpoint]

    def request_count(
        self,
        status: int | None = None,
        endpoint: str | None = None,
        unfiltered: bool = False,
        **params: Any,
    ) -> int:
        """Requests since the last reset: all of them, or those answered ``status``, to
        ``endpoint``, whose query has each keyword's value (``modality="text"``; None: the
        parameter was absent), and with ``unfiltered=True`` only those that had none of the
        filter parameters (:data:`FILTER_PARAMS`)."""
        if endpoint is None and not unfiltered and not params:
            stats = self.stats()
            return stats["total"] if status is None else stats["by_status"].get(str(status), 0)
        wanted = {name: None if value is None else str(value) for name, value in params.items()}
        return sum(
            1
            for record in self.requests(endpoint)
            if (status is None or record["status"] == status)
            and not (unfiltered and FILTER_PARAMS & set(record["params"]))
            and all(record["params"].get(name) == value for name, value in wanted.items())
        )

    def inject(self, kind: str, **params: Any) -> dict[str, Any]:
        """Queue a fault (``count``, ``endpoint``, ``match``, ``date`` and the kind's params as
        keywords), e.g. ``inject("status", status=500, endpoint="app-rankings",
        match={"sort": "trending"})``; the listing."""
        return self._call("POST", "faults", {"kind": kind, **params})

    def faults(self) -> dict[str, Any]:
        """``{"queue": [...], "revisions": {date: factor}}``."""
        return self._call("GET", "faults")

    def clear_faults(self) -> None:
        """Drop queued faults and revisions."""
        self._call("DELETE", "faults")

    def reset(self) -> None:
        """Clear stats, faults, revisions and rate windows (settings stay)."""
        self._call("POST", "reset")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change ``per_minute``, ``per_day``, ``minute_seconds``, ``as_of``, ``today``
        (None = default)."""
        return self._call("POST", "config", settings)

    def config(self) -> dict[str, Any]:
        return self._call("GET", "config")

    def close(self) -> None:
        self._http.close()


class SandboxServer:
    """``python -m rankings_etl.sandbox`` on a free loopback port, for the duration of a block.

    Keyword options map to command-line flags: ``per_minute=3`` -> ``--per-minute 3``,
    ``key=["k1", "k2"]`` -> ``--key k1 --key k2``, ``quiet=True`` -> ``--quiet``; None is
    skipped. The server's stderr (one line per request) goes to ``log_path`` if given.
    """

    def __init__(
        self,
        log_path: str | Path | None = None,
        host: str = "127.0.0.1",
        startup_timeout: float = 30.0,
        **options: Any,
    ):
        self.options = options
        self.host = host
        self.log_path = Path(log_path) if log_path else None
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.handle: SandboxHandle | None = None

    @property
    def base_url(self) -> str:
        return self._running().base_url

    @property
    def admin_url(self) -> str:
        return self._running().admin_url

    def _running(self) -> SandboxHandle:
        if self.handle is None:
            raise RuntimeError("the sandbox is not running; use `with SandboxServer(...)`")
        return self.handle

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "rankings_etl.sandbox", "--host", self.host, "--port", "0"]
        for name, value in self.options.items():
            flag = "--" + name.replace("_", "-")
            for item in value if isinstance(value, list | tuple) else [value]:
                if item is None or item is False:
                    continue
                args += [flag] if item is True else [flag, str(item)]
        return args

    def start(self) -> SandboxHandle:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PROJECT_ROOT, env.get("PYTHONPATH")]))
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            stderr: Any = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        else:
            stderr = subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                self.command(), stdout=subprocess.PIPE, stderr=stderr, env=env
            )
        finally:
            if stderr is not subprocess.DEVNULL:
                stderr.close()
        deadline = time.monotonic() + self.startup_timeout
        port = self._read_port(deadline)
        self.handle = SandboxHandle(port, self.host, self.log_path)
        self._wait_until_answering(deadline)
        return self.handle

    def _read_port(self, deadline: float) -> int:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], deadline - time.monotonic())
        line = self.process.stdout.readline().decode() if ready else ""
        if not line.startswith("PORT="):
            self.stop()
            raise RuntimeError(f"the sandbox did not start: {line.strip()!r}{self._log_tail()}")
        return int(line.strip().split("=", 1)[1])

    def _wait_until_answering(self, deadline: float) -> None:
        while True:
            try:
                httpx.get(f"{self._running().admin_url}/health", timeout=2).raise_for_status()
                return
            except httpx.HTTPError as exc:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    message = f"the sandbox does not answer: {exc}{self._log_tail()}"
                    raise RuntimeError(message) from exc
                time.sleep(0.05)

    def _log_tail(self) -> str:
        if self.log_path and self.log_path.exists():
            return "\n" + self.log_path.read_text(errors="replace")[-2000:]
        return ""

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.close()
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> SandboxHandle:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
