"""Strict decoding and parsing shared by every Data API response body.

This layer rejects what cannot be stored faithfully: bytes that are not text in their declared
charset (UTF-8 when none is declared), a body that is not JSON (nested beyond the parser,
numbers beyond Python's limits included), a ``meta.as_of`` that is not a plausible instant, a
date that is not ``YYYY-MM-DD``, tokens that are not non-negative decimal strings fitting a
BIGINT. Every refusal is a :class:`~rankings_etl.core.errors.RankingsResponseError` naming the
problem; no Python exception of the standard library escapes. Each dataset's parser (for
rankings-daily: :mod:`rankings_etl.data_api.rankings_body`) builds on these.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.message
import json
import re
import sys

from rankings_etl.core.api_facts import API_VERSION, BIGINT_MAX
from rankings_etl.core.dates import CalendarDateError, DateShapeError, parse_iso_date
from rankings_etl.core.errors import RankingsResponseError, TruncatedResponseError, show
from rankings_etl.core.timestamps import parse_as_of
from rankings_etl.core.windows import Window, clamp_to_dataset
from rankings_etl.redaction import contains_secret, may_hide_secret, redact

_TOKENS_RE = re.compile(r"[0-9]+")
_BIGINT_DIGITS = len(str(BIGINT_MAX))
#: Any decimal string of at most this many digits fits a BIGINT.
SAFE_DIGITS = _BIGINT_DIGITS - 1
#: How far past the moment we received it a response may claim to have been generated (clock
#: skew); a later ``meta.as_of`` would make every honest re-fetch look older than it.
MAX_AS_OF_AHEAD = dt.timedelta(days=1)
#: The encoding of a JSON body that declares none (RFC 8259).
DEFAULT_CHARSET = "utf-8"


def parse_date(value: object, what: str) -> dt.date:
    """A strict ``YYYY-MM-DD`` calendar date (no rollover, no other formats)."""
    try:
        return parse_iso_date(value)
    except DateShapeError:
        raise RankingsResponseError(f"{what} is not a YYYY-MM-DD date: {show(value)}") from None
    except CalendarDateError:
        raise RankingsResponseError(f"{what} is not a calendar date: {show(value)}") from None


def parse_tokens(value: object, what: str) -> int:
    """``total_tokens`` is a decimal string (so 64-bit values survive JSON) fitting BIGINT."""
    if isinstance(value, bool) or not isinstance(value, str):
        kind = "a JSON number" if isinstance(value, (int, float)) else type(value).__name__
        raise RankingsResponseError(
            f"{what}: total_tokens must be a decimal string, got {kind} {show(value)}"
        )
    if not _TOKENS_RE.fullmatch(value):
        raise RankingsResponseError(
            f"{what}: total_tokens {show(value)} is not a non-negative decimal integer"
        )
    digits = value.lstrip("0") or "0"
    # Compare lengths first: int() refuses strings of more than 4300 digits with a ValueError.
    if len(digits) > _BIGINT_DIGITS or int(digits) > BIGINT_MAX:
        raise RankingsResponseError(
            f"{what}: total_tokens {show(value)} does not fit a 64-bit integer"
        )
    return int(digits)


def declared_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header (lower case), if there is one."""
    if not content_type:
        return None
    header = email.message.Message()
    header["content-type"] = content_type
    charset = header.get_content_charset()
    return charset.strip() if isinstance(charset, str) and charset.strip() else None


def decode_body(content: bytes, content_type: str | None = None, where: str = "the body") -> str:
    """The body as text: decoded strictly with its declared charset, UTF-8 if none.

    Never with replacement characters: a byte that is not valid in the charset refuses the
    body, naming the offset, so a permaslug is stored as sent or not at all. Decoding is
    lossless, so the text re-encodes (in that charset) to exactly the bytes received.
    """
    charset = declared_charset(content_type)
    name = charset or DEFAULT_CHARSET
    told = f"{charset} (its declared charset)" if charset else "UTF-8 (no charset is declared)"
    try:
        codec = codecs.lookup(name)
    except LookupError:
        codec = None
    if codec is None or not getattr(codec, "_is_text_encoding", True):
        raise RankingsResponseError(
            f"{where} declares charset {show(charset)}, which is not a text encoding "
            "this client knows; nothing was decoded"
        )
    try:
        text = content.decode(codec.name)
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : min(exc.end, exc.start + 8)]
        raise RankingsResponseError(
            f"{where} is not valid {told}: byte(s) {bad.hex(' ')} at offset {exc.start} "
            f"of {len(content)} ({exc.reason}); refused rather than stored altered"
        ) from None
    if codec.name != DEFAULT_CHARSET:
        try:
            text.encode(DEFAULT_CHARSET)
        except UnicodeEncodeError as exc:
            raise RankingsResponseError(
                f"{where} decodes (from {told}) to characters that are not Unicode text "
                f"(a lone surrogate at character {exc.start}); refused"
            ) from None
    return text


def load_json(text: str, where: str) -> object:
    """``json.loads``, with every way it can fail turned into a message naming the problem."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if _ends_early(text, exc):
            raise TruncatedResponseError(
                f"{where} is not valid JSON: it ends before the JSON does ({exc.msg} at "
                f"character {exc.pos} of {len(text)}); the body may have been truncated"
            ) from None
        raise RankingsResponseError(
            f"{where} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} "
            f"(character {exc.pos} of {len(text)})"
        ) from None
    except RecursionError:
        raise RankingsResponseError(
            f"{where} nests JSON arrays or objects deeper than the parser allows (about "
            f"{sys.getrecursionlimit()} levels); refused"
        ) from None
    except ValueError as exc:  # an integer beyond int()'s digit limit; json has no other
        raise RankingsResponseError(
            f"{where} holds a JSON number too long to convert (more than "
            f"{sys.get_int_max_str_digits()} digits: {str(exc).split(':')[0]}); refused"
        ) from None


def _ends_early(text: str, exc: json.JSONDecodeError) -> bool:
    """Whether the JSON was valid up to the end of the text: a cut-off body, not a bad one."""
    return exc.msg.startswith("Unterminated string") or exc.pos >= len(text.rstrip())


def check_as_of(
    as_of: str, moment: dt.datetime, last_day: dt.date, fetched_at: dt.datetime, where: str
) -> None:
    """``meta.as_of`` is when the response was generated: not before the last day it reports,
    not (beyond clock skew) after we received it."""
    day_start = dt.datetime.combine(last_day, dt.time(), tzinfo=dt.UTC)
    if moment < day_start:
        raise RankingsResponseError(
            f"{where}: meta.as_of {show(as_of)} is before {last_day}, the last day it reports "
            "on; a response cannot be generated before its data"
        )
    if moment > fetched_at + MAX_AS_OF_AHEAD:
        received = fetched_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        raise RankingsResponseError(
            f"{where}: meta.as_of {show(as_of)} is more than a day after the response was "
            f"received ({received}); a clock that far off would make every later fetch look older"
        )


def read_envelope(body: str | bytes, where: str, secret: str | None) -> tuple[str, list, dict]:
    """A Data API 200 body as ``(text, data, meta)``: decoded, redacted before anything reads
    it, a JSON object with a ``data`` list and a ``meta`` object. A body that spells the key in
    JSON escapes is refused, so what is stored and quoted never holds the key."""
    text = decode_body(body, None, where) if isinstance(body, bytes) else body
    text = redact(text, secret)
    payload = load_json(text, where)
    if secret and may_hide_secret(text, secret) and contains_secret(payload, secret.strip()):
        raise RankingsResponseError(
            f"{where} echoes the API key in JSON escapes; refused so that it is neither stored "
            "nor shown"
        )
    if not isinstance(payload, dict):
        raise RankingsResponseError(f"{where} is not a JSON object")
    data, meta = payload.get("data"), payload.get("meta")
    if not isinstance(data, list):
        raise RankingsResponseError(f"{where} has no 'data' list")
    if not isinstance(meta, dict):
        raise RankingsResponseError(f"{where} has no 'meta' object")
    return text, data, meta


def parse_meta(
    meta: dict, window: Window, fetched_at: dt.datetime, where: str
) -> tuple[str, dt.date, dt.date, str]:
    """``(as_of, start, end, version)`` of a response's ``meta``: a known version, a plausible
    ``as_of``, the requested window echoed (its start clamped to the dataset's first day, as
    the API resolves it). Every Data API endpoint answers with this ``meta``."""
    version = meta.get("version")
    if version != API_VERSION:
        raise RankingsResponseError(
            f"{where} has meta.version {show(version)}; this project understands "
            f"{API_VERSION!r} only (an incompatible API change?)"
        )
    as_of = meta.get("as_of")
    if not isinstance(as_of, str):
        raise RankingsResponseError(f"{where} has no meta.as_of string")
    try:
        as_of_utc = parse_as_of(as_of)
    except ValueError:
        raise RankingsResponseError(f"{where}: meta.as_of {show(as_of)} is not ISO-8601") from None
    except OverflowError:
        raise RankingsResponseError(
            f"{where}: meta.as_of {show(as_of)} is not a representable UTC time"
        ) from None
    meta_start = parse_date(meta.get("start_date"), f"{where}: meta.start_date")
    meta_end = parse_date(meta.get("end_date"), f"{where}: meta.end_date")
    check_as_of(as_of, as_of_utc, meta_end, fetched_at, where)
    expected_start, _ = clamp_to_dataset(window.start)
    if (meta_start, meta_end) != (expected_start, window.end):
        raise RankingsResponseError(
            f"{where} echoes the window {meta_start}..{meta_end}, "
            f"expected {expected_start}..{window.end}"
        )
    return as_of, meta_start, meta_end, version
