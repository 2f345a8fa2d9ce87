"""What the project publishes: table exports, the citation file, the data dictionary, the chart.

Pure functions over a DuckDB connection and a folder, so the assets and the ``rankings-etl
export`` command share them. OpenRouter's data is CC BY 4.0: every export carries the citation
with the ``as_of`` of the data it holds: one line per page of openrouter.ai the data comes from
(the model rankings, ``openrouter.ai/rankings``; the app rankings, ``openrouter.ai/apps``), each
with the newest ``as_of`` of that page's tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from rankings_etl.core.api_facts import RANKINGS_PAGE
from rankings_etl.core.citation import LICENCE_LINE, citation
from rankings_etl.core.timestamps import format_as_of
from rankings_etl.datasets import DATASETS, published_tables

FORMATS = ("parquet", "csv")
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def cited_tables() -> dict[str, tuple[str, ...]]:
    """Each citation page and the fetched tables whose ``as_of`` it quotes, from the registry."""
    pages: dict[str, tuple[str, ...]] = {}
    for dataset in DATASETS:
        page = dataset.citation_page
        pages[page] = (*pages.get(page, ()), dataset.fetched_table.name)
    return pages


def latest_as_of(con: duckdb.DuckDBPyConnection, page: str = RANKINGS_PAGE) -> str | None:
    """``meta.as_of`` of the newest data loaded for ``page``, as the API wrote it (ISO-8601,
    UTC); None if none of its tables holds a row."""
    # Table names come from the registry (constants), never from data.
    found = [
        con.execute(f"SELECT max(as_of) FROM {table}").fetchone()[0]
        for table in cited_tables()[page]
    ]
    values = [value for value in found if value is not None]
    return format_as_of(max(values)) if values else None


def latest_as_of_by_page(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each page with data loaded, and its newest ``as_of``: what the exports cite."""
    found = {page: latest_as_of(con, page) for page in cited_tables()}
    return {page: as_of for page, as_of in found.items() if as_of is not None}


def export_tables(
    con: duckdb.DuckDBPyConnection, out_dir: Path, formats: Iterable[str] = FORMATS
) -> list[Path]:
    """Each published table as ``<table>.<format>`` with DuckDB's COPY, plus CITATION.txt and
    DATA_DICTIONARY.md. Files are written beside their final name and renamed into place, so a
    reader never sees half a file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of = latest_as_of_by_page(con)
    if not as_of:
        raise ValueError(
            "the warehouse holds no rankings yet: materialize rankings_daily (or "
            "app_rankings_weekly) first"
        )
    written = []
    for table in published_tables():
        for fmt in formats:
            if fmt not in FORMATS:
                raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
            target = out_dir / f"{table}.{fmt}"
            partial = out_dir / f".{table}.{fmt}.partial"
            options = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER true)"
            # Table names are our constants; the path is a parameter-free literal we quote.
            con.execute(
                f"COPY (SELECT * FROM {table} ORDER BY ALL) TO '{_quote(partial)}' {options}"
            )
            partial.replace(target)
            written.append(target)
    written.append(_write(out_dir / "CITATION.txt", citation_file(as_of)))
    written.append(_write(out_dir / "DATA_DICTIONARY.md", data_dictionary(as_of)))
    return written


def citations(as_of_by_page: Mapping[str, str]) -> list[str]:
    """One citation per page: ``Source: OpenRouter (openrouter.ai/<page>), as of <as_of>.``"""
    return [citation(as_of, page=page) for page, as_of in as_of_by_page.items()]


def citation_file(as_of_by_page: Mapping[str, str]) -> str:
    """The CITATION.txt published beside every export: a line per page, then the licence."""
    endpoints = ", ".join(
        dict.fromkeys(
            dataset.endpoint_name for dataset in DATASETS if dataset.citation_page in as_of_by_page
        )
    )
    return "\n".join(
        [
            *citations(as_of_by_page),
            LICENCE_LINE,
            LICENCE_URL,
            *(f"as_of ({page}): {as_of}" for page, as_of in as_of_by_page.items()),
            f"Exported by rankings_etl from OpenRouter's Data API ({endpoints}).",
            "",
        ]
    )


def data_dictionary(as_of_by_page: Mapping[str, str]) -> str:
    """Markdown generated from the same column descriptions the Dagster UI shows."""
    lines = ["# Data dictionary", "", *citations(as_of_by_page), LICENCE_LINE, ""]
    for table, spec in published_tables().items():
        lines += [f"## `{table}`", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{name}` | {type_} | {text} |" for name, type_, text in spec.columns]
        lines.append("")
    return "\n".join(lines)


def _write(path: Path, text: str) -> Path:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
