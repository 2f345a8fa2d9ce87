"""``SandboxServer``: a real server process on a free loopback port, and its handle."""

import httpx
import pytest

from rankings_etl.sandbox.testing import SandboxServer

from .helpers import get


def test_a_sandbox_server_runs_for_the_block_and_stops_after_it():
    server = SandboxServer(quiet=True, per_minute=5)
    with server as handle:
        assert server.base_url == handle.base_url == f"http://127.0.0.1:{handle.port}/api/v1"
        assert server.admin_url == handle.admin_url == f"http://127.0.0.1:{handle.port}/_sandbox"
        assert get(handle).status_code == 200
        assert handle.request_count() == 1 and handle.config()["per_minute"] == 5
        process = server.process
    assert process.poll() is not None  # stopped
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{handle.admin_url}/health", timeout=1)
