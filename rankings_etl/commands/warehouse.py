"""``rankings-etl status | top | export``: the warehouse from a terminal, read-only.

Readers open DuckDB with ``read_only=True`` so they never take the writer's lock; a missing
warehouse is a clear error (exit 1), bad arguments are usage errors (exit 2).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import click
import duckdb

from rankings_etl.contract import LICENCE_LINE, citation
from rankings_etl.datasets import derived_tables

DEFAULT_DUCKDB_PATH = "data/rankings.duckdb"
DEFAULT_EXPORT_DIR = "data/exports"

database_option = click.option(
    "--db",
    "database",
    envvar="RANKINGS_DUCKDB_PATH",
    default=DEFAULT_DUCKDB_PATH,
    show_default=True,
    help="The warehouse file (env RANKINGS_DUCKDB_PATH).",
)


@contextlib.contextmanager
def read_only(database: str) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(database).expanduser()
    if not path.exists():
        raise click.ClickException(
            f"no warehouse at {path}: run `make demo`, or backfill rankings_daily from the "
            "Dagster UI (`make dev`), or set RANKINGS_DUCKDB_PATH"
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise click.ClickException(f"cannot open the warehouse {path}: {exc}") from None
    try:
        yield con
    finally:
        con.close()


def _has(con, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = $1", [table]
        ).fetchone()[0]
    )


@click.command()
@database_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(database: str, as_json: bool) -> None:
    """Days loaded, latest date, last as_of, restatements and budget left."""
    with read_only(database) as con:
        if not _has(con, "rankings_daily"):
            raise click.ClickException(f"{database} has no rankings_daily table yet")
        days, rows, first, last, as_of = con.execute(
            "SELECT count(DISTINCT date), count(*), min(date), max(date), max(as_of) "
            "FROM rankings_daily"
        ).fetchone()
        restated = con.execute("SELECT count(*) FROM rankings_restatements").fetchone()[0]
        tables = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (spec.name for spec in derived_tables())
            if _has(con, table)
        }
    expected = (last - first).days + 1 if first else 0
    report = {
        "warehouse": str(Path(database).resolve()),
        "days_loaded": days,
        "rows": rows,
        "first_date": str(first) if first else None,
        "latest_date": str(last) if last else None,
        "missing_days_between": expected - days,
        "last_as_of": as_of.astimezone(dt.UTC).isoformat() if as_of else None,
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
    from rankings_etl.budget import DEFAULT_ACCOUNT, DEFAULT_BUDGET_DB
    from rankings_etl.budget.ledger import Limits, open_ledger
    from rankings_etl.contract import RATE_PER_DAY, RATE_PER_MINUTE

    database = os.getenv("RANKINGS_BUDGET_DB") or DEFAULT_BUDGET_DB
    limits = Limits(
        per_minute=int(os.getenv("OPENROUTER_RATE_PER_MINUTE") or RATE_PER_MINUTE),
        per_day=int(os.getenv("OPENROUTER_RATE_PER_DAY") or RATE_PER_DAY),
    )
    ledger = open_ledger(database, limits)
    if not ledger.exists():
        return None
    return ledger.usage(DEFAULT_ACCOUNT, ledger.clock()).day_remaining


def _parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a YYYY-MM-DD date") from None


@click.command()
@database_option
@click.option("--date", "day", callback=_parse_date, help="The day (default: the latest loaded).")
@click.option(
    "--n",
    "count",
    default=10,
    show_default=True,
    type=click.IntRange(1, 50),
    help="How many models.",
)
def top(database: str, day: dt.date | None, count: int) -> None:
    """The top models of a day, with their share of the day's tokens."""
    with read_only(database) as con:
        if not _has(con, "rankings_daily"):
            raise click.ClickException(f"{database} has no rankings_daily table yet")
        day = day or con.execute("SELECT max(date) FROM rankings_daily").fetchone()[0]
        rows = con.execute(
            "SELECT rank, model_permaslug, total_tokens, "
            "total_tokens / sum(total_tokens) OVER () AS share, as_of "
            "FROM rankings_daily WHERE date = $1 QUALIFY rank <= $2 ORDER BY rank",
            [day, count],
        ).fetchall()
    if not rows:
        raise click.ClickException(f"no rankings loaded for {day}")
    width = max(len(slug) for _, slug, *_ in rows)
    click.echo(f"Top {len(rows)} on {day}")
    click.echo(f"{'#':>3}  {'model':<{width}}  {'tokens':>20}  {'share':>6}")
    for rank, slug, tokens, share, _ in rows:
        click.echo(f"{rank:>3}  {slug:<{width}}  {tokens:>20,}  {share:>6.1%}")
    as_of = rows[0][4].astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    click.echo(citation(as_of))


@click.command()
@database_option
@click.option(
    "--out",
    "out_dir",
    envvar="RANKINGS_EXPORT_DIR",
    default=DEFAULT_EXPORT_DIR,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where to write (env RANKINGS_EXPORT_DIR).",
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["parquet", "csv"]),
    multiple=True,
    help="Formats to write (repeatable; default both).",
)
def export(database: str, out_dir: str, formats: tuple[str, ...]) -> None:
    """Every table as Parquet/CSV, plus CITATION.txt and DATA_DICTIONARY.md."""
    from rankings_etl.publishing.exports import FORMATS, export_tables

    with read_only(database) as con:
        try:
            files = export_tables(con, Path(out_dir), formats or FORMATS)
        except (ValueError, duckdb.CatalogException) as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"exported {len(files)} files to {Path(out_dir).resolve()}:")
    for path in files:
        click.echo(f"  {path}")
    click.echo(f"Republishing? Keep CITATION.txt with the files ({LICENCE_LINE})")
