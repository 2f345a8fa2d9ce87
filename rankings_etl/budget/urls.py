"""Ledger URLs: which backend a ``RANKINGS_BUDGET_DB`` value names, and how to show it safely."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def ledger_name(url: str) -> str:
    """How to name the ledger in messages and the UI: the URL without its password."""
    parts = urlsplit(url)
    if not url.startswith(POSTGRES_SCHEMES) or parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
