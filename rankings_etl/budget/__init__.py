"""The shared OpenRouter rate budget: a ledger every process consults before each request.

This package imports neither Dagster nor httpx, so ``rankings-etl budget`` starts quickly; the
Dagster resource that wraps it is :mod:`rankings_etl.resources.rate_budget`.
"""

from rankings_etl.budget.backends import open_ledger
from rankings_etl.budget.ledger import (
    LEDGER_ERRORS,
    Decision,
    Grant,
    KeyUsage,
    Ledger,
    LedgerError,
    Limits,
    Refuse,
    RequestRecord,
    Reservation,
    Usage,
    Wait,
)
from rankings_etl.budget.sqlite_ledger import SQLiteLedger

__all__ = [
    "Decision",
    "Grant",
    "KeyUsage",
    "LEDGER_ERRORS",
    "Ledger",
    "LedgerError",
    "Limits",
    "Refuse",
    "RequestRecord",
    "Reservation",
    "SQLiteLedger",
    "Usage",
    "Wait",
    "open_ledger",
]
