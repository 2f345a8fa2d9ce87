"""One transaction helper for every DB-API connection the project writes through.

The warehouse (DuckDB) and the SQLite ledger both need "commit together or not at all"; only
the statement that opens the transaction differs (SQLite's ``BEGIN IMMEDIATE`` takes the write
lock up front).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, TypeVar

Connection = TypeVar("Connection", bound=Any)


@contextlib.contextmanager
def transaction(con: Connection, begin: str = "BEGIN TRANSACTION") -> Iterator[Connection]:
    """All statements inside commit together or not at all."""
    con.execute(begin)
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
