"""API keys: reading the Authorization header, deciding which keys are valid.

A key never leaves the sandbox in clear: logs, stats and error messages carry its fingerprint
(:func:`rankings_etl.core.keys.key_fingerprint`: the first 12 hex digits of its SHA-256),
enough to tell keys apart and useless to an attacker.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rankings_etl.core.rate_limits import DEFAULT_ACCOUNT

KEY_PREFIX = "sk-or-"
#: Without a key list, any ``sk-or-`` key with at least this many more characters is valid.
MIN_KEY_SUFFIX = 4


def bearer_key(authorization: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header; None if missing or malformed."""
    if not authorization:
        return None
    scheme, _, key = authorization.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or any(ch.isspace() for ch in key):
        return None
    return key


def is_key_shaped(key: str) -> bool:
    return key.startswith(KEY_PREFIX) and len(key) >= len(KEY_PREFIX) + MIN_KEY_SUFFIX


def account_for(key: str, accepted: Mapping[str, str]) -> str | None:
    """The account a valid key belongs to, or None for an invalid key.

    ``accepted`` maps keys to accounts; when it is empty every ``sk-or-`` shaped key is valid
    and all of them share the default account.
    """
    if accepted:
        return accepted.get(key)
    return DEFAULT_ACCOUNT if is_key_shaped(key) else None


def read_keys_file(path: str | Path) -> dict[str, str]:
    """``KEY [ACCOUNT]`` per line (blank lines and ``#`` comments skipped) -> {key: account}."""
    keys: dict[str, str] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) > 2:
            raise ValueError(f"{path}, line {number}: expected `KEY [ACCOUNT]`")
        keys[fields[0]] = fields[1] if len(fields) == 2 else DEFAULT_ACCOUNT
    if not keys:
        raise ValueError(f"{path}: no keys in the file")
    return keys
