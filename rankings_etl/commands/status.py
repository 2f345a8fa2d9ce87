"""``rankings-etl status``: what the warehouse holds, and how much budget is left today."""

from __future__ import annotations

import json
from pathlib import Path

import click

from rankings_etl.commands.options import database_option, has_table, read_only
from rankings_etl.core.timestamps import format_as_of
from rankings_etl.datasets import TABLES


@click.command()
@database_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(database: str, as_json: bool) -> None:
    """Days loaded, latest date, last as_of, restatements and budget left."""
    with read_only(database) as con:
        if not has_table(con, "rankings_daily"):
            raise click.ClickException(f"{database} has no rankings_daily table yet")
        days, rows, first, last, as_of = con.execute(
            "SELECT count(DISTINCT date), count(*), min(date), max(date), max(as_of) "
            "FROM rankings_daily"
        ).fetchone()
        restated = con.execute("SELECT count(*) FROM rankings_restatements").fetchone()[0]
        tables = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            # Every other table an asset writes: the derived ones, the other datasets'.
            for table in (
                spec.name
                for spec in TABLES.values()
                if spec.written_by != "side" and spec.name != "rankings_daily"
            )
            if has_table(con, table)
        }
    expected = (last - first).days + 1 if first else 0
    report = {
        "warehouse": str(Path(database).resolve()),
        "days_loaded": days,
        "rows": rows,
        "first_date": str(first) if first else None,
        "latest_date": str(last) if last else None,
        "missing_days_between": expected - days,
        "last_as_of": format_as_of(as_of) if as_of else None,
        "restated_rows": restated,
        "tables": tables,
        "budget_remaining_today": _budget_remaining(),
    }
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    remaining = report["budget_remaining_today"]
    lines = [
        ("warehouse", report["warehouse"]),
        (
            "days loaded",
            f"{days} ({first} .. {last}), {rows:,} rows; "
            f"{report['missing_days_between']} missing in between",
        ),
        ("last as_of", report["last_as_of"]),
        ("restated rows", restated),
        *((table, f"{count:,} rows") for table, count in tables.items()),
        (
            "budget left",
            f"{remaining if remaining is not None else 'n/a (no ledger)'} "
            "requests in the rolling 24 h",
        ),
    ]
    # One column for the labels, as wide as the longest plus a gap: a table name as long as
    # the column (model_share_daily) must not run into its count.
    width = max(len(label) for label, _ in lines) + 2
    for label, value in lines:
        click.echo(f"{label:<{width}}{value}")


def _budget_remaining() -> int | None:
    from rankings_etl.budget.backends import open_ledger
    from rankings_etl.budget.ledger import Limits
    from rankings_etl.core.rate_limits import DEFAULT_ACCOUNT
    from rankings_etl.settings import Settings

    settings = Settings.from_env()
    limits = Limits(per_minute=settings.rate_per_minute, per_day=settings.rate_per_day)
    ledger = open_ledger(settings.budget_db, limits)
    if not ledger.exists():
        return None
    return ledger.usage(DEFAULT_ACCOUNT, ledger.clock()).day_remaining
