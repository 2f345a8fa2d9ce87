"""The rankings_daily dataset's tables: columns with their descriptions, SQL, checks.

One source for the Dagster UI (asset descriptions and column schemas), the data dictionary,
the exports and every list of tables; the DDL lives in ``sql/create_*_table.sql`` and a test
checks that both agree column for column.
"""

from __future__ import annotations

from rankings_etl.datasets.rankings_daily.checks import (
    AUTHORS_SUM,
    EVERY_MODEL_ONCE,
    GROWTH_ROWS,
    ONE_MARKET_ROW,
    SHARES_SUM,
)
from rankings_etl.warehouse.table_spec import Column, Dep, TableSpec

#: The package whose ``sql/`` folder holds this dataset's statements.
PACKAGE = "rankings_etl.datasets.rankings_daily"

RANKINGS_DAILY = TableSpec(
    name="rankings_daily",
    description=(
        "Top 50 models per UTC day by tokens, plus the aggregated `other` row, as OpenRouter's\n"
        "rankings-daily API returned them.\n"
        "\n"
        "A run over any range of days costs one request per 366 days (all history: 2), checks the\n"
        "API's contract on every day before writing, and replaces exactly its days in one\n"
        "transaction, so a re-run never duplicates and a refused response changes nothing. Each\n"
        "day's partition carries that day's figures and check results."
    ),
    columns=(
        Column("date", "DATE", "UTC calendar day the tokens were counted over."),
        Column("model_permaslug", "VARCHAR", "author/model[-YYYYMMDD][:variant], or `other`."),
        Column("rank", "INTEGER", "1..50 in the API's order for the day; NULL for `other`."),
        Column(
            "total_tokens", "BIGINT", "Prompt + completion tokens that day (provider tokenizers)."
        ),
        Column("as_of", "TIMESTAMPTZ", "meta.as_of of the response the row came from (cite it)."),
        Column("fetched_at", "TIMESTAMPTZ", "When this project received that response."),
    ),
    sql_package=PACKAGE,
    written_by="fetch",
)

RANKINGS_RESTATEMENTS = TableSpec(
    name="rankings_restatements",
    description=(
        "Rows whose total_tokens changed when a loaded date was fetched again (late revisions)."
    ),
    columns=(
        Column("date", "DATE", "The revised day."),
        Column("model_permaslug", "VARCHAR", "The model whose tokens changed."),
        Column("old_total_tokens", "BIGINT", "Tokens as previously loaded."),
        Column("new_total_tokens", "BIGINT", "Tokens in the re-fetch that replaced them."),
        Column("old_as_of", "TIMESTAMPTZ", "as_of of the replaced response."),
        Column("new_as_of", "TIMESTAMPTZ", "as_of of the replacing response."),
        Column("detected_at", "TIMESTAMPTZ", "When the replacement was written."),
    ),
    sql_package=PACKAGE,
    written_by="side",
)

MODEL_SHARE_DAILY = TableSpec(
    name="model_share_daily",
    description=(
        "Each model's share of its day's tokens (`other` included, so a day sums to 1) and of the\n"
        'top 50, with author and variant split out of the permaslug: "who is winning, by how much".'
    ),
    columns=(
        Column("date", "DATE", "UTC day."),
        Column("model_permaslug", "VARCHAR", "The model, or `other`."),
        Column("author", "VARCHAR", "Text before `/` (the lab); NULL for `other`."),
        Column("variant", "VARCHAR", "Text after `:` (e.g. `free`); NULL when there is none."),
        Column("rank", "INTEGER", "1..50; NULL for `other`."),
        Column("total_tokens", "BIGINT", "Tokens that day."),
        Column(
            "share_of_day", "DOUBLE", "total_tokens / all tokens of the day (`other` included)."
        ),
        Column("share_of_top50", "DOUBLE", "total_tokens / the top 50's tokens; NULL for `other`."),
    ),
    sql_package=PACKAGE,
    written_by="select",
    checks=(SHARES_SUM, EVERY_MODEL_ONCE),
    deps=(Dep("rankings_daily"),),
    checked_dates_from="rankings_daily",
)

MARKET_DAILY = TableSpec(
    name="market_daily",
    description=(
        "One row per day: total tokens, top-50 versus the long tail, how many models are "
        "ranked,\nconcentration (HHI) and the leader. Each day's materialization carries that "
        "day's figures,\nso the Plots view of its metadata (below) draws the market over time."
    ),
    columns=(
        Column("date", "DATE", "UTC day."),
        Column("total_tokens", "BIGINT", "All tokens of the day, `other` included."),
        Column("top50_tokens", "BIGINT", "Tokens of the 50 ranked models."),
        Column(
            "other_tokens", "BIGINT", "Tokens of every model outside the top 50 (0 with no tail)."
        ),
        Column("top50_share", "DOUBLE", "top50_tokens / total_tokens."),
        Column("models_ranked", "INTEGER", "Ranked models that day (50 normally)."),
        Column(
            "hhi", "DOUBLE", "Sum of squared share_of_day over ranked models: concentration, 0..1."
        ),
        Column("top_model", "VARCHAR", "The rank-1 model."),
        Column("top_model_share", "DOUBLE", "The rank-1 model's share_of_day."),
        Column("as_of", "TIMESTAMPTZ", "meta.as_of of the data (cite it)."),
    ),
    sql_package=PACKAGE,
    written_by="select",
    checks=(ONE_MARKET_ROW,),
    deps=(Dep("model_share_daily"), Dep("rankings_daily")),  # rankings_daily: the as_of it cites
    checked_dates_from="rankings_daily",
)

AUTHOR_SHARE_DAILY = TableSpec(
    name="author_share_daily",
    description=(
        "Ranked models rolled up by author (the text before `/`), ranked by tokens: which labs\n"
        "lead. `other` is not an author, so a day's authors sum to its top-50 share."
    ),
    columns=(
        Column("date", "DATE", "UTC day."),
        Column("author", "VARCHAR", "The lab: text before `/` of its models' permaslugs."),
        Column("models", "INTEGER", "Its ranked models that day."),
        Column("total_tokens", "BIGINT", "Tokens of those models."),
        Column("share_of_day", "DOUBLE", "total_tokens / all tokens of the day."),
        Column("rank", "INTEGER", "1 = most tokens; ties by author name."),
    ),
    sql_package=PACKAGE,
    written_by="select",
    checks=(AUTHORS_SUM,),
    deps=(Dep("model_share_daily"),),
    checked_dates_from="rankings_daily",
)

MODEL_GROWTH_DAILY = TableSpec(
    name="model_growth_daily",
    description=(
        "How fast each ranked model moves: day-over-day and week-over-week growth, 7-day average,\n"
        "rank change and share change. Each day reads only itself and the 7 days before it."
    ),
    columns=(
        Column("date", "DATE", "UTC day."),
        Column("model_permaslug", "VARCHAR", "A ranked model."),
        Column("rank", "INTEGER", "Its rank that day."),
        Column("total_tokens", "BIGINT", "Its tokens that day."),
        Column(
            "prev_day_tokens",
            "BIGINT",
            "Its tokens the day before; NULL if unranked or not loaded.",
        ),
        Column(
            "dod_growth", "DOUBLE", "total_tokens / prev_day_tokens - 1; NULL like prev_day_tokens."
        ),
        Column(
            "tokens_7d_ago", "BIGINT", "Its tokens 7 days earlier; NULL if unranked or not loaded."
        ),
        Column(
            "wow_growth", "DOUBLE", "total_tokens / tokens_7d_ago - 1; NULL like tokens_7d_ago."
        ),
        Column(
            "avg_7d_tokens", "DOUBLE", "Mean tokens over the days of [date-6, date] it was ranked."
        ),
        Column(
            "rank_prev_day", "INTEGER", "Its rank the day before; NULL if unranked or not loaded."
        ),
        Column("rank_change", "INTEGER", "rank_prev_day - rank: positive means it climbed."),
        Column(
            "share_change_pp", "DOUBLE", "Change of share_of_day since the day before, in points."
        ),
        Column(
            "is_new_entry", "BOOLEAN", "Not ranked the day before (NULL if that day is not loaded)."
        ),
    ),
    sql_package=PACKAGE,
    written_by="select",
    checks=(GROWTH_ROWS,),
    deps=(Dep("rankings_daily", earlier_periods=7),),
    automation="after_upstream_days_earlier_optional",
    checked_dates_from="rankings_daily",
)

#: Fetched first, derived upstream first (the order of lineage), then the side table.
TABLES = (
    RANKINGS_DAILY,
    RANKINGS_RESTATEMENTS,
    MODEL_SHARE_DAILY,
    MARKET_DAILY,
    AUTHOR_SHARE_DAILY,
    MODEL_GROWTH_DAILY,
)
