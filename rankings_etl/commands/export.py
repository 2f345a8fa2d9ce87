"""``rankings-etl export``: every published table as files, with the citation beside them."""

from __future__ import annotations

from pathlib import Path

import click
import duckdb

from rankings_etl.commands.options import database_option, read_only
from rankings_etl.core.citation import LICENCE_LINE
from rankings_etl.settings import DEFAULTS, option_default


@click.command()
@database_option
@click.option(
    "--out",
    "out_dir",
    default=option_default("RANKINGS_EXPORT_DIR", DEFAULTS.export_dir),
    show_default=DEFAULTS.export_dir,
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
