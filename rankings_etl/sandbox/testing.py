"""A real sandbox server in a subprocess, and a handle to script and inspect it.

Used by the test suite's fixtures, the benchmarks and the demo: the server is the same
program users run, reached over loopback HTTP, never an in-process mock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx


class SandboxHandle:
    """Client for the admin API of a running sandbox."""

    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.port = port
        self.base_url = f"http://{host}:{port}/api/v1"
        self.admin_url = f"http://{host}:{port}/_sandbox"
        self._http = httpx.Client(timeout=30)

    def stats(self) -> dict[str, Any]:
        return self._http.get(f"{self.admin_url}/stats").raise_for_status().json()

    def requests(self) -> list[dict[str, Any]]:
        return self.stats()["requests"]

    def request_count(self, status: int | None = None) -> int:
        stats = self.stats()
        return stats["total"] if status is None else stats["by_status"].get(str(status), 0)

    def inject(self, kind: str, **params: Any) -> dict[str, Any]:
        response = self._http.post(f"{self.admin_url}/faults", json={"kind": kind, **params})
        if response.status_code != 200:
            raise ValueError(response.json()["error"]["message"])
        return response.json()

    def faults(self) -> dict[str, Any]:
        return self._http.get(f"{self.admin_url}/faults").raise_for_status().json()

    def clear_faults(self) -> None:
        self._http.delete(f"{self.admin_url}/faults").raise_for_status()

    def reset(self) -> None:
        self._http.post(f"{self.admin_url}/reset").raise_for_status()

    def configure(self, **changes: Any) -> None:
        response = self._http.post(f"{self.admin_url}/config", json=changes)
        if response.status_code != 200:
            raise ValueError(response.json()["error"]["message"])

    def close(self) -> None:
        self._http.close()


class SandboxServer:
    """``with SandboxServer(per_minute=3) as sandbox: ...`` starts ``rankings-etl sandbox``
    on a free loopback port and stops it afterwards. Options map to CLI flags."""

    def __init__(self, log_path: str | Path | None = None, **options: Any):
        self.options = options
        self.log_path = Path(log_path) if log_path else None
        self.process: subprocess.Popen | None = None
        self.handle: SandboxHandle | None = None

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "rankings_etl.sandbox", "--port", "0", "--quiet"]
        for name, value in self.options.items():
            flag = "--" + name.replace("_", "-")
            values = value if isinstance(value, (list, tuple)) else [value]
            for item in values:
                args += [flag] if item is True else [flag, str(item)]
        return args

    def __enter__(self) -> SandboxHandle:
        stderr = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.PIPE, stderr=stderr, env=os.environ.copy()
        )
        deadline = time.monotonic() + 30
        line = self.process.stdout.readline().decode()
        if not line.startswith("PORT=") or time.monotonic() > deadline:
            self.__exit__(None, None, None)
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        self.handle = SandboxHandle(int(line.strip().split("=", 1)[1]))
        return self.handle

    def __exit__(self, *exc_info: Any) -> None:
        if self.handle:
            self.handle.close()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
