"""The rankings_segments_daily dataset's tables: columns with their descriptions, SQL, checks.

The DDL lives in ``sql/create_*_table.sql``; a test checks that both agree column for column.
"""

from __future__ import annotations

from rankings_etl.core.api_facts import CONTEXT_BUCKETS, MODALITIES
from rankings_etl.datasets.rankings_segments_daily.checks import (
    EVERY_SEGMENT_ROW_ONCE,
    SEGMENT_SHARES_SUM,
)
from rankings_etl.warehouse.table_spec import Column, Dep, TableSpec

#: The exact filters, in request order: (segment_type, its values): what the ``segment_type``
#: and ``segment`` columns hold.
SEGMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("modality", MODALITIES),
    ("context_bucket", CONTEXT_BUCKETS),
)
SEGMENT_TYPES = tuple(segment_type for segment_type, _ in SEGMENTS)

#: The package whose ``sql/`` folder holds this dataset's statements.
PACKAGE = "rankings_etl.datasets.rankings_segments_daily"

RANKINGS_SEGMENTS_DAILY = TableSpec(
    name="rankings_segments_daily",
    description=(
        "Top 50 models per UTC day within each exact segment of OpenRouter's rankings-daily\n"
        "API: by modality (text, image, image_output, audio, tool_calling) and by context length\n"
        "(1K, 10K, 100K, 1M, 10M), plus each segment's `other` row when it has a tail.\n"
        "\n"
        "Exact numbers, like rankings_daily's, restricted to the segment. A run costs one request\n"
        "per segment per 366 days (all history: 20; a daily run: 10), checks every (day, segment)\n"
        "before writing (and that no segment exceeds its day's rankings_daily total), and\n"
        "replaces exactly its days in one transaction."
    ),
    columns=(
        Column("date", "DATE", "UTC calendar day the tokens were counted over."),
        Column("segment_type", "VARCHAR", "`modality` or `context_bucket`: the filter used."),
        Column(
            "segment",
            "VARCHAR",
            "The filter's value: text, image, image_output, audio, tool_calling, or 1K..10M.",
        ),
        Column("model_permaslug", "VARCHAR", "author/model[-YYYYMMDD][:variant], or `other`."),
        Column(
            "rank", "INTEGER", "1..50 in the API's order for the (day, segment); NULL for `other`."
        ),
        Column("total_tokens", "BIGINT", "The model's tokens in this segment that day (exact)."),
        Column("as_of", "TIMESTAMPTZ", "meta.as_of of the response the row came from (cite it)."),
        Column("fetched_at", "TIMESTAMPTZ", "When this project received that response."),
    ),
    sql_package=PACKAGE,
    written_by="fetch",
)

MODEL_SEGMENT_SHARE_DAILY = TableSpec(
    name="model_segment_share_daily",
    description=(
        "Each model's share of its segment's day (`other` included, so a segment-day sums to 1)\n"
        "and the segment's share of the whole day's tokens, with the author split out of the\n"
        'permaslug: "who leads tool calling, and how big is tool calling".'
    ),
    columns=(
        Column("date", "DATE", "UTC day."),
        Column("segment_type", "VARCHAR", "`modality` or `context_bucket`."),
        Column("segment", "VARCHAR", "The segment, e.g. tool_calling or 1M."),
        Column("model_permaslug", "VARCHAR", "The model, or `other`."),
        Column("author", "VARCHAR", "Text before `/` (the lab); NULL for `other`."),
        Column("rank", "INTEGER", "1..50 within the segment; NULL for `other`."),
        Column("total_tokens", "BIGINT", "The model's tokens in the segment that day."),
        Column(
            "share_of_segment",
            "DOUBLE",
            "total_tokens / all the segment-day's tokens (`other` included): sums to 1.",
        ),
        Column(
            "segment_share_of_day",
            "DOUBLE",
            "The segment-day's tokens / that day's rankings_daily total; NULL if not loaded.",
        ),
    ),
    sql_package=PACKAGE,
    written_by="select",
    checks=(SEGMENT_SHARES_SUM, EVERY_SEGMENT_ROW_ONCE),
    deps=(Dep("rankings_segments_daily"), Dep("rankings_daily")),
    checked_dates_from="rankings_segments_daily",
)

#: Fetched first, then derived.
TABLES = (RANKINGS_SEGMENTS_DAILY, MODEL_SEGMENT_SHARE_DAILY)
