"""Opening the ledger a ``RANKINGS_BUDGET_DB`` value names: the one module that knows both
backends (so :mod:`~rankings_etl.budget.ledger`, which they subclass, imports neither)."""

from __future__ import annotations

from rankings_etl.budget.ledger import Ledger, Limits
from rankings_etl.budget.postgres_ledger import PostgresLedger
from rankings_etl.budget.sqlite_ledger import SQLiteLedger
from rankings_etl.budget.urls import POSTGRES_SCHEMES


def open_ledger(url: str, limits: Limits, *, busy_timeout_seconds: float = 30.0) -> Ledger:
    """The ledger named by ``RANKINGS_BUDGET_DB``.

    A file path (or ``sqlite:///path``) is a SQLite ledger shared by the processes of one
    machine; a ``postgresql://`` URL is a Postgres ledger shared by every machine that can
    reach the database. Anything else is refused rather than guessed at.
    """
    if url.startswith(POSTGRES_SCHEMES):
        return PostgresLedger(url, limits, lock_timeout_seconds=busy_timeout_seconds)
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    if "://" in path:
        scheme = path.split("://", 1)[0]
        raise ValueError(
            f"RANKINGS_BUDGET_DB must be a file path, a sqlite:/// URL or a postgresql:// URL; "
            f"got a {scheme}:// URL"
        )
    return SQLiteLedger(path, limits, busy_timeout_seconds=busy_timeout_seconds)
