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
