"""Scripted misbehaviour: a FIFO queue of faults, and what each does to a response (pure).

A fault is ``{"kind": ..., "count": N, "endpoint": ..., "match": {...}, ...params}``. Faults
queue in order; every request that passes authentication and the rate limits consumes one unit
of the ``count`` of the *first queued fault that matches it* (``-1`` = until cleared, which also
blocks the faults behind it, for the requests it matches). ``endpoint`` (``rankings-daily`` |
``app-rankings``) and ``match`` (query parameters the request must carry with exactly these
values; a value of null: the parameter must be absent) restrict which requests a fault
matches; without them a fault matches any request, except that the row kinds of one endpoint
(rankings rows, ``app_*``) match only that endpoint's requests. A consumed fault that cannot act
on the response (a data fault on a request that fails validation, or whose ``date`` is not in
the answer) is used up all the same, so a scripted sequence stays one fault per request.

- Transport kinds change how the answer is sent: ``status``, ``delay``, ``drop``, ``truncate``,
  ``trickle``.
- Data kinds change the rows of one date of rankings-daily (``date`` param, default the first
  date of the answer: a day, or a week/month bucket of a filtered answer), or ``meta``
  (``meta_version``, ``meta_as_of``, either endpoint).
- App kinds (``app_*``) change the rows of an app-rankings answer.
- Body kinds change the encoded body itself (``deep_nesting``, ``huge_number``, ``echo_key``,
  ``latin1_body``, ``invalid_utf8``): what a broken proxy or a hostile server could send.
- ``revise`` is not queued: it scales a day's tokens until cleared, like OpenRouter's late
  revisions of the last few days; revised values stay integers and the order stays valid.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from rankings_etl.core.api_facts import OTHER
from rankings_etl.core.dates import parse_iso_date
from rankings_etl.sandbox.history import Rows

TRANSPORT_KINDS = {
    "status": "answer with HTTP `status` (500, 502, 503, 429, 401, 400, ...) and a JSON error; "
    "optional `retry_after` (seconds, sent as Retry-After) and `message`",
    "delay": "wait `seconds`, then answer normally",
    "drop": "close the connection without sending any response",
    "truncate": "status 200, but the body is cut mid-JSON and the connection closed "
    "(`honest_length=true`: a short body with a matching Content-Length instead)",
    "trickle": "status 200 and its headers at once, then the body `chunk` bytes (default 1) "
    "every `interval` seconds (default 1), until done or the client goes",
}
DATA_KINDS = {
    "other_missing": "drop the date's `other` row (looks exactly like a tail-less day)",
    "other_duplicated": "repeat the date's `other` row",
    "other_not_last": "move the date's `other` row to the top of its date",
    "rows_49": "drop the date's last ranked model: 49 ranked + `other` (50 rows, as many as a "
    "tail-less day)",
    "rows_52": "add a 51st ranked model before `other` (52 rows)",
    "tailless": "a legitimate tail-less day: 50 ranked models, no `other`",
    "tokens_number": "the date's total_tokens as JSON numbers instead of decimal strings",
    "tokens_non_numeric": "the date's first total_tokens is '12abc'",
    "tokens_negative": "the date's first total_tokens is '-5'",
    "tokens_overflow": "the date's first total_tokens is 2**63 (> BIGINT)",
    "hostile_slug": "the date's first ranked permaslugs become a quote, SQL, unicode and a "
    "10 kB slug (`variant`: quote|sql|unicode|long|all)",
    "missing_date": "omit every row of the date",
    "meta_version": "meta.version becomes `version` (default v2)",
    "meta_as_of": "meta.as_of becomes `value` verbatim (e.g. 0001-01-01T00:00:00+05:00)",
    "zero_tokens": "the date's total_tokens become '0' (`which`: all, the default, in permaslug "
    "order as ties are; or last: only the last ranked model)",
    "tokens_sum_overflow": "the date's ranked models get 2**61 - i tokens each: every one fits "
    "BIGINT, their sum does not",
    "tokens_huge": "the date's first total_tokens is a decimal string of `digits` digits "
    "(default 5000, beyond Python's int() limit of 4300)",
    "tokens_order": "the date's first two ranked models swap their total_tokens (the ranking "
    "no longer in token order)",
}
APP_KINDS = {
    "app_rank_gap": "app-rankings: the ranks of the second half of the rows are one higher (a gap)",
    "app_duplicate_app": "app-rankings: the second row repeats the first row's app_id and app_name",
    "app_tokens_number": "app-rankings: total_tokens as JSON numbers instead of decimal strings",
    "app_tokens_order": "app-rankings: the first two rows' total_tokens swapped (tokens no longer "
    "non-increasing, as popular's are)",
    "app_rows_over_limit": "app-rankings: extra rows after the last, up to `limit` + 1 rows",
    "app_name_empty": "app-rankings: the first row's app_name is ''",
}
BODY_KINDS = {
    "deep_nesting": "an unknown top-level field `extra` nested `depth` arrays deep (default 10000)",
    "huge_number": "an unknown top-level field `extra` holding a JSON integer of `digits` "
    "digits (default 5000, beyond Python's int() limit of 4300)",
    "echo_key": "a valid 200 echoing the request's `Authorization` header in an extra field "
    "(`where`: meta, the default, or row: the first row); `escaped=true` spells it in \\u "
    "JSON escapes",
    "latin1_body": "the body encoded in ISO-8859-1, its first permaslug prefixed `café/crème-`, "
    "declared as `charset=iso-8859-1` (`declare=false`: no charset, so it is not UTF-8)",
    "invalid_utf8": "a byte 0xFF inside the body's first permaslug (no charset declared: UTF-8)",
}
PERSISTENT_KINDS = {
    "revise": "scale `date`'s tokens by `factor` (e.g. 1.001) until the faults are cleared",
}
ALL_KINDS = {**TRANSPORT_KINDS, **DATA_KINDS, **APP_KINDS, **BODY_KINDS, **PERSISTENT_KINDS}
#: Data kinds that change ``meta`` rather than a date's rows.
META_KINDS = ("meta_version", "meta_as_of")
#: The endpoints a fault can be restricted to (the names the stats use).
ENDPOINTS = ("rankings-daily", "app-rankings")
#: Kinds that can act on one endpoint only match its requests, whatever ``endpoint`` says.
IMPLIED_ENDPOINT = {
    **{kind: "rankings-daily" for kind in DATA_KINDS if kind not in META_KINDS},
    **dict.fromkeys(APP_KINDS, "app-rankings"),
}
#: The extra apps of ``app_rows_over_limit`` get ids from here.
SURPLUS_APP_ID = 900_000
#: The prefix ``latin1_body`` gives the body's first permaslug (not ASCII, all ISO-8859-1).
LATIN1_PREFIX = "café/crème-"

HOSTILE_SLUGS = {
    "quote": "o'brien/model\"quoted-20250101",
    "sql": "x'); DROP TABLE rankings_daily;--",
    "unicode": "模型/ünïcødé-😀-20250101",
    "long": "long/" + "x" * 10_000,
}
#: The extra ranked model of ``rows_52``.
SURPLUS_SLUG = "surplus/extra-model-20250101"
MAX_DELAY_SECONDS = 600


class FaultError(ValueError):
    """A fault specification the sandbox does not understand; the message says why."""


@dataclasses.dataclass
class Fault:
    kind: str
    count: int = 1  # responses it still applies to; -1 = until cleared
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: Only requests to this endpoint (None: any, or the kind's own endpoint).
    endpoint: str | None = None
    #: Only requests whose query has these values (None: the parameter is absent).
    match: dict[str, str | None] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        where: dict[str, Any] = {"endpoint": self.endpoint} if self.endpoint else {}
        if self.match:
            where["match"] = dict(self.match)
        return {"kind": self.kind, "count": self.count, **where, **self.params}

    def matches(self, endpoint: str | None, params: Mapping[str, str]) -> bool:
        """Whether a request to ``endpoint`` with query ``params`` consumes this fault."""
        wanted = self.endpoint or IMPLIED_ENDPOINT.get(self.kind)
        if wanted is not None and endpoint is not None and wanted != endpoint:
            return False
        return all(
            (name not in params) if value is None else params.get(name) == value
            for name, value in self.match.items()
        )

    @property
    def date(self) -> str | None:
        return self.params.get("date")


# --- parsing and validating specifications ---------------------------------------------------


def _int_in(low: int, high: int) -> Callable[[str, Any], int]:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise FaultError(f"`{name}` must be an integer from {low} to {high}, got {value!r}")
        return value

    return check


def _seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultError(f"`{name}` must be a number of seconds, got {value!r}")
    if not 0 <= value <= MAX_DELAY_SECONDS:
        raise FaultError(f"`{name}` must be between 0 and {MAX_DELAY_SECONDS}, got {value!r}")
    return float(value)


def _iso_date(name: str, value: Any) -> str:
    try:
        return parse_iso_date(value).isoformat()
    except ValueError:
        raise FaultError(f"`{name}` must be a YYYY-MM-DD date, got {value!r}") from None


def _positive_factor(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise FaultError(f"`{name}` must be a positive number, got {value!r}")
    return float(value)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise FaultError(f"`{name}` must be a string, got {value!r}")
    return value


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise FaultError(f"`{name}` must be true or false, got {value!r}")
    return value


def _retry_after(name: str, value: Any) -> int | str:
    """Seconds (0..86400), or any text to send verbatim: what a broken server might say."""
    if isinstance(value, str):
        return value
    return _int_in(0, 86_400)(name, value)


def _one_of(*choices: str) -> Callable[[str, Any], str]:
    def check(name: str, value: Any) -> str:
        if value not in choices:
            raise FaultError(f"`{name}` must be one of {', '.join(choices)}, got {value!r}")
        return value

    return check


def _interval(name: str, value: Any) -> float:
    seconds = _seconds(name, value)
    if seconds <= 0:
        raise FaultError(f"`{name}` must be more than 0 seconds, got {value!r}")
    return seconds


def _variant(name: str, value: Any) -> str:
    if value != "all" and value not in HOSTILE_SLUGS:
        raise FaultError(f"`{name}` must be one of {', '.join([*HOSTILE_SLUGS, 'all'])}")
    return value


#: kind -> {param: (checker, required)}
_PARAMS: dict[str, dict[str, tuple[Callable[[str, Any], Any], bool]]] = {
    "status": {
        "status": (_int_in(400, 599), True),
        "retry_after": (_retry_after, False),
        "message": (_text, False),
    },
    "delay": {"seconds": (_seconds, True)},
    "drop": {},
    "truncate": {"honest_length": (_flag, False)},
    "trickle": {"chunk": (_int_in(1, 1_000_000), False), "interval": (_interval, False)},
    **{kind: {"date": (_iso_date, False)} for kind in DATA_KINDS},
    **{kind: {} for kind in APP_KINDS},
    "hostile_slug": {"date": (_iso_date, False), "variant": (_variant, False)},
    "meta_version": {"version": (_text, False)},
    "meta_as_of": {"value": (_text, True)},
    "zero_tokens": {"date": (_iso_date, False), "which": (_one_of("all", "last"), False)},
    "tokens_huge": {"date": (_iso_date, False), "digits": (_int_in(20, 1_000_000), False)},
    "deep_nesting": {"depth": (_int_in(1, 1_000_000), False)},
    "huge_number": {"digits": (_int_in(1, 1_000_000), False)},
    "echo_key": {"where": (_one_of("meta", "row"), False), "escaped": (_flag, False)},
    "latin1_body": {"declare": (_flag, False)},
    "invalid_utf8": {},
    "revise": {"date": (_iso_date, True), "factor": (_positive_factor, True)},
}


def fault_from_dict(spec: Any) -> Fault:
    """Validate ``{"kind": ..., "count": N, ...params}`` (the admin API's body) into a Fault."""
    if not isinstance(spec, dict):
        raise FaultError(f"a fault is a JSON object with a `kind`, got {spec!r}")
    spec = dict(spec)
    kind = spec.pop("kind", None)
    if kind not in ALL_KINDS:
        raise FaultError(f"unknown fault kind {kind!r}; known: {', '.join(sorted(ALL_KINDS))}")
    count = spec.pop("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count == 0 or count < -1:
        raise FaultError(f"`count` must be a positive integer or -1 (until cleared), got {count!r}")
    endpoint = spec.pop("endpoint", None)
    if endpoint is not None and endpoint not in ENDPOINTS:
        raise FaultError(f"`endpoint` must be one of {', '.join(ENDPOINTS)}, got {endpoint!r}")
    implied = IMPLIED_ENDPOINT.get(kind)
    if endpoint is not None and implied is not None and endpoint != implied:
        raise FaultError(f"a {kind} fault acts on {implied} answers only, not {endpoint}")
    match = _match(spec.pop("match", None))
    allowed = _PARAMS[kind]
    unknown = sorted(set(spec) - set(allowed))
    if unknown:
        accepted = ", ".join(["count", "endpoint", "match", *allowed])
        raise FaultError(f"{kind} fault: unknown parameter(s) {', '.join(unknown)}; {accepted}")
    params = {}
    for name, (check, required) in allowed.items():
        if name in spec:
            params[name] = check(name, spec[name])
        elif required:
            raise FaultError(f"a {kind} fault needs `{name}`")
    return Fault(kind, count, params, endpoint, match)


def _match(value: Any) -> dict[str, str | None]:
    """``{"param": "value" | null}``; numbers are compared as the query's text (100 -> "100")."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FaultError(f"`match` must be an object of query parameters, got {value!r}")
    match: dict[str, str | None] = {}
    for name, wanted in value.items():
        if wanted is None or isinstance(wanted, str):
            match[name] = wanted
        elif isinstance(wanted, int) and not isinstance(wanted, bool):
            match[name] = str(wanted)
        else:
            raise FaultError(f"`match.{name}` must be a string, an integer or null, got {wanted!r}")
    return match


def parse_fault_flag(text: str) -> Fault:
    """A ``--fault`` value: ``KIND[:key=value,...]`` (``status:status=500,count=2``) or JSON."""
    if text.lstrip().startswith("{"):
        try:
            return fault_from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise FaultError(f"--fault {text!r} is not valid JSON: {exc.msg}") from None
    kind, _, rest = text.partition(":")
    spec: dict[str, Any] = {"kind": kind}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise FaultError(f"fault parameter {item!r} is not key=value")
        spec[key.strip()] = _coerce(value.strip())
    return fault_from_dict(spec)


def _coerce(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(value.lower(), value)


# --- the queue ---------------------------------------------------------------------------------


class FaultQueue:
    """FIFO of faults plus the standing revisions (``date -> factor``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self.revisions: dict[str, float] = {}

    def add(self, fault: Fault) -> None:
        with self._lock:
            if fault.kind in PERSISTENT_KINDS:
                self.revisions[fault.params["date"]] = fault.params["factor"]
            else:
                self._queue.append(
                    dataclasses.replace(fault, params=dict(fault.params), match=dict(fault.match))
                )

    def take(
        self, endpoint: str | None = None, params: Mapping[str, str] | None = None
    ) -> Fault | None:
        """The fault for this request (consuming one unit of the count of the first queued
        fault that matches it), if any."""
        params = params or {}
        with self._lock:
            for position, fault in enumerate(self._queue):
                if not fault.matches(endpoint, params):
                    continue
                if fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self._queue.pop(position)
                return dataclasses.replace(fault, count=1, params=dict(fault.params))
            return None

    def listing(self) -> dict[str, Any]:
        with self._lock:
            return {
                "queue": [fault.as_dict() for fault in self._queue],
                "revisions": dict(self.revisions),
            }

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self.revisions.clear()


# --- applying faults (pure) --------------------------------------------------------------------


def revise_rows(rows: Rows, factor: float) -> Rows:
    """A day's rows with every total scaled by ``factor``: integers, re-ordered, ``other`` last."""
    ranked = sorted(
        ((slug, round(tokens * factor)) for slug, tokens in rows if slug != OTHER),
        key=lambda row: (-row[1], row[0]),
    )
    tail = [(slug, round(tokens * factor)) for slug, tokens in rows if slug == OTHER]
    return tuple(ranked + tail)


def apply_to_day(rows: list[dict[str, Any]], fault: Fault) -> list[dict[str, Any]]:
    """One date's rows (API order, ``total_tokens`` as strings) with a data fault applied."""
    kind = fault.kind
    day = [dict(row) for row in rows]
    ranked = [row for row in day if row["model_permaslug"] != OTHER]
    others = [row for row in day if row["model_permaslug"] == OTHER]
    if kind in ("other_missing", "tailless"):
        return ranked
    if kind == "other_duplicated":
        return ranked + others + [dict(row) for row in others]
    if kind == "other_not_last":
        return others + ranked
    if kind == "rows_49":
        return ranked[:-1] + others
    if kind == "rows_52":
        tokens = max(1, int(ranked[-1]["total_tokens"]) - 1) if ranked else 1
        date = day[0]["date"] if day else fault.date
        extra = {"date": date, "model_permaslug": SURPLUS_SLUG, "total_tokens": str(tokens)}
        return ranked + [extra] + others
    if kind == "tokens_number":
        for row in day:
            row["total_tokens"] = int(row["total_tokens"])
        return day
    if kind in ("tokens_non_numeric", "tokens_negative", "tokens_overflow") and day:
        day[0]["total_tokens"] = {
            "tokens_non_numeric": "12abc",
            "tokens_negative": "-5",
            "tokens_overflow": str(2**63),
        }[kind]
        return day
    if kind == "hostile_slug":
        variant = fault.params.get("variant", "all")
        slugs = list(HOSTILE_SLUGS.values()) if variant == "all" else [HOSTILE_SLUGS[variant]]
        for row, slug in zip(ranked, slugs, strict=False):
            row["model_permaslug"] = slug
        return day
    if kind == "missing_date":
        return []
    if kind == "zero_tokens":
        if fault.params.get("which", "all") == "last":
            if ranked:
                ranked[-1]["total_tokens"] = "0"
            return ranked + others
        for row in day:
            row["total_tokens"] = "0"
        ranked = sorted((r for r in day if r["model_permaslug"] != OTHER), key=_slug)
        return ranked + [r for r in day if r["model_permaslug"] == OTHER]
    if kind == "tokens_sum_overflow":
        for position, row in enumerate(ranked):
            row["total_tokens"] = str(2**61 - position)
        return ranked + others
    if kind == "tokens_order" and len(ranked) >= 2:
        ranked[0]["total_tokens"], ranked[1]["total_tokens"] = (
            ranked[1]["total_tokens"],
            ranked[0]["total_tokens"],
        )
        return ranked + others
    if kind == "tokens_huge" and day:
        digits = fault.params.get("digits", 5000)
        day[0]["total_tokens"] = "1" + "0" * (digits - 1)
        return day
    return day


def _slug(row: dict[str, Any]) -> str:
    return row["model_permaslug"]


def apply_to_apps(rows: list[dict[str, Any]], fault: Fault, limit: int) -> list[dict[str, Any]]:
    """An app-rankings page (API order) with an app fault applied."""
    kind = fault.kind
    page = [dict(row) for row in rows]
    if kind == "app_rank_gap" and len(page) >= 2:
        for row in page[len(page) // 2 :]:
            row["rank"] += 1
    elif kind == "app_duplicate_app" and len(page) >= 2:
        page[1]["app_id"], page[1]["app_name"] = page[0]["app_id"], page[0]["app_name"]
    elif kind == "app_tokens_number":
        for row in page:
            row["total_tokens"] = int(row["total_tokens"])
    elif kind == "app_tokens_order" and len(page) >= 2:
        first, second = page[0]["total_tokens"], page[1]["total_tokens"]
        if first == second:
            second = str(int(first) + 1)
        page[0]["total_tokens"], page[1]["total_tokens"] = second, first
    elif kind == "app_rows_over_limit":
        rank = page[-1]["rank"] if page else 0
        while len(page) <= limit:
            rank += 1
            page.append(
                {
                    "app_id": SURPLUS_APP_ID + rank,
                    "app_name": f"Surplus App {rank}",
                    "rank": rank,
                    "total_requests": 1,
                    "total_tokens": "1",
                }
            )
    elif kind == "app_name_empty" and page:
        page[0]["app_name"] = ""
    return page


def apply_to_meta(meta: dict[str, Any], fault: Fault) -> dict[str, Any]:
    if fault.kind == "meta_version":
        return {**meta, "version": fault.params.get("version", "v2")}
    if fault.kind == "meta_as_of":
        return {**meta, "as_of": fault.params["value"]}
    return meta


def apply_to_body(
    body: bytes, fault: Fault, key: str, text_field: str = "model_permaslug"
) -> tuple[bytes, str]:
    """(body, Content-Type) with a body fault applied to the UTF-8 JSON ``body``.

    ``key`` is the request's API key, for ``echo_key`` only (the sandbox never stores it).
    ``text_field`` is the row field ``latin1_body`` and ``invalid_utf8`` alter (``app_name``
    in an app-rankings answer).
    """
    marker = f'"{text_field}":"'.encode()
    json_type = "application/json"
    kind = fault.kind
    if kind == "deep_nesting":
        depth = fault.params.get("depth", 10_000)
        nested = b'"extra":' + b"[" * depth + b"]" * depth + b',"meta":'
        return body.replace(b'"meta":', nested, 1), json_type
    if kind == "huge_number":
        digits = fault.params.get("digits", 5000)
        number = b'"extra":1' + b"0" * (digits - 1) + b',"meta":'
        return body.replace(b'"meta":', number, 1), json_type
    if kind == "echo_key":
        echo = f"Bearer {key}"
        if fault.params.get("escaped"):
            text = "".join(f"\\u{ord(char):04x}" for char in echo)
        else:
            text = json.dumps(echo)[1:-1]
        field = b'"echo":"' + text.encode("ascii") + b'",'
        if fault.params.get("where", "meta") == "row":
            return body.replace(b'"data":[{', b'"data":[{' + field, 1), json_type
        return body.replace(b'"meta":{', b'"meta":{' + field, 1), json_type
    if kind == "latin1_body":
        text = body.decode("utf-8").replace(marker.decode(), marker.decode() + LATIN1_PREFIX, 1)
        declared = fault.params.get("declare", True)
        return text.encode("iso-8859-1"), json_type + "; charset=iso-8859-1" * declared
    if kind == "invalid_utf8":
        return body.replace(marker, marker + b"gpt-\xff-", 1), json_type
    return body, json_type
