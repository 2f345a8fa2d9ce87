"""Time bounds for HTTP attempts: the whole request, not each read.

httpx's timeouts bound each connect, write and read on its own. A server that answers with
headers and then one byte a second never trips a read timeout, so a single request could keep a
run busy for hours. :class:`AttemptWatchdog` bounds the attempt as a whole: it learns every
socket the client opens (httpcore's ``trace`` extension reports each new connection, through a
proxy too) and, when the attempt's deadline passes, shuts them down. Whatever phase the attempt
is in (TLS handshake, waiting for headers, reading the body), the blocked read returns at once,
the request fails, and :attr:`AttemptWatchdog.fired` tells the client which bound it was. Only
the TCP connect itself is left to httpx's connect timeout, which the client sets to no more than
what is left of the attempt.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

#: The httpcore trace events whose ``return_value`` is a connection's new network stream.
_NEW_STREAM_EVENTS = ("connection.connect_tcp.complete", "connection.start_tls.complete")


class RunClock:
    """The run's own deadline: every window, attempt, backoff and wait of one run together."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()


class AttemptWatchdog:
    """Cuts the client's connections when an attempt's deadline passes (one attempt at a time).

    Pass :meth:`trace` as the request's ``trace`` extension and run the request inside
    :meth:`armed`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._armed = False
        self.fired = False

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event not in _NEW_STREAM_EVENTS:
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            # A TLS stream detaches the plain socket it wraps (fileno -1): forget those.
            self._sockets = [s for s in self._sockets if s.fileno() != -1] + [sock]
            if self.fired and self._armed:  # connected just as the deadline passed
                _shut(sock)

    @contextlib.contextmanager
    def armed(self, seconds: float) -> Iterator[AttemptWatchdog]:
        """The deadline runs for ``seconds`` from now until the block ends."""
        with self._lock:
            self.fired = False
            self._armed = True
        timer = threading.Timer(max(0.0, seconds), self._fire)
        timer.daemon = True
        timer.start()
        try:
            yield self
        finally:
            timer.cancel()
            with self._lock:
                self._armed = False

    def _fire(self) -> None:
        with self._lock:
            if not self._armed:
                return
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Shut the connection down under whoever is reading it.

    ``socket.socket.shutdown`` on purpose, also for a TLS socket: ``SSLSocket.shutdown`` would
    drop its SSL object under the reading thread; the plain call only ends the TCP stream, and
    the blocked read sees end-of-file.
    """
    with contextlib.suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
