"""Share, market and growth tables derived from ``rankings_daily``, one partition per day.

All four are thin wrappers over :func:`rankings_etl.warehouse.build.build_table`; they backfill any
range in a single run and follow ``rankings_daily``'s days automatically.
Their checks run inside the write transaction on the rows just written and come back from the
asset's own step: an ERROR rolls the write back, fails the step and stops what is downstream.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from rankings_etl.assets.check_results import (
    check_outputs,
    daily_check_specs,
    day_evaluations,
    latest_materializations,
)
from rankings_etl.assets.failures import checks_failure
from rankings_etl.assets.metadata import column_schema, day_figures, record_day_metadata
from rankings_etl.assets.rankings import rankings_daily, run_window
from rankings_etl.constants import GROUP, OWNERS
from rankings_etl.datasets.rankings_daily.previews import market_preview
from rankings_etl.datasets.rankings_daily.tables import (
    AUTHOR_SHARE_DAILY,
    MARKET_DAILY,
    MODEL_GROWTH_DAILY,
    MODEL_SHARE_DAILY,
)
from rankings_etl.freshness import DAILY_FRESHNESS
from rankings_etl.partitions import daily_partitions
from rankings_etl.warehouse.build import build_table
from rankings_etl.warehouse.connection import open_warehouse
from rankings_etl.warehouse.table_spec import TableSpec

#: Each day follows its upstream days. Like ``eager()``, it waits for what it reads and for
#: runs in progress, and ignores updates from a run that also updated this asset (a backfill of
#: the whole group); unlike it, every day counts, not only the latest: the daily run re-fetches
#: three days (late revisions), and a rebuilt range must carry through to what it feeds.
FOLLOW_UPSTREAM_DAYS = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_missing()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("after its days' upstream updates")

#: The same, except that of its eight upstream days growth waits only for its own: the seven
#: before it are optional inputs (an unloaded day gives NULL comparisons).
GROWTH_AUTOMATION = FOLLOW_UPSTREAM_DAYS.replace(
    "any_deps_missing",
    dg.AutomationCondition.any_deps_match(
        dg.AutomationCondition.missing()
        & ~dg.AutomationCondition.will_be_requested()
        & dg.AutomationCondition.in_latest_time_window()
    ).with_label("same day's rankings missing"),
).with_label("after its days' upstream updates (earlier days optional)")


def _asset_kwargs(
    spec: TableSpec, deps, automation_condition: dg.AutomationCondition | None = None
) -> dict:
    return dict(
        name=spec.name,
        description=spec.description,
        group_name=GROUP,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb"},
        owners=OWNERS,
        deps=deps,
        automation_condition=automation_condition or FOLLOW_UPSTREAM_DAYS,
        check_specs=daily_check_specs(spec.name, [check.spec for check in spec.checks]),
        freshness_policy=DAILY_FRESHNESS,
        metadata={
            "dagster/column_schema": column_schema(spec.columns),
            "dagster/table_name": f"main.{spec.name}",
        },
    )


def _materialize(context, duckdb: DuckDBResource, spec: TableSpec, newest_day_extra=None):
    """Build ``spec``'s table for the run's days; materialize each day with its own figures
    and check results, or write nothing and report the days that failed."""
    table = spec.name
    window = run_window(context)
    with open_warehouse(duckdb) as con:
        result = build_table(con, spec, window, spec.checks)
        figures = {} if result.blocked else day_figures(con, table, window)
        extra = newest_day_extra(con, max(figures)) if newest_day_extra and figures else None
    check_figures = {day: {"rows": values["dagster/row_count"]} for day, values in figures.items()}
    if result.blocked:
        yield from day_evaluations(
            table,
            result.outcomes,
            latest_materializations(context.instance, table, window.dates()),
            check_figures,
            note="nothing was written (other days failed their checks)",
        )
        raise checks_failure(table, window, result.blocked)
    context.log.info(
        f"{table}: wrote {result.rows_written:,} rows for {window} ({window.days} days)"
    )
    record_day_metadata(context, figures, extra)
    yield dg.MaterializeResult()
    yield from check_outputs(context)
    yield from day_evaluations(
        table,
        result.outcomes,
        latest_materializations(context.instance, table, window.dates()),
        check_figures,
    )


#: Each asset's description, columns and checks are its TableSpec's
#: (datasets/rankings_daily/tables.py).


@dg.asset(**_asset_kwargs(MODEL_SHARE_DAILY, [rankings_daily]))
def model_share_daily(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    yield from _materialize(context, duckdb, MODEL_SHARE_DAILY)


def _market_preview(con, newest_day) -> dict:
    """The week up to the run's newest day, as a table on that day's materialization."""
    return {"preview": dg.MetadataValue.md(market_preview(con, newest_day))}


@dg.asset(
    # rankings_daily: the as_of each day cites
    **_asset_kwargs(MARKET_DAILY, [model_share_daily, rankings_daily])
)
def market_daily(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    yield from _materialize(context, duckdb, MARKET_DAILY, _market_preview)


@dg.asset(**_asset_kwargs(AUTHOR_SHARE_DAILY, [model_share_daily]))
def author_share_daily(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    yield from _materialize(context, duckdb, AUTHOR_SHARE_DAILY)


@dg.asset(
    **_asset_kwargs(
        MODEL_GROWTH_DAILY,
        [
            dg.AssetDep(
                rankings_daily,
                partition_mapping=dg.TimeWindowPartitionMapping(
                    start_offset=-7, allow_nonexistent_upstream_partitions=True
                ),
            )
        ],
        GROWTH_AUTOMATION,
    )
)
def model_growth_daily(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    yield from _materialize(context, duckdb, MODEL_GROWTH_DAILY)


analytics_assets = [model_share_daily, market_daily, author_share_daily, model_growth_daily]
