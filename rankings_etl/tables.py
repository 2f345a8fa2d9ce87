"""Column descriptions of every warehouse table: one source for the UI and the data dictionary.

The DDL lives in ``sql/create_*_table.sql``; a test checks that both agree column for column.
"""

from __future__ import annotations

import dagster as dg

Columns = tuple[tuple[str, str, str], ...]  # (name, type, description)

RANKINGS_DAILY: Columns = (
    ("date", "DATE", "UTC calendar day the tokens were counted over."),
    ("model_permaslug", "VARCHAR", "author/model[-YYYYMMDD][:variant], or `other`."),
    ("rank", "INTEGER", "1..50 in the API's order for the day; NULL for `other`."),
    ("total_tokens", "BIGINT", "Prompt + completion tokens that day (provider tokenizers)."),
    ("as_of", "TIMESTAMPTZ", "meta.as_of of the response the row came from (cite it)."),
    ("fetched_at", "TIMESTAMPTZ", "When this project received that response."),
)

RANKINGS_RESTATEMENTS: Columns = (
    ("date", "DATE", "The revised day."),
    ("model_permaslug", "VARCHAR", "The model whose tokens changed."),
    ("old_total_tokens", "BIGINT", "Tokens as previously loaded."),
    ("new_total_tokens", "BIGINT", "Tokens in the re-fetch that replaced them."),
    ("old_as_of", "TIMESTAMPTZ", "as_of of the replaced response."),
    ("new_as_of", "TIMESTAMPTZ", "as_of of the replacing response."),
    ("detected_at", "TIMESTAMPTZ", "When the replacement was written."),
)

RAW_RESPONSES: Columns = (
    ("requested_start", "DATE", "start_date this project asked for."),
    ("requested_end", "DATE", "end_date this project asked for."),
    ("meta_start_date", "DATE", "meta.start_date echoed by the API (after its clamp)."),
    ("meta_end_date", "DATE", "meta.end_date echoed by the API."),
    ("as_of", "VARCHAR", "meta.as_of verbatim."),
    ("version", "VARCHAR", "meta.version."),
    ("row_count", "INTEGER", "Rows in the response's data list."),
    ("fetched_at", "TIMESTAMPTZ", "When the response was received."),
    ("run_id", "VARCHAR", "The Dagster run that fetched it."),
    ("body", "VARCHAR", "The response body exactly as received."),
)


def column_schema(columns: Columns) -> dg.TableSchema:
    """The ``dagster/column_schema`` the UI shows on an asset's page."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=type_, description=description)
            for name, type_, description in columns
        ]
    )


MODEL_SHARE_DAILY: Columns = (
    ("date", "DATE", "UTC day."),
    ("model_permaslug", "VARCHAR", "The model, or `other`."),
    ("author", "VARCHAR", "Text before `/` (the lab); NULL for `other`."),
    ("variant", "VARCHAR", "Text after `:` (e.g. `free`); NULL when there is none."),
    ("rank", "INTEGER", "1..50; NULL for `other`."),
    ("total_tokens", "BIGINT", "Tokens that day."),
    ("share_of_day", "DOUBLE", "total_tokens / all tokens of the day (`other` included)."),
    ("share_of_top50", "DOUBLE", "total_tokens / the top 50's tokens; NULL for `other`."),
)

MARKET_DAILY: Columns = (
    ("date", "DATE", "UTC day."),
    ("total_tokens", "BIGINT", "All tokens of the day, `other` included."),
    ("top50_tokens", "BIGINT", "Tokens of the 50 ranked models."),
    ("other_tokens", "BIGINT", "Tokens of every model outside the top 50 (0 with no tail)."),
    ("top50_share", "DOUBLE", "top50_tokens / total_tokens."),
    ("models_ranked", "INTEGER", "Ranked models that day (50 normally)."),
    ("hhi", "DOUBLE", "Sum of squared share_of_day over ranked models: concentration, 0..1."),
    ("top_model", "VARCHAR", "The rank-1 model."),
    ("top_model_share", "DOUBLE", "The rank-1 model's share_of_day."),
    ("as_of", "TIMESTAMPTZ", "meta.as_of of the data (cite it)."),
)

AUTHOR_SHARE_DAILY: Columns = (
    ("date", "DATE", "UTC day."),
    ("author", "VARCHAR", "The lab: text before `/` of its models' permaslugs."),
    ("models", "INTEGER", "Its ranked models that day."),
    ("total_tokens", "BIGINT", "Tokens of those models."),
    ("share_of_day", "DOUBLE", "total_tokens / all tokens of the day."),
    ("rank", "INTEGER", "1 = most tokens; ties by author name."),
)

MODEL_GROWTH_DAILY: Columns = (
    ("date", "DATE", "UTC day."),
    ("model_permaslug", "VARCHAR", "A ranked model."),
    ("rank", "INTEGER", "Its rank that day."),
    ("total_tokens", "BIGINT", "Its tokens that day."),
    ("prev_day_tokens", "BIGINT", "Its tokens the day before; NULL if unranked or not loaded."),
    ("dod_growth", "DOUBLE", "total_tokens / prev_day_tokens - 1; NULL like prev_day_tokens."),
    ("tokens_7d_ago", "BIGINT", "Its tokens 7 days earlier; NULL if unranked or not loaded."),
    ("wow_growth", "DOUBLE", "total_tokens / tokens_7d_ago - 1; NULL like tokens_7d_ago."),
    ("avg_7d_tokens", "DOUBLE", "Mean tokens over the days of [date-6, date] it was ranked."),
    ("rank_prev_day", "INTEGER", "Its rank the day before; NULL if unranked or not loaded."),
    ("rank_change", "INTEGER", "rank_prev_day - rank: positive means it climbed."),
    ("share_change_pp", "DOUBLE", "Change of share_of_day since the day before, in points."),
    ("is_new_entry", "BOOLEAN", "Not ranked the day before (NULL if that day is not loaded)."),
)

#: The tables users query and exports carry, in lineage order.
PUBLISHED_TABLES: dict[str, Columns] = {
    "rankings_daily": RANKINGS_DAILY,
    "rankings_restatements": RANKINGS_RESTATEMENTS,
    "model_share_daily": MODEL_SHARE_DAILY,
    "market_daily": MARKET_DAILY,
    "author_share_daily": AUTHOR_SHARE_DAILY,
    "model_growth_daily": MODEL_GROWTH_DAILY,
}
