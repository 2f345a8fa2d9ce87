"""``rankings-etl budget``: the answer to "why is my backfill waiting?".

Reads the same settings as ``definitions.py`` (``RANKINGS_BUDGET_DB``,
``OPENROUTER_RATE_PER_MINUTE``, ``OPENROUTER_RATE_PER_DAY``) and prints what the ledger holds:
used and remaining per rolling window, when the next slot frees, keys that were told to back
off, and the most recent requests. Imports no Dagster, so it answers at once.
"""

from __future__ import annotations

import os
import time

import click

from rankings_etl.budget import DEFAULT_ACCOUNT, DEFAULT_BUDGET_DB
from rankings_etl.budget.keys import key_fingerprint
from rankings_etl.budget.ledger import (
    LEDGER_ERRORS,
    KeyUsage,
    Limits,
    Usage,
    ledger_name,
    open_ledger,
)
from rankings_etl.budget.report import usage_json, usage_text
from rankings_etl.contract import RATE_PER_DAY, RATE_PER_MINUTE


def _empty_usage(limits: Limits, account: str, key_fp: str | None) -> Usage:
    keys = []
    if key_fp:
        keys.append(KeyUsage(key_fp, 0, limits.per_minute, None, None, None))
    return Usage(time.time(), account, limits, 0, 0, None, keys, [])


@click.command("budget")
@click.option(
    "--db",
    "database",
    envvar="RANKINGS_BUDGET_DB",
    default=DEFAULT_BUDGET_DB,
    show_default=True,
    help="The ledger: a SQLite file or a postgresql:// URL (env RANKINGS_BUDGET_DB).",
)
@click.option(
    "--per-minute",
    envvar="OPENROUTER_RATE_PER_MINUTE",
    type=click.IntRange(min=1),
    default=RATE_PER_MINUTE,
    show_default=True,
    help="Requests per rolling minute per key (env OPENROUTER_RATE_PER_MINUTE).",
)
@click.option(
    "--per-day",
    envvar="OPENROUTER_RATE_PER_DAY",
    type=click.IntRange(min=1),
    default=RATE_PER_DAY,
    show_default=True,
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
def budget(
    database: str, per_minute: int, per_day: int, account: str, recent: int, as_json: bool
) -> None:
    """Show the shared OpenRouter rate budget: what is used, what is left, when slots free.

    The key set in OPENROUTER_API_KEY (if any) is marked by its fingerprint; keys are never
    shown or stored otherwise.
    """
    limits = Limits(per_minute, per_day)
    api_key = os.getenv("OPENROUTER_API_KEY") or ""
    key_fp = key_fingerprint(api_key) if api_key.strip() else None
    try:
        ledger = open_ledger(database, limits)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--db' / RANKINGS_BUDGET_DB") from None
    shown = ledger_name(database)
    # Reading must not create a ledger where none is: report an empty one instead.
    try:
        if ledger.exists():
            usage = ledger.usage(account, ledger.clock(), key_fp=key_fp, recent=recent)
            note = None
        else:
            usage = _empty_usage(limits, account, key_fp)
            note = f"(no ledger at {shown} yet: no request has been budgeted there)"
    except LEDGER_ERRORS as exc:
        raise click.ClickException(f"cannot read the ledger {shown}: {exc}") from None
    if as_json:
        click.echo(usage_json(usage, database=shown, key_fp=key_fp))
        return
    if note:
        click.echo(note)
    click.echo(usage_text(usage, database=shown, key_fp=key_fp))
