"""Strict decoding and parsing of a rankings-daily response body into typed columns.

This layer rejects what cannot be stored faithfully: bytes that are not text in their declared
charset (UTF-8 when none is declared), a body that is not the documented JSON shape (nested
beyond the parser, numbers beyond Python's limits included), an unknown ``meta.version``, a
``meta.as_of`` that is not a plausible instant, rows outside the requested window or out of
date order, tokens that are not non-negative decimal strings fitting a BIGINT. Every refusal
is a :class:`~rankings_etl.errors.RankingsResponseError` naming the problem; no Python
exception of the standard library escapes. What *can* be stored but breaks the contract's
promises about a day (the ``other`` row, 51 rows, ordering, zero tokens, a day's sum) is
judged by the asset checks in :mod:`rankings_etl.datasets.rankings_daily.checks`, so the UI
shows the failing dates rather than a stack trace.

Given the API key (``secret``), the body is redacted before anything else reads it: the text
parsed, quoted in messages and stored in ``raw_responses`` is the body as received with the key
replaced by ``[redacted key]``, every other character kept.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import email.message
import json
import re
import sys
from collections.abc import Sequence

from rankings_etl.contract import API_VERSION, BIGINT_MAX, FIRST_DATE, OTHER
from rankings_etl.errors import RankingsResponseError, TruncatedResponseError
from rankings_etl.redaction import contains_secret, may_hide_secret, redact
from rankings_etl.windows import Window

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TOKENS_RE = re.compile(r"[0-9]+")
_BIGINT_DIGITS = len(str(BIGINT_MAX))
#: Any decimal string of at most this many digits fits a BIGINT.
_SAFE_DIGITS = _BIGINT_DIGITS - 1
#: Real permaslugs are well under 100 characters; anything this long is not a model name.
MAX_PERMASLUG_LENGTH = 256
#: How far past the moment we received it a response may claim to have been generated (clock
#: skew); a later ``meta.as_of`` would make every honest re-fetch look older than it.
MAX_AS_OF_AHEAD = dt.timedelta(days=1)
#: The encoding of a JSON body that declares none (RFC 8259).
DEFAULT_CHARSET = "utf-8"


@dataclasses.dataclass(frozen=True)
class RankingsResponse:
    """One successful response, in API order, with the context needed to audit it."""

    window: Window  # what we asked for
    dates: Sequence[dt.date]
    permaslugs: Sequence[str]
    total_tokens: Sequence[int]
    as_of: str
    meta_start: dt.date
    meta_end: dt.date
    version: str
    fetched_at: dt.datetime
    body: str  # the body exactly as received, for audits and rebuilds
    attempts: int = 1  # HTTP requests this response cost, retries included

    @property
    def row_count(self) -> int:
        return len(self.permaslugs)

    def dates_returned(self) -> set[dt.date]:
        return set(self.dates)

    def ranks(self) -> list[int | None]:
        """Each row's ``rank``: its position in its day in API order; ``other`` has none."""
        ranks: list[int | None] = []
        current = None
        position = 0
        for day, slug in zip(self.dates, self.permaslugs, strict=True):
            if day != current:
                current, position = day, 0
            if slug == OTHER:
                ranks.append(None)
            else:
                position += 1
                ranks.append(position)
        return ranks

    def as_of_utc(self) -> dt.datetime:
        """``meta.as_of`` as an aware UTC datetime (one without an offset is taken as UTC)."""
        return as_of_instant(self.as_of)


def as_of_instant(as_of: str) -> dt.datetime:
    """An ISO-8601 ``as_of`` as an aware UTC datetime; ValueError or OverflowError if none."""
    moment = dt.datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def parse_date(value: object, what: str) -> dt.date:
    """A strict ``YYYY-MM-DD`` calendar date (no rollover, no other formats)."""
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise RankingsResponseError(f"{what} is not a YYYY-MM-DD date: {_show(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RankingsResponseError(f"{what} is not a calendar date: {_show(value)}") from None


def parse_tokens(value: object, what: str) -> int:
    """``total_tokens`` is a decimal string (so 64-bit values survive JSON) fitting BIGINT."""
    if isinstance(value, bool) or not isinstance(value, str):
        kind = "a JSON number" if isinstance(value, (int, float)) else type(value).__name__
        raise RankingsResponseError(
            f"{what}: total_tokens must be a decimal string, got {kind} {_show(value)}"
        )
    if not _TOKENS_RE.fullmatch(value):
        raise RankingsResponseError(
            f"{what}: total_tokens {_show(value)} is not a non-negative decimal integer"
        )
    digits = value.lstrip("0") or "0"
    # Compare lengths first: int() refuses strings of more than 4300 digits with a ValueError.
    if len(digits) > _BIGINT_DIGITS or int(digits) > BIGINT_MAX:
        raise RankingsResponseError(
            f"{what}: total_tokens {_show(value)} does not fit a 64-bit integer"
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
            f"{where} declares charset {_show(charset)}, which is not a text encoding "
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


def parse_rankings_body(
    body: str | bytes,
    window: Window,
    fetched_at: dt.datetime,
    *,
    secret: str | None = None,
) -> RankingsResponse:
    """Parse and validate one 200 response for ``window``; raise naming the first problem.

    ``body`` is text, or bytes decoded as UTF-8 (see :func:`decode_body` for a declared
    charset). With ``secret`` the body is redacted first, and one that spells the key in JSON
    escapes is refused: what is stored and quoted never holds the key.
    """
    where = f"rankings-daily response for {window}"
    text = decode_body(body, None, where) if isinstance(body, bytes) else body
    text = redact(text, secret)
    payload = _load_json(text, where)
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

    version = meta.get("version")
    if version != API_VERSION:
        raise RankingsResponseError(
            f"{where} has meta.version {_show(version)}; this project understands "
            f"{API_VERSION!r} only (an incompatible API change?)"
        )
    as_of = meta.get("as_of")
    if not isinstance(as_of, str):
        raise RankingsResponseError(f"{where} has no meta.as_of string")
    try:
        as_of_utc = as_of_instant(as_of)
    except ValueError:
        raise RankingsResponseError(f"{where}: meta.as_of {_show(as_of)} is not ISO-8601") from None
    except OverflowError:
        raise RankingsResponseError(
            f"{where}: meta.as_of {_show(as_of)} is not a representable UTC time"
        ) from None
    meta_start = parse_date(meta.get("start_date"), f"{where}: meta.start_date")
    meta_end = parse_date(meta.get("end_date"), f"{where}: meta.end_date")
    _check_as_of(as_of, as_of_utc, meta_end, fetched_at, where)
    expected_start = max(window.start, FIRST_DATE)
    if (meta_start, meta_end) != (expected_start, window.end):
        raise RankingsResponseError(
            f"{where} echoes the window {meta_start}..{meta_end}, "
            f"expected {expected_start}..{window.end}"
        )

    dates: list[dt.date] = []
    slugs: list[str] = []
    tokens: list[int] = []
    date_cache: dict[object, dt.date] = {}
    previous: dt.date | None = None
    for index, row in enumerate(data):
        what = f"{where}, row {index}"
        if not isinstance(row, dict):
            raise RankingsResponseError(f"{what} is not an object")
        raw_date = row.get("date")
        day = date_cache.get(raw_date) if isinstance(raw_date, str) else None
        if day is None:
            day = parse_date(raw_date, f"{what}: date")
            if not meta_start <= day <= meta_end:
                raise RankingsResponseError(
                    f"{what}: date {day} is outside the window {meta_start}..{meta_end}"
                )
            date_cache[raw_date] = day
        if previous is not None and day < previous:
            raise RankingsResponseError(
                f"{what}: date {day} comes after {previous}; rows must be in date order"
            )
        previous = day
        slug = row.get("model_permaslug")
        if not isinstance(slug, str) or not slug.strip():
            raise RankingsResponseError(f"{what}: model_permaslug is missing or empty")
        if len(slug) > MAX_PERMASLUG_LENGTH or not slug.isprintable():
            raise RankingsResponseError(
                f"{what}: model_permaslug {_show(slug)} is not a plausible permaslug "
                f"({len(slug)} characters; at most {MAX_PERMASLUG_LENGTH}, printable only)"
            )
        dates.append(day)
        slugs.append(slug)
        value = row.get("total_tokens")
        if (
            type(value) is str
            and len(value) <= _SAFE_DIGITS
            and value.isascii()
            and value.isdigit()
        ):
            tokens.append(int(value))  # the common case, checked without building a label
        else:
            tokens.append(parse_tokens(value, f"{what} ({day}, {_show(slug)})"))

    return RankingsResponse(
        window=window,
        dates=dates,
        permaslugs=slugs,
        total_tokens=tokens,
        as_of=as_of,
        meta_start=meta_start,
        meta_end=meta_end,
        version=version,
        fetched_at=fetched_at,
        body=text,
    )


def _is_ascii_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _load_json(text: str, where: str) -> object:
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


def _check_as_of(
    as_of: str, moment: dt.datetime, last_day: dt.date, fetched_at: dt.datetime, where: str
) -> None:
    """``meta.as_of`` is when the response was generated: not before the last day it reports,
    not (beyond clock skew) after we received it."""
    day_start = dt.datetime.combine(last_day, dt.time(), tzinfo=dt.UTC)
    if moment < day_start:
        raise RankingsResponseError(
            f"{where}: meta.as_of {_show(as_of)} is before {last_day}, the last day it reports "
            "on; a response cannot be generated before its data"
        )
    if moment > fetched_at + MAX_AS_OF_AHEAD:
        received = fetched_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        raise RankingsResponseError(
            f"{where}: meta.as_of {_show(as_of)} is more than a day after the response was "
            f"received ({received}); a clock that far off would make every later fetch look older"
        )


def _show(value: object, limit: int = 60) -> str:
    """A value for an error message, cut short so a hostile 10 kB string stays readable."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} chars)"
