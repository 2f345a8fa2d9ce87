"""A real `dagster dev` (webserver + daemon) in a temporary DAGSTER_HOME, against the sandbox."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rankings_etl_tests.environment import project_env
from rankings_etl_tests.event_storage.trace import TRACE_ENV, read_trace

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DagsterDev:
    """Handle on a running `dagster dev`: GraphQL calls and the files it writes."""

    def __init__(self, url, home, duckdb_path, log_path, trace_path):
        self.url, self.home, self.duckdb_path, self.log_path = url, home, duckdb_path, log_path
        self.trace_path = trace_path

    def event_writes(self) -> list[dict]:
        """The event storage's trace so far: one line per write, with the writing process."""
        return read_trace(self.trace_path)

    def graphql(self, query, variables=None, timeout=60):
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            timeout=timeout,
        )
        response.raise_for_status()
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        return payload["data"]


@pytest.fixture
def dagster_dev_env(sandbox, tmp_path):
    """Environment for the project's processes: sandbox URL, canary key, temp paths.

    The event storage's trace goes to ``tmp_path / "event_writes.jsonl"`` (see
    rankings_etl_tests/event_storage/trace.py): how each process wrote its events.
    """
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    env = project_env(tmp_path, sandbox.base_url, "sk-or-v1-e2e-0123456789abcdef", home)
    env[TRACE_ENV] = str(tmp_path / "event_writes.jsonl")
    return env


@pytest.fixture
def dagster_dev(dagster_dev_env, tmp_path):
    """Start `dagster dev` on a free port; stop it (and its children) afterwards."""
    port = free_port()
    log_path = tmp_path / "dagster_dev.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(BIN / "dagster"),
                "dev",
                "-w",
                str(ROOT / "workspace.yaml"),
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env=dagster_dev_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        handle = DagsterDev(
            url,
            Path(dagster_dev_env["DAGSTER_HOME"]),
            Path(dagster_dev_env["RANKINGS_DUCKDB_PATH"]),
            log_path,
            Path(dagster_dev_env[TRACE_ENV]),
        )
        try:
            _wait_until_loaded(handle, process)
            yield handle
        finally:
            os.killpg(process.pid, 15)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()


def _wait_until_loaded(handle, process, timeout=180):
    deadline = time.monotonic() + timeout
    query = "{ repositoriesOrError { __typename ... on RepositoryConnection { nodes { name } } } }"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dagster dev exited:\n{handle.log_path.read_text()[-3000:]}")
        try:
            data = handle.graphql(query, timeout=5)
            if data["repositoriesOrError"].get("nodes"):
                return
        except (httpx.HTTPError, AssertionError):
            pass
        time.sleep(1)
    raise TimeoutError(
        f"dagster dev did not load in {timeout}s:\n{handle.log_path.read_text()[-3000:]}"
    )
