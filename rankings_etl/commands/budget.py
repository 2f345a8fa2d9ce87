"""``rankings-etl budget``: the answer to "why is my backfill waiting?".

Reads the same settings as ``definitions.py`` (:mod:`rankings_etl.settings`:
``RANKINGS_BUDGET_DB``, ``OPENROUTER_RATE_PER_MINUTE``, ``OPENROUTER_RATE_PER_DAY``) and prints
what the ledger holds: used and remaining per rolling window, what each dataset spent in the
rolling 24 h, when the next slot frees, keys that were told to back off, and the most recent
requests. ``--clear-penalty <fingerprint>``
lifts a key's back-off for every process (a 429 that asked for too long, or one the operator
knows is over). Imports no Dagster, so it answers at once.
"""

from __future__ import annotations

import json
import re
import time

import click

from rankings_etl.budget.backends import open_ledger
from rankings_etl.budget.ledger import (
    LEDGER_ERRORS,
    KeyUsage,
    Limits,
    Usage,
)
from rankings_etl.budget.messages import at_and_in, iso, usage_json, usage_text
from rankings_etl.budget.urls import ledger_name
from rankings_etl.core.rate_limits import DEFAULT_ACCOUNT
from rankings_etl.settings import DEFAULTS, current_key_fingerprint, option_default


def _empty_usage(limits: Limits, account: str, key_fp: str | None) -> Usage:
    keys = []
    if key_fp:
        keys.append(KeyUsage(key_fp, 0, limits.per_minute, None, None, None))
    return Usage(time.time(), account, limits, 0, 0, None, keys, [])


@click.command("budget")
@click.option(
    "--db",
    "database",
    default=option_default("RANKINGS_BUDGET_DB", DEFAULTS.budget_db),
    show_default=DEFAULTS.budget_db,
    help="The ledger: a SQLite file or a postgresql:// URL (env RANKINGS_BUDGET_DB).",
)
@click.option(
    "--per-minute",
    type=click.IntRange(min=1),
    default=option_default("OPENROUTER_RATE_PER_MINUTE", DEFAULTS.rate_per_minute),
    show_default=str(DEFAULTS.rate_per_minute),
    help="Requests per rolling minute per key (env OPENROUTER_RATE_PER_MINUTE).",
)
@click.option(
    "--per-day",
    type=click.IntRange(min=1),
    default=option_default("OPENROUTER_RATE_PER_DAY", DEFAULTS.rate_per_day),
    show_default=str(DEFAULTS.rate_per_day),
    help="Requests per rolling 24 h per account (env OPENROUTER_RATE_PER_DAY).",
)
@click.option("--account", default=DEFAULT_ACCOUNT, show_default=True, help="Account label.")
@click.option(
    "--recent",
    type=click.IntRange(min=0),
    default=15,
    show_default=True,
    help="How many recent requests to list.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option(
    "--clear-penalty",
    "clear_fp",
    metavar="FINGERPRINT",
    help=(
        "Lift the 429 back-off of the key with this fingerprint (as this report shows it), "
        "for every process, then show the budget."
    ),
)
def budget(
    database: str,
    per_minute: int,
    per_day: int,
    account: str,
    recent: int,
    as_json: bool,
    clear_fp: str | None,
) -> None:
    """Show the shared OpenRouter rate budget: what is used, what is left, when slots free.

    The key set in OPENROUTER_API_KEY (if any) is marked by its fingerprint; keys are never
    shown or stored otherwise.
    """
    if clear_fp is not None and not FINGERPRINT.fullmatch(clear_fp.strip().lower()):
        # Never echo the value: someone may have pasted the key itself.
        raise click.BadParameter(
            "expects a key fingerprint: 12 hex digits, as `rankings-etl budget` shows it "
            "(never the key itself)",
            param_hint="'--clear-penalty'",
        )
    limits = Limits(per_minute, per_day)
    key_fp = current_key_fingerprint()
    try:
        ledger = open_ledger(database, limits)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--db' / RANKINGS_BUDGET_DB") from None
    shown = ledger_name(database)
    # Reading must not create a ledger where none is: report an empty one instead.
    cleared: dict | None = None
    try:
        if ledger.exists():
            if clear_fp is not None:
                cleared = _clear(ledger, clear_fp.strip().lower())
            usage = ledger.usage(account, ledger.clock(), key_fp=key_fp, recent=recent)
            note = None
        else:
            usage = _empty_usage(limits, account, key_fp)
            note = f"(no ledger at {shown} yet: no request has been budgeted there)"
            if clear_fp is not None:
                cleared = {"key_fp": clear_fp.strip().lower(), "cleared": False}
    except LEDGER_ERRORS as exc:
        raise click.ClickException(f"cannot read the ledger {shown}: {exc}") from None
    if as_json:
        report = usage_json(usage, database=shown, key_fp=key_fp)
        if cleared is not None:
            report = json.dumps({"clear_penalty": cleared, **json.loads(report)}, indent=2)
        click.echo(report)
        return
    if note:
        click.echo(note)
    if cleared is not None:
        click.echo(_cleared_text(cleared, usage.now))
        click.echo("")
    click.echo(usage_text(usage, database=shown, key_fp=key_fp))


FINGERPRINT = re.compile(r"[0-9a-f]{12}")


def _clear(ledger, key_fp: str) -> dict:
    penalty = ledger.clear_penalty(key_fp)
    if penalty is None:
        return {"key_fp": key_fp, "cleared": False}
    return {
        "key_fp": key_fp,
        "cleared": True,
        "was_until": iso(penalty.until),
        "until_epoch": penalty.until,
        "reason": penalty.reason,
    }


def _cleared_text(cleared: dict, now: float) -> str:
    if not cleared["cleared"]:
        return f"key {cleared['key_fp']} has no back-off to clear; nothing changed"
    return (
        f"cleared the back-off of key {cleared['key_fp']}: it ran until "
        f"{at_and_in(cleared['until_epoch'], now)} ({cleared['reason']}); every process may "
        "send with it again"
    )
