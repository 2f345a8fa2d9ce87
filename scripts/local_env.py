"""Shared by ``make demo`` and ``make dev``: the local instance and, when needed, the sandbox.

The sandbox is used unless a real key is set without an ``OPENROUTER_BASE_URL`` override:
with no key and no network, everything still works offline.
"""

from __future__ import annotations

import contextlib
import os
import shutil
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
