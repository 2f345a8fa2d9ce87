"""What each day's materialization records: that day's own figures, as of that day's response.

In a range run Dagster gives every partition the metadata of the step's ``MaterializeResult``
and merges in what was added for that partition with
``context.add_asset_metadata(..., partition_key=day)`` (``_get_output_asset_events``). So the
step's result carries nothing, and each day gets its own figures here: on partition 2025-03-15
of a full backfill the UI shows 2025-03-15's rows, tokens, leader, HHI, ``as_of`` and citation,
and ``market_daily``'s plots draw the market over time. What belongs to the run (requests, budget,
days covered) is put on the run instead (:mod:`rankings_etl.orchestration.run_summary`).

Each table's figures come from one grouped query over the run's days, after the write: the
table's own ``sql/figures_<table>.sql`` beside its DDL, or a default row count. A
Markdown preview rides only on the run's newest day: it describes that day, and 699 of them
would multiply the bytes a backfill stores for something nobody reads on old days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import dagster as dg
import duckdb

from rankings_etl.core.citation import citation
from rankings_etl.core.timestamps import format_as_of
from rankings_etl.core.windows import Window
from rankings_etl.warehouse.sql import has_sql, load_sql
from rankings_etl.warehouse.table_spec import Column, TableSpec


def column_schema(columns: Sequence[Column]) -> dg.TableSchema:
    """The ``dagster/column_schema`` the UI shows on an asset's page."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=type_, description=description)
            for name, type_, description in columns
        ]
    )


def figures_query(spec: TableSpec) -> str:
    """The query of ``spec``'s per-partition figures: its own ``sql/figures_<table>.sql``, or
    by default each partition's row count and newest ``as_of``.

    One row per partition date in ``$1..$2``, named ``date``; ``rows`` becomes
    ``dagster/row_count``, ``as_of`` (the TIMESTAMPTZ) is formatted the API's way and yields
    the citation, every other column is a figure. A query may also use ``$3``: when this run's
    write began (rankings_daily counts the restatements it recorded).
    """
    if has_sql(spec.sql_package, spec.figures_sql):
        return load_sql(spec.sql_package, spec.figures_sql)
    if "as_of" not in {column.name for column in spec.columns} or spec.time_column is None:
        raise ValueError(
            f"{spec.name} has no as_of or time column to default its figures from: "
            f"add {spec.sql_package}/sql/{spec.figures_sql}.sql"
        )
    column, table = spec.time_column, spec.name
    return (
        f"SELECT {column} AS date, count(*) AS rows, max(as_of) AS as_of FROM {table} "
        f"WHERE {column} BETWEEN $1 AND $2 GROUP BY {column} ORDER BY {column}"
    )


def day_figures(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    window: Window,
    written_since: dt.datetime | None = None,
) -> dict[dt.date, dict[str, object]]:
    """Each loaded partition of ``window`` in ``spec``'s table: its figures, ``as_of`` and
    citation (of the table's page).

    ``written_since`` dates this run's write, for a figures query that uses ``$3``.
    """
    query = figures_query(spec)
    params: list[object] = [window.start, window.end]
    if "$3" in query:
        params.append(written_since or dt.datetime.now(dt.UTC))
    cursor = con.execute(query, params)
    names = [column[0] for column in cursor.description]
    figures: dict[dt.date, dict[str, object]] = {}
    for row in cursor.fetchall():
        values = dict(zip(names, row, strict=True))
        day = values.pop("date")
        rows = values.pop("rows")
        as_of = format_as_of(values.pop("as_of"))
        figures[day] = {
            "dagster/row_count": int(rows),
            **{key: _plain(value) for key, value in values.items() if value is not None},
            "as_of": as_of,
            "citation": citation(as_of, spec.citation_page),
        }
    return figures


def _plain(value: object) -> object:
    """DuckDB's HUGEINT sums and decimals as the int/float metadata the UI plots."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    return float(value)  # type: ignore[arg-type]


def record_day_metadata(
    context: dg.AssetExecutionContext,
    figures: Mapping[dt.date, Mapping[str, object]],
    newest_day_extra: Mapping[str, object] | None = None,
) -> None:
    """Attach each day's figures to that day's materialization (and extras to the newest)."""
    newest = max(figures, default=None)
    for day, values in figures.items():
        metadata = dict(values)
        if day == newest and newest_day_extra:
            metadata.update(newest_day_extra)
        context.add_asset_metadata(metadata, partition_key=day.isoformat())
