"""The project's SQL lives in ``.sql`` files, one statement each, beside the code that runs it.

Statements are read through :mod:`importlib.resources`, so they load the same from a checkout
and from an installed wheel (``pyproject.toml`` ships every package's ``sql/*.sql``).
"""

from __future__ import annotations

from importlib import resources

#: The package whose ``sql/`` folder holds the rankings statements.
RANKINGS_SQL = "rankings_etl"


def load_sql(package: str, name: str) -> str:
    """The text of ``<package>/sql/<name>.sql``."""
    return resources.files(package).joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def sql_names(package: str, prefix: str = "") -> list[str]:
    """The names (without ``.sql``) of ``<package>/sql/<prefix>*.sql``, in name order."""
    return sorted(
        entry.name[: -len(".sql")]
        for entry in resources.files(package).joinpath("sql").iterdir()
        if entry.name.startswith(prefix) and entry.name.endswith(".sql")
    )
