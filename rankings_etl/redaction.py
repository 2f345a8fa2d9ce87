"""Making text a server sent safe to show: the API key blanked out, control bytes escaped.

One place for it, used by every message built from a response (error bodies, transport
errors, parse errors of a 200) and by the body before it is stored in ``raw_responses``, so
there is no path by which an echoed key reaches a log, Dagster's run storage or the warehouse.

Control bytes matter too: a NUL, an ESC sequence or a bare carriage return copied into a
message can rewrite the terminal or forge log lines. Messages escape every character Python
does not consider printable (C0 and C1 controls, DEL, format characters such as the bidi
overrides, lone surrogates), so what a person reads is what the server sent, visibly.
"""

from __future__ import annotations

import re

REDACTED = "[redacted key]"
#: A key shorter than this is not blanked out: it would blank out ordinary words.
MIN_SECRET_LENGTH = 4
#: Characters that JSON can only spell inside a string as themselves or as ``\\uXXXX``.
_PLAIN_KEY = re.compile(r"[A-Za-z0-9._~+=-]+")


def redact(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` replaced by ``[redacted key]``; the rest
    is kept character for character."""
    secret = (secret or "").strip()
    if len(secret) < MIN_SECRET_LENGTH or secret not in text:
        return text
    return text.replace(secret, REDACTED)


def printable(text: str) -> str:
    """``text`` with every non-printable character escaped (``\\x00``, ``\\x1b``, ``\\u202e``)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def server_text(text: str, secret: str | None, limit: int = 300) -> str:
    """Server-sent text for a one-line message: redacted, escaped, cut to about ``limit``."""
    shown = printable(redact(text, secret)).strip()
    if len(shown) > limit:
        shown = f"{shown[:limit]}...({len(shown)} chars)"
    return shown or "(empty)"


def may_hide_secret(text: str, secret: str | None) -> bool:
    """Whether JSON ``text`` could spell ``secret`` without containing it literally.

    A key of plain characters can only be disguised in JSON with ``\\u`` escapes; one with any
    other character (a quote, a slash, a backslash) may need an escape anyway, so it is always
    worth a look at the decoded strings.
    """
    secret = (secret or "").strip()
    if len(secret) < MIN_SECRET_LENGTH:
        return False
    return "\\u" in text or not _PLAIN_KEY.fullmatch(secret)


def contains_secret(value: object, secret: str) -> bool:
    """Whether any string (or object key) anywhere in a decoded JSON value contains ``secret``.

    Iterative, so a deeply nested value cannot exhaust the stack.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if secret in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
