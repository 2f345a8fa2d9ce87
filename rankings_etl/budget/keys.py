"""Naming an API key without revealing it."""

from __future__ import annotations

import hashlib


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible label for a key: safe to log, store and compare."""
    return hashlib.sha256(api_key.strip().encode("utf-8")).hexdigest()[:12]
