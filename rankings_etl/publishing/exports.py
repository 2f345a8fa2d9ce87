"""What the project publishes: table exports, the citation file, the data dictionary, the chart.

Pure functions over a DuckDB connection and a folder, so the assets and the ``rankings-etl
export`` command share them. OpenRouter's data is CC BY 4.0: every export carries the citation
with the ``as_of`` of the data it holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from rankings_etl.core.citation import LICENCE_LINE, citation, citation_text
from rankings_etl.core.timestamps import format_as_of
from rankings_etl.datasets import published_tables

FORMATS = ("parquet", "csv")


def latest_as_of(con: duckdb.DuckDBPyConnection) -> str | None:
    """``meta.as_of`` of the newest data loaded, as the API wrote it (ISO-8601, UTC)."""
    value = con.execute("SELECT max(as_of) FROM rankings_daily").fetchone()[0]
    if value is None:
        return None
    return format_as_of(value)


def export_tables(
    con: duckdb.DuckDBPyConnection, out_dir: Path, formats: Iterable[str] = FORMATS
) -> list[Path]:
    """Each published table as ``<table>.<format>`` with DuckDB's COPY, plus CITATION.txt and
    DATA_DICTIONARY.md. Files are written beside their final name and renamed into place, so a
    reader never sees half a file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of = latest_as_of(con)
    if as_of is None:
        raise ValueError("the warehouse holds no rankings yet: materialize rankings_daily first")
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
    written.append(_write(out_dir / "CITATION.txt", citation_text(as_of)))
    written.append(_write(out_dir / "DATA_DICTIONARY.md", data_dictionary(as_of)))
    return written


def data_dictionary(as_of: str) -> str:
    """Markdown generated from the same column descriptions the Dagster UI shows."""
    lines = ["# Data dictionary", "", f"{citation(as_of)} {LICENCE_LINE}", ""]
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
