"""What each day's materialization records: that day's own figures, as of that day's response.

In a range run Dagster gives every partition the metadata of the step's ``MaterializeResult``
and merges in what was added for that partition with
``context.add_asset_metadata(..., partition_key=day)`` (``_get_output_asset_events``). So the
step's result carries nothing, and each day gets its own figures here: on partition 2025-03-15
of a full backfill the UI shows 2025-03-15's rows, tokens, leader, HHI, ``as_of`` and citation,
and ``market_daily``'s plots draw the market over time. What belongs to the run (requests, budget,
days covered) is put on the run instead (:mod:`rankings_etl.orchestration.run_summary`).

Each table's figures come from one grouped query over the run's days, after the write. A
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
from rankings_etl.warehouse.table_spec import Column


def column_schema(columns: Sequence[Column]) -> dg.TableSchema:
    """The ``dagster/column_schema`` the UI shows on an asset's page."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=type_, description=description)
            for name, type_, description in columns
        ]
    )


#: Per table: one row per date in $1..$2, its columns named as the metadata keys they become.
#: ``rows`` becomes ``dagster/row_count``; ``as_of`` (the TIMESTAMPTZ) is formatted the API's way
#: by ``core.timestamps.format_as_of`` and also yields the citation.
#: A derived table cites the as_of of the rankings its day was computed from.
_RANKINGS_AS_OF = """JOIN (SELECT date, max(as_of) AS as_of FROM rankings_daily
              WHERE date BETWEEN $1 AND $2 GROUP BY date) AS r USING (date)"""

_DAY_FIGURES: Mapping[str, str] = {
    "rankings_daily": """
        WITH restated AS (
            SELECT date, count(*) AS restated_rows FROM rankings_restatements
            WHERE date BETWEEN $1 AND $2 AND detected_at >= $3 GROUP BY date
        ),
        days AS (
            SELECT date, count(*) AS rows, sum(total_tokens) AS day_tokens,
                count(*) FILTER (WHERE rank IS NOT NULL) AS models_ranked,
                min_by(model_permaslug, rank) AS top_model,
                min_by(total_tokens, rank) AS top_tokens,
                sum(total_tokens::DOUBLE * total_tokens::DOUBLE)
                    FILTER (WHERE rank IS NOT NULL) AS ranked_squares,
                max(as_of) AS as_of
            FROM rankings_daily WHERE date BETWEEN $1 AND $2 GROUP BY date
        )
        SELECT d.date, d.rows, d.day_tokens::BIGINT AS total_tokens, d.models_ranked,
            d.top_model, d.top_tokens / d.day_tokens::DOUBLE AS top_model_share,
            d.ranked_squares / (d.day_tokens::DOUBLE * d.day_tokens::DOUBLE) AS hhi,
            coalesce(s.restated_rows, 0) AS restated_rows,
            d.as_of
        FROM days AS d LEFT JOIN restated AS s USING (date)
        ORDER BY d.date
    """,
    "model_share_daily": f"""
        SELECT s.date, count(*) AS rows,
            min_by(s.model_permaslug, s.rank) AS top_model,
            min_by(s.share_of_day, s.rank) AS top_model_share,
            coalesce(sum(s.share_of_day) FILTER (WHERE s.rank IS NULL), 0) AS other_share,
            max(r.as_of) AS as_of
        FROM model_share_daily AS s
        {_RANKINGS_AS_OF}
        WHERE s.date BETWEEN $1 AND $2 GROUP BY s.date ORDER BY s.date
    """,
    "market_daily": """
        SELECT date, 1 AS rows, total_tokens, models_ranked, top_model, top_model_share, hhi,
            top50_share, as_of
        FROM market_daily WHERE date BETWEEN $1 AND $2 ORDER BY date
    """,
    "author_share_daily": f"""
        SELECT a.date, count(*) AS rows,
            min_by(a.author, a.rank) AS top_author,
            min_by(a.share_of_day, a.rank) AS top_author_share,
            max(r.as_of) AS as_of
        FROM author_share_daily AS a
        {_RANKINGS_AS_OF}
        WHERE a.date BETWEEN $1 AND $2 GROUP BY a.date ORDER BY a.date
    """,
    "model_growth_daily": f"""
        SELECT g.date, count(*) AS rows,
            count(*) FILTER (WHERE g.is_new_entry) AS new_entries,
            max_by(g.model_permaslug, g.rank_change) AS biggest_climber,
            max(g.rank_change) AS biggest_climb,
            max(r.as_of) AS as_of
        FROM model_growth_daily AS g
        {_RANKINGS_AS_OF}
        WHERE g.date BETWEEN $1 AND $2 GROUP BY g.date ORDER BY g.date
    """,
}


def day_figures(
    con: duckdb.DuckDBPyConnection,
    table: str,
    window: Window,
    written_since: dt.datetime | None = None,
) -> dict[dt.date, dict[str, object]]:
    """Each loaded day of ``window`` in ``table``: its figures, ``as_of`` and citation.

    ``written_since`` (rankings_daily only) dates this run's write, so a day's
    ``restated_rows`` counts the restatements this run recorded for it, not older ones.
    """
    params: list[object] = [window.start, window.end]
    if table == "rankings_daily":
        params.append(written_since or dt.datetime.now(dt.UTC))
    cursor = con.execute(_DAY_FIGURES[table], params)
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
            "citation": citation(as_of),
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
