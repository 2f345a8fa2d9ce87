"""The rankings_categories_weekly dataset's table: columns with their descriptions, SQL.

Every number in it is an ESTIMATE (OpenRouter samples the category and language data and
upsamples it), and every description says so: the UI, the data dictionary and the exports all
read them from here. The DDL lives in ``sql/create_*_table.sql``; a test checks that both agree.
"""

from __future__ import annotations

from rankings_etl.core.api_facts import CATEGORIES, LANGUAGE_TYPES
from rankings_etl.warehouse.table_spec import Column, TableSpec

#: The sampled filters, in request order: (dimension, its values): what the ``dimension`` and
#: ``value`` columns hold.
DIMENSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("category", CATEGORIES),
    ("language_type", LANGUAGE_TYPES),
)
DIMENSION_NAMES = tuple(dimension for dimension, _ in DIMENSIONS)

#: The package whose ``sql/`` folder holds this dataset's statements.
PACKAGE = "rankings_etl.datasets.rankings_categories_weekly"

RANKINGS_CATEGORIES_WEEKLY = TableSpec(
    name="rankings_categories_weekly",
    description=(
        "ESTIMATES: top 50 models per ISO week by OpenRouter's sampled, upsampled estimate of\n"
        "their tokens in each category (programming, roleplay, marketing, ...; 12 values) and\n"
        "language type (natural, programming), plus each list's `other` row when it has a tail.\n"
        "\n"
        "Not exact counts: OpenRouter samples these requests and scales them up, so a week's\n"
        "estimate is not the sum of the exact days and may exceed it. One partition per complete\n"
        "ISO week (Monday to Sunday, UTC); only complete weeks are loaded. A run costs one\n"
        "request per value per 52 weeks (all history: 2 per value, 28), checks every (week,\n"
        "value) before writing, and replaces exactly its weeks in one transaction."
    ),
    columns=(
        Column("week_start", "DATE", "The ISO week's Monday (UTC); the week is complete."),
        Column("dimension", "VARCHAR", "`category` or `language_type`: the filter used."),
        Column(
            "value",
            "VARCHAR",
            "The category (programming, marketing/seo, ...) or language type (natural, "
            "programming).",
        ),
        Column("model_permaslug", "VARCHAR", "author/model[-YYYYMMDD][:variant], or `other`."),
        Column("rank", "INTEGER", "1..50 by the estimate, in the API's order; NULL for `other`."),
        Column(
            "total_tokens_estimate",
            "BIGINT",
            "ESTIMATE: sampled, upsampled estimate of the model's tokens in the ISO week for this "
            "category (OpenRouter's weekly estimate, not an exact count).",
        ),
        Column("as_of", "TIMESTAMPTZ", "meta.as_of of the response the row came from (cite it)."),
        Column("fetched_at", "TIMESTAMPTZ", "When this project received that response."),
    ),
    sql_package=PACKAGE,
    written_by="fetch",
    time_column="week_start",
    grain="week",
)

TABLES = (RANKINGS_CATEGORIES_WEEKLY,)
