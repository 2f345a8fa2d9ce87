"""The app_rankings_weekly dataset's table: columns with their descriptions.

One source for the Dagster UI (asset description and column schema), the data dictionary, the
exports and every list of tables; the DDL lives in ``sql/create_app_rankings_weekly_table.sql``
and a test checks that both agree column for column.
"""

from __future__ import annotations

from rankings_etl.core.api_facts import APPS_PAGE
from rankings_etl.warehouse.table_spec import Column, TableSpec

#: The package whose ``sql/`` folder holds this dataset's statements.
PACKAGE = "rankings_etl.datasets.app_rankings_weekly"

APP_RANKINGS_WEEKLY = TableSpec(
    name="app_rankings_weekly",
    description=(
        "The top 100 apps of each ISO week (Monday to Sunday, UTC), by tokens (`popular`) and\n"
        "by excess growth over the three weeks before (`trending`, which lists only growing\n"
        "apps, so it can have fewer rows), as OpenRouter's app-rankings API returned them.\n"
        "\n"
        "One request per week per sort (all history: about 200, paced by the rate budget at 30 a\n"
        "minute); every week's rankings are checked before anything is written, and a run\n"
        "replaces exactly its weeks in one transaction. Cite openrouter.ai/apps."
    ),
    columns=(
        Column("week_start", "DATE", "Monday (UTC) of the ISO week the ranking covers."),
        Column("sort", "VARCHAR", "`popular` (by tokens) or `trending` (by excess growth)."),
        Column("rank", "INTEGER", "1..100: the app's position in that week's ranking."),
        Column("app_id", "BIGINT", "OpenRouter's stable numeric identifier of the app."),
        Column("app_name", "VARCHAR", "The app's public display name."),
        Column("total_requests", "BIGINT", "Requests attributed to the app that week."),
        Column(
            "total_tokens", "BIGINT", "Prompt + completion tokens attributed to the app that week."
        ),
        Column("as_of", "TIMESTAMPTZ", "meta.as_of of the response the row came from (cite it)."),
        Column("fetched_at", "TIMESTAMPTZ", "When this project received that response."),
    ),
    sql_package=PACKAGE,
    written_by="fetch",
    time_column="week_start",
    grain="week",
    citation_page=APPS_PAGE,
)

TABLES = (APP_RANKINGS_WEEKLY,)
