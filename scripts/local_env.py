"""Shared by ``make demo`` and ``make dev``: the local instance and, when needed, the sandbox.

The sandbox is used unless a real key is set without an ``OPENROUTER_BASE_URL`` override:
with no key and no network, everything still works offline.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEMO_KEY = "sk-or-sandbox-demo-key"


def prepare_dagster_home() -> Path:
    """$DAGSTER_HOME (default .dagster_home) with the project's dagster.yaml in it."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


def wants_real_api() -> bool:
    return bool(os.getenv("OPENROUTER_API_KEY")) and not os.getenv("OPENROUTER_BASE_URL")


@contextlib.contextmanager
def sandbox(port: int, log_path: Path):
    """Run the bundled sandbox on 127.0.0.1:``port`` for the duration of the block."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rankings_etl.sandbox",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(
                    f"the sandbox exited (is port {port} taken? set SANDBOX_PORT); see {log_path}"
                )
            try:
                httpx.get(f"http://127.0.0.1:{port}/_sandbox/stats", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the sandbox did not start; see {log_path}") from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def point_at(base_url: str) -> None:
    """Point this process's (and its children's) configuration at ``base_url``."""
    os.environ["OPENROUTER_BASE_URL"] = base_url
    os.environ.setdefault("OPENROUTER_API_KEY", DEMO_KEY)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


LOADED = "{ repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }"


@contextlib.contextmanager
def dagster_dev(env: dict[str, str], log_path: Path, timeout: float = 300):
    """``dagster dev`` (webserver and daemon) on a free loopback port for the block, its URL
    yielded once the code location has loaded; stopped (its whole process group) after.
    Shared by ``make screenshots`` and the bench's UI backfill."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    dagster = str(Path(sys.executable).parent / "dagster")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [dagster, "dev", "-w", "workspace.yaml", "-p", str(port), "-h", "127.0.0.1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_loaded(url, process, log_path, timeout)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_loaded(url: str, process: subprocess.Popen, log_path: Path, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dagster dev exited; see {log_path}")
        try:
            response = httpx.post(f"{url}/graphql", json={"query": LOADED}, timeout=10)
            if response.json().get("data", {}).get("repositoriesOrError", {}).get("nodes"):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(1)
    raise RuntimeError(f"dagster dev did not load in {timeout:.0f} s; see {log_path}")
