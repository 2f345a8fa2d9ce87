"""Scripted misbehaviour: a FIFO queue of faults, each applying to the next N responses.

Transport faults (``status``, ``delay``, ``drop``, ``truncate``) change how a response is sent;
data faults change the rows of one date (``date`` param, default the window's first date).
``revise`` is not queued: it scales a day's tokens until cleared, as OpenRouter's late
revisions do.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from rankings_etl.contract import OTHER

TRANSPORT_KINDS = {
    "status": "answer with HTTP `status` (500, 502, 503, 429, 401, 400 ...) and a JSON error; "
    "`retry_after` seconds for a 429",
    "delay": "wait `seconds` before answering normally",
    "drop": "close the connection without any response",
    "truncate": "send a 200 whose body is cut mid-JSON and close the connection "
    "(`honest_length=true` sends a short but complete body instead)",
}
DATA_KINDS = {
    "other_missing": "drop the date's `other` row (indistinguishable from a tail-less day)",
    "tailless": "a legitimate tail-less day: 50 ranked models, no `other`",
    "other_duplicated": "repeat the date's `other` row",
    "other_not_last": "move `other` to the top of its date",
    "rows_49": "a 49-row day (48 ranked models + `other`)",
    "rows_52": "a 52-row day (51 ranked models + `other`)",
    "tokens_number": "total_tokens as JSON numbers instead of decimal strings",
    "tokens_non_numeric": "a total_tokens of '12abc'",
    "tokens_negative": "a total_tokens of '-5'",
    "tokens_overflow": "a total_tokens beyond 2**63-1",
    "hostile_slug": "permaslugs with quotes, SQL, unicode (`variant`: quote|sql|unicode|long|all)",
    "missing_date": "omit every row of the date",
    "meta_version": "meta.version set to `version` (default v2)",
}
ALL_KINDS = {**TRANSPORT_KINDS, **DATA_KINDS, "revise": "scale `date`'s tokens by `factor`"}

HOSTILE_SLUGS = {
    "quote": "o'brien/model\"quoted-20250101",
    "sql": "x'); DROP TABLE rankings_daily;--",
    "unicode": "模型/ünïcødé-😀-20250101",
    "long": "long/" + "x" * 10_000,
}


class FaultError(ValueError):
    """A fault specification the sandbox does not understand."""


@dataclasses.dataclass
class Fault:
    kind: str
    count: int = 1  # responses it applies to; -1 = until cleared
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "count": self.count, **self.params}


def fault_from_dict(spec: dict[str, Any]) -> Fault:
    spec = dict(spec)
    kind = spec.pop("kind", None)
    if kind not in ALL_KINDS:
        raise FaultError(f"unknown fault kind {kind!r}; known: {', '.join(sorted(ALL_KINDS))}")
    try:
        count = int(spec.pop("count", 1))
    except (TypeError, ValueError):
        raise FaultError("count must be an integer (-1 = until cleared)") from None
    if count == 0 or count < -1:
        raise FaultError("count must be positive, or -1 for until cleared")
    if kind == "status":
        status = spec.get("status")
        if not isinstance(status, int) or not 400 <= status <= 599:
            raise FaultError("a status fault needs an integer `status` from 400 to 599")
    if kind == "revise" and ("date" not in spec or "factor" not in spec):
        raise FaultError("a revise fault needs `date` and `factor`")
    if kind == "delay" and not isinstance(spec.get("seconds"), (int, float)):
        raise FaultError("a delay fault needs `seconds`")
    return Fault(kind, count, spec)


def parse_fault_flag(text: str) -> Fault:
    """``KIND[:key=value,...]`` from the command line, e.g. ``status:status=500,count=2``."""
    kind, _, rest = text.partition(":")
    spec: dict[str, Any] = {"kind": kind}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise FaultError(f"fault parameter {item!r} is not key=value")
        spec[key] = _coerce(value)
    return fault_from_dict(spec)


def _coerce(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(value.lower(), value)


class FaultQueue:
    """Thread-safe FIFO of faults plus the standing revisions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self.revisions: dict[str, float] = {}

    def add(self, fault: Fault) -> None:
        with self._lock:
            if fault.kind == "revise":
                self.revisions[str(fault.params["date"])] = float(fault.params["factor"])
            else:
                self._queue.append(fault)

    def take(self) -> Fault | None:
        """The fault for the next response (consuming one of its count), if any."""
        with self._lock:
            if not self._queue:
                return None
            fault = self._queue[0]
            if fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self._queue.pop(0)
            return Fault(fault.kind, 1, dict(fault.params))

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


def apply_data_fault(
    rows: list[dict[str, Any]], fault: Fault, meta: dict[str, Any], default_date: str
) -> list[dict[str, Any]]:
    """Return ``rows`` (API order) with ``fault`` applied to one date; ``meta`` may change."""
    kind = fault.kind
    if kind == "meta_version":
        meta["version"] = fault.params.get("version", "v2")
        return rows
    target = str(fault.params.get("date", default_date))
    before = [r for r in rows if r["date"] < target]
    day = [dict(r) for r in rows if r["date"] == target]
    after = [r for r in rows if r["date"] > target]
    ranked = [r for r in day if r["model_permaslug"] != OTHER]
    others = [r for r in day if r["model_permaslug"] == OTHER]
    if kind in ("other_missing", "tailless"):
        day = ranked
    elif kind == "other_duplicated":
        day = ranked + others + [dict(o) for o in others]
    elif kind == "other_not_last":
        day = others + ranked
    elif kind == "rows_49":
        day = ranked[:48] + others
    elif kind == "rows_52":
        extra_tokens = str(max(1, int(ranked[-1]["total_tokens"]) - 1)) if ranked else "1"
        extra = {
            "date": target,
            "model_permaslug": "extra/surplus-20250101",
            "total_tokens": extra_tokens,
        }
        day = ranked + [extra] + others
    elif kind == "tokens_number":
        for r in day:
            r["total_tokens"] = int(r["total_tokens"])
    elif kind in ("tokens_non_numeric", "tokens_negative", "tokens_overflow") and day:
        day[0]["total_tokens"] = {
            "tokens_non_numeric": "12abc",
            "tokens_negative": "-5",
            "tokens_overflow": str(2**63),
        }[kind]
    elif kind == "hostile_slug":
        variant = fault.params.get("variant", "all")
        slugs = list(HOSTILE_SLUGS.values()) if variant == "all" else [HOSTILE_SLUGS[variant]]
        for r, slug in zip(ranked, slugs, strict=False):
            r["model_permaslug"] = slug
    elif kind == "missing_date":
        day = []
    return before + day + after
