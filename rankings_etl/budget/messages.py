"""Words for the budget's decisions: error messages, wait log lines and the ledger report.

Plain functions of the ledger's values, shared by the Dagster resource and the CLI. Keys
appear only as fingerprints: nothing here ever sees a key.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from rankings_etl.budget.ledger import KeyUsage, Refuse, Usage, Wait

#: What :func:`iso` shows for an instant no calendar can hold (after 9999-12-31, or NaN).
BEYOND_ISO = "9999-12-31T23:59:59.999+00:00"


def _moment(epoch: float) -> dt.datetime | None:
    """The UTC datetime of an epoch second, or None if it is beyond Python's calendar."""
    try:
        return dt.datetime.fromtimestamp(epoch, dt.UTC)
    except (OverflowError, OSError, ValueError):  # year > 9999 or < 1, inf, NaN
        return None


def when(epoch: float | None) -> str:
    """An epoch second as a UTC timestamp a person reads, e.g. ``2026-05-12 10:00:41 UTC``.

    Never raises: a time beyond any calendar (a ledger row written from an absurd
    ``Retry-After``) reads ``beyond the year 9999``.
    """
    if epoch is None:
        return "now"
    moment = _moment(epoch)
    if moment is None:
        return "an invalid time" if epoch != epoch else "beyond the year 9999"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: float) -> str:
    """``41 s``, ``3 min 5 s``, ``23 h 59 min``, ``11 d 13 h``; never raises."""
    if seconds != seconds:  # NaN
        return "an unknown time"
    if seconds == float("inf"):
        return "forever"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days:,} d {hours} h"


def iso(epoch: float | None) -> str | None:
    """An epoch second as ISO 8601 UTC, or None (for JSON); beyond any calendar it is the last
    instant ISO 8601 years hold, :data:`BEYOND_ISO`."""
    if epoch is None:
        return None
    moment = _moment(epoch)
    return moment.isoformat(timespec="milliseconds") if moment else BEYOND_ISO


def key_next_free(key: KeyUsage) -> float | None:
    """When the key may next send: its minute budget and any 429 back-off both allowing."""
    times = [t for t in (key.minute_next_free, key.penalty_until) if t is not None]
    return max(times) if times else None


def at_and_in(epoch: float | None, now: float) -> str:
    if epoch is None:
        return "now"
    return f"{when(epoch)} (in {duration(epoch - now)})"


def _kept(refused: Refuse, for_schedules: int) -> str:
    """ ", of which 27 are kept for the scheduled runs and 10 for the rest of this run", or ""."""
    if refused.kept <= 0:
        return ""
    schedules = max(0, min(for_schedules, refused.kept))
    rest = refused.kept - schedules
    parts = [f"{schedules} are kept for the scheduled runs"] * bool(schedules)
    if rest:
        parts.append(f"{rest} {'' if parts else 'are kept '}for the rest of this run")
    kept = " and ".join(parts)
    if refused.kept <= refused.remaining:
        return f", of which {kept}"
    # Fewer remain than must stay free: "of which" would claim slots that are not there.
    return f"; {kept.replace(' are kept ', ' must stay free ', 1)}"


def day_refusal(refused: Refuse, account: str, now: float, *, for_schedules: int = 0) -> str:
    """Why a request (or a run's reservation) was refused; it always ends "nothing was sent".

    ``for_schedules`` says how many of ``refused.kept`` were kept for the scheduled runs (the
    rest were kept for the later steps of the same run), so the message names both.
    """
    held = (
        f", {refused.reserved} of them reserved by running runs (given back at once if those "
        "runs do not need them)"
    ) * bool(refused.reserved)
    used = (
        f"{refused.used} of {refused.limit} requests used in the rolling 24 h{held}, "
        f"{refused.remaining} remaining{_kept(refused, for_schedules)}"
    )
    if refused.needed == 1:
        head = f"OpenRouter day budget exhausted (account '{account}'): {used}"
    else:
        head = (
            f"OpenRouter day budget cannot cover this run's {refused.needed} requests "
            f"(account '{account}'): {used}"
        )
    if refused.next_free is None and refused.needed > refused.limit:
        tail = (
            f"; the run needs more than the whole day budget of {refused.limit}: "
            "split it into smaller runs"
        )
    elif refused.next_free is None:
        tail = (
            f"; its {refused.needed} and the {refused.kept} kept need more than the whole day "
            f"budget of {refused.limit}: split the run"
        )
    elif refused.needed == 1:
        tail = f"; the next slot frees at {at_and_in(refused.next_free, now)}"
    else:
        tail = f"; enough slots free at {at_and_in(refused.next_free, now)}"
    return f"{head}{tail}. Nothing was sent."


def wait_reason(wait: Wait, key_fp: str) -> str:
    """What a wait is for, e.g. for the log line and for a too-long-wait error."""
    if wait.reason == "penalty":
        return f"OpenRouter asked key {key_fp} to back off ({wait.detail}) until {when(wait.until)}"
    return (
        f"the minute budget of key {key_fp} is used up ({wait.used} of {wait.limit} requests "
        f"in the rolling {wait.window_seconds:g} s); the next slot frees at {when(wait.until)}"
    )


#: How reports name slots recorded without a dataset (before schema v2, or by a caller that
#: gave none).
UNATTRIBUTED = "unattributed"


def _datasets_by_spending(usage: Usage) -> list[tuple[str, int, int]]:
    """(name, sent, reserved), the biggest spender first, unattributed last."""
    rows = [(name, sent, held) for name, (sent, held) in usage.by_dataset.items()]
    rows.sort(key=lambda row: (row[0] is None, -(row[1] + row[2]), row[0] or ""))
    return [(name or UNATTRIBUTED, sent, held) for name, sent, held in rows]


def by_dataset_line(usage: Usage) -> str:
    """ "spent by dataset (rolling 24 h): app_rankings_weekly 196, rankings_daily 3, ..."."""
    spent = [
        f"{name} {sent}" + f" (+{held} reserved)" * bool(held)
        for name, sent, held in _datasets_by_spending(usage)
    ]
    return f"spent by dataset (rolling 24 h): {', '.join(spent) if spent else 'nothing'}"


def usage_dict(usage: Usage, *, database: str, key_fp: str | None = None) -> dict[str, Any]:
    """The ledger's state as plain JSON-able values (``rankings-etl budget --json``).

    Times are ISO 8601 UTC; a ``next_free_slot`` of null means a slot is free now.
    """
    limits = usage.limits
    return {
        "ledger": database,
        "now": iso(usage.now),
        "account": usage.account,
        "limits": {"per_minute": limits.per_minute, "per_day": limits.per_day},
        "day": {
            "window": "rolling 24 h",
            "used": usage.day_used,
            "sent": usage.day_sent,
            "reserved": usage.day_reserved,
            "remaining": usage.day_remaining,
            "next_free_slot": iso(usage.day_next_free),
        },
        "minute": [
            {
                "key_fp": key.key_fp,
                "current_key": key.key_fp == key_fp,
                "window": f"rolling {limits.minute_seconds:g} s",
                "used": key.minute_used,
                "remaining": key.minute_remaining,
                "next_free_slot": iso(key_next_free(key)),
                "backing_off_until": iso(key.penalty_until),
                "backoff_reason": key.penalty_reason,
            }
            for key in usage.keys
        ],
        "recent_requests": [
            {
                "time": iso(record.at),
                "status": record.status,
                "key_fp": record.key_fp,
                "window_requested": record.label,
                "run_id": record.run_id,
                "dataset": record.dataset,
            }
            for record in usage.recent
        ],
        # Top level: "day" keeps its figures (scripts compare it as a whole).
        "by_dataset": {
            name: {"window": "rolling 24 h", "sent": sent, "reserved": held}
            for name, sent, held in _datasets_by_spending(usage)
        },
    }


def usage_json(usage: Usage, *, database: str, key_fp: str | None = None) -> str:
    return json.dumps(usage_dict(usage, database=database, key_fp=key_fp), indent=2)


def usage_text(usage: Usage, *, database: str, key_fp: str | None = None) -> str:
    """The ledger for a person: what is used, what is left, when it frees, who spent it."""
    limits = usage.limits
    now = usage.now
    lines = [
        f"rate budget ledger {database}",
        f"  account {usage.account!r}: {limits.per_minute} requests per rolling minute per key, "
        f"{limits.per_day} per rolling 24 h per account; now {when(now)}",
        "",
    ]
    reserved = f" ({usage.day_reserved} reserved by running runs)" * bool(usage.day_reserved)
    lines.append(
        f"day (rolling 24 h): {usage.day_used} of {limits.per_day} used{reserved}, "
        f"{usage.day_remaining} remaining; next free slot: {at_and_in(usage.day_next_free, now)}"
    )
    lines.append(by_dataset_line(usage))
    minute = f"minute (rolling {limits.minute_seconds:g} s)"
    if not usage.keys:
        lines.append(f"{minute}: no requests yet, {limits.per_minute} remaining")
    for key in usage.keys:
        mark = " (OPENROUTER_API_KEY)" * (key.key_fp == key_fp)
        lines.append(
            f"{minute}, key {key.key_fp}{mark}: {key.minute_used} of "
            f"{limits.per_minute} used, {key.minute_remaining} remaining; next free slot: "
            f"{at_and_in(key_next_free(key), now)}"
        )
        if key.penalty_until:
            lines.append(
                f"  backing off until {at_and_in(key.penalty_until, now)}: {key.penalty_reason}"
            )
    lines.append("")
    if not usage.recent:
        lines.append("no requests recorded")
        return "\n".join(lines)
    lines.append(f"recent requests (newest first, last {len(usage.recent)}):")
    header = f"  {'time':<23}  {'status':>6}  {'key':<12}  {'window requested':<24}  run"
    lines.append(header)
    for record in usage.recent:
        status = "-" if record.status is None else str(record.status)
        run = (record.run_id or "-")[:8]
        lines.append(
            f"  {when(record.at):<23}  {status:>6}  {record.key_fp:<12}  "
            f"{record.label or '-':<24}  {run}"
        )
    return "\n".join(lines)
