"""``rankings-etl top``: the top models of a day, cited."""

from __future__ import annotations

import datetime as dt

import click

from rankings_etl.commands.options import database_option, has_table, parse_date_option, read_only
from rankings_etl.core.citation import citation
from rankings_etl.core.timestamps import format_as_of


@click.command()
@database_option
@click.option(
    "--date", "day", callback=parse_date_option, help="The day (default: the latest loaded)."
)
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
        if not has_table(con, "rankings_daily"):
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
    click.echo(citation(format_as_of(rows[0][4])))
