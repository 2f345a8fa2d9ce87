"""The project's SQL lives in ``.sql`` files, one statement each, beside the code that runs it.

Statements are read through :mod:`importlib.resources`, so they load the same from a checkout
and from an installed wheel (``pyproject.toml`` ships every package's ``sql/*.sql``).
"""

from __future__ import annotations

from importlib import resources


def load_sql(package: str, name: str) -> str:
    """The text of ``<package>/sql/<name>.sql``."""
    return resources.files(package).joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def has_sql(package: str, name: str) -> bool:
    """Whether ``<package>/sql/<name>.sql`` exists (an optional statement, e.g. figures)."""
    return resources.files(package).joinpath("sql", f"{name}.sql").is_file()
