"""What the commands share: the ``--db`` option, a read-only warehouse, date options.

Readers open DuckDB with ``read_only=True`` so they never take the writer's lock; a missing
warehouse is a clear error (exit 1), bad arguments are usage errors (exit 2). DuckDB is
imported only when a warehouse is opened, so ``rankings-etl sandbox`` does not pay for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from rankings_etl.core.dates import parse_iso_date
from rankings_etl.settings import DEFAULTS, option_default

if TYPE_CHECKING:
    import duckdb

T = TypeVar("T")

database_option = click.option(
    "--db",
    "database",
    default=option_default("RANKINGS_DUCKDB_PATH", DEFAULTS.duckdb_path),
    show_default=DEFAULTS.duckdb_path,
    help="The warehouse file (env RANKINGS_DUCKDB_PATH).",
)


@contextlib.contextmanager
def read_only(database: str) -> Iterator[duckdb.DuckDBPyConnection]:
    import duckdb

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


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = $1", [table]
        ).fetchone()[0]
    )


def parsed_by(
    parse: Callable[[str], T],
) -> Callable[[click.Context, click.Parameter, str | None], T | None]:
    """A click callback: an option's text through ``parse``; its ValueError, a usage error."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> T | None:
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return callback


#: A strict ``YYYY-MM-DD`` option (``top --date``, ``sandbox --today``).
parse_date_option = parsed_by(parse_iso_date)
