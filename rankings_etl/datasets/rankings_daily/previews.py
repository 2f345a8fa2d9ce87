"""Markdown previews of the newest rows, for the materialization page in the Dagster UI."""

from __future__ import annotations

import datetime as dt

import duckdb

from rankings_etl.core.markdown import markdown_table


def top_models_preview(con: duckdb.DuckDBPyConnection, day: dt.date, n: int = 10) -> str:
    """The day's top ``n`` models with their share of the day, and the ``other`` row."""
    rows = con.execute(
        "SELECT coalesce(rank::VARCHAR, '-'), model_permaslug, total_tokens, "
        "total_tokens / sum(total_tokens) OVER () FROM rankings_daily WHERE date = $1 "
        "QUALIFY rank <= $2 OR rank IS NULL ORDER BY rank NULLS LAST",
        [day, n],
    ).fetchall()
    return f"**{day}**\n\n" + markdown_table(["rank", "model", "tokens", "share"], rows)


def market_preview(con: duckdb.DuckDBPyConnection, last_day: dt.date, days: int = 7) -> str:
    """The last ``days`` days of ``market_daily``, newest first."""
    rows = con.execute(
        "SELECT date::VARCHAR, total_tokens, models_ranked, top_model, top_model_share, hhi "
        "FROM market_daily WHERE date <= $1 ORDER BY date DESC LIMIT $2",
        [last_day, days],
    ).fetchall()
    return markdown_table(["date", "tokens", "ranked", "top model", "top share", "hhi"], rows)
