"""Naming an API key without revealing it."""

from __future__ import annotations

import hashlib


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible label for a key: safe to log, store and compare.

    The first 12 hex digits of the SHA-256 of the key without surrounding whitespace; a key that
    is not valid UTF-8 (a header the sandbox received) is hashed byte for byte (surrogateescape).
    """
    return hashlib.sha256(api_key.strip().encode("utf-8", "surrogateescape")).hexdigest()[:12]
