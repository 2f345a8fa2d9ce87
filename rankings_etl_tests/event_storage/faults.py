"""Failures injected into a batched storage's real database connections, once each.

Each fault hooks one SQLAlchemy engine the storage writes through and raises at one point of a
batch: while a statement runs, at COMMIT before it takes effect, or at COMMIT after it took
effect (the case of a connection lost while the server acknowledges). The database work around
it is real; only the failure is made up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine


class InjectedFault(RuntimeError):
    """The failure a test put in the middle of a batch."""


class Fault:
    """Raises once: at the first statement starting with ``statement`` (``point="statement"``),
    or at the COMMIT that follows it, before (``"commit"``) or after (``"after_commit"``) the
    database applied it."""

    def __init__(self, point: str, statement: str):
        assert point in {"statement", "commit", "after_commit"}, point
        self.point, self.statement = point, statement
        self.armed = False  # the statement ran in the transaction now open
        self.fired = False

    @contextlib.contextmanager
    def on(self, engine: Engine) -> Iterator[Fault]:
        def before_execute(conn, cursor, statement, parameters, context, executemany):
            if self.fired or not statement.lstrip().startswith(self.statement):
                return
            if self.point == "statement":
                self.fired = True
                raise InjectedFault(f"injected: failure of {self.statement}")
            self.armed = True

        def before_commit(conn):
            if self.point == "commit" and self.armed and not self.fired:
                self.fired = True
                raise InjectedFault("injected: COMMIT refused")

        original = engine.dialect.do_commit

        def do_commit(dbapi_connection):
            original(dbapi_connection)
            if self.point == "after_commit" and self.armed and not self.fired:
                self.fired = True
                raise InjectedFault("injected: COMMIT done, acknowledgement lost")

        event.listen(engine, "before_cursor_execute", before_execute)
        event.listen(engine, "commit", before_commit)
        engine.dialect.do_commit = do_commit
        try:
            yield self
        finally:
            event.remove(engine, "before_cursor_execute", before_execute)
            event.remove(engine, "commit", before_commit)
            engine.dialect.do_commit = original
