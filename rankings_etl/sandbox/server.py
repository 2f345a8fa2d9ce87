"""Running the sandbox app under uvicorn, on a socket bound before the server starts.

Binding first means ``--port 0`` works: the kernel picks a free port, the caller learns it
(``on_ready``) and connections queue in the socket's backlog until uvicorn accepts them.

ASGI cannot close a connection without answering, so :class:`ExposeConnection` hands the app a
callable that does, for the ``drop`` and ``truncate`` faults. It reaches the connection through
the ``send`` callable uvicorn passes in (a method of its per-request cycle, which holds the
transport); both of uvicorn's HTTP implementations (h11 and httptools) work this way.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from rankings_etl.sandbox.app import ABORT_EXTENSION, create_app
from rankings_etl.sandbox.config import SandboxConfig


class ExposeConnection:
    """ASGI wrapper: puts ``scope["extensions"][ABORT_EXTENSION]`` (closes the connection)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            if transport is not None:
                extensions = scope.setdefault("extensions", {})
                extensions[ABORT_EXTENSION] = transport.close
        await self.app(scope, receive, send)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (IPv4 or IPv6; port 0 picks a free one)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(512)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def build_server(config: SandboxConfig) -> uvicorn.Server:
    app = ExposeConnection(create_app(config))
    return uvicorn.Server(
        uvicorn.Config(
            app,
            log_config=None,  # the sandbox's own logging (cli.py) goes to stderr
            log_level="warning",
            access_log=False,  # AccessLog writes one line per request without secrets
            proxy_headers=False,  # the admin API trusts the peer address, never a header
            server_header=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
    )


def serve(
    config: SandboxConfig,
    host: str = "127.0.0.1",
    port: int = 8787,
    on_ready: Callable[[int], None] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM. ``on_ready(port)`` runs once the socket listens."""
    sock = bind_socket(host, port)
    server = build_server(config)
    if on_ready is not None:
        on_ready(sock.getsockname()[1])
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def configure_logging(enabled: bool = True) -> None:
    """Request lines and server warnings to stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    for name in ("rankings_etl.sandbox", "uvicorn"):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.propagate = False
    logging.getLogger("rankings_etl.sandbox").setLevel(logging.INFO if enabled else logging.WARNING)
