"""Share, market and growth tables derived from ``rankings_daily``, one partition per day.

All four are thin wrappers over :func:`rankings_etl.analytics.build_table`; they backfill any
range in a single run and follow ``rankings_daily`` automatically (eager automation).
Their checks run inside the write transaction on the rows just written and come back from the
asset's own step: an ERROR rolls the write back, fails the step and stops what is downstream.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from rankings_etl.analytics import TableCheck, build_table
from rankings_etl.assets.check_results import check_result
from rankings_etl.assets.metadata import shows_run_details
from rankings_etl.assets.rankings import rankings_daily, run_window
from rankings_etl.checks import CheckSpec
from rankings_etl.constants import GROUP, OWNERS
from rankings_etl.contract import citation
from rankings_etl.partitions import daily_partitions
from rankings_etl.previews import market_preview
from rankings_etl.tables import (
    AUTHOR_SHARE_DAILY,
    MARKET_DAILY,
    MODEL_GROWTH_DAILY,
    MODEL_SHARE_DAILY,
    column_schema,
)
from rankings_etl.warehouse import open_warehouse

SHARES_SUM = TableCheck(
    CheckSpec("shares_sum_to_one", "Each day's share_of_day sums to 1 within 1e-12."),
    "check_shares_sum_to_one",
)
EVERY_MODEL_ONCE = TableCheck(
    CheckSpec("every_model_once", "Every row of rankings_daily appears exactly once."),
    "check_every_model_once",
)
ONE_MARKET_ROW = TableCheck(
    CheckSpec("one_row_per_day", "Exactly one row for every loaded day."),
    "check_one_market_row_per_day",
)
AUTHORS_SUM = TableCheck(
    CheckSpec("authors_sum_to_top50_share", "A day's authors add up to its top-50 share."),
    "check_authors_sum_to_top50_share",
)
GROWTH_ROWS = TableCheck(
    CheckSpec(
        "growth_rows_for_every_ranked_model", "Exactly one growth row per ranked model and day."
    ),
    "check_growth_rows_for_every_ranked_model",
)


#: ``eager()``, except that of its eight upstream days growth waits only for its own: the seven
#: before it are optional inputs (an unloaded day gives NULL comparisons), and plain ``eager()``
#: would never update the newest day while any of them is missing.
GROWTH_AUTOMATION = (
    dg.AutomationCondition.eager()
    .replace(
        "any_deps_missing",
        dg.AutomationCondition.any_deps_match(
            dg.AutomationCondition.missing()
            & ~dg.AutomationCondition.will_be_requested()
            & dg.AutomationCondition.in_latest_time_window()
        ).with_label("same day's rankings missing"),
    )
    .with_label("eager (earlier days optional)")
)


def _check_specs(asset_name: str, checks: list[TableCheck]) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            check.spec.name, asset=asset_name, blocking=True, description=check.spec.description
        )
        for check in checks
    ]


def _asset_kwargs(
    name: str,
    columns,
    checks: list[TableCheck],
    deps,
    automation_condition: dg.AutomationCondition | None = None,
) -> dict:
    return dict(
        name=name,
        group_name=GROUP,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb"},
        owners=OWNERS,
        deps=deps,
        automation_condition=automation_condition or dg.AutomationCondition.eager(),
        check_specs=_check_specs(name, checks),
        metadata={
            "dagster/column_schema": column_schema(columns),
            "dagster/table_name": f"main.{name}",
        },
    )


def _materialize(context, duckdb: DuckDBResource, table: str, checks, extra_metadata=None):
    """Build ``table`` for the run's days; yield check results, then materialize or fail."""
    window = run_window(context)
    with open_warehouse(duckdb) as con:
        result = build_table(con, table, window, checks)
        metadata = extra_metadata(con, window) if extra_metadata and not result.blocked else {}
    check_results = [check_result(table, outcome) for outcome in result.outcomes]
    if result.blocked:
        yield from check_results
        raise dg.Failure(
            description=f"{table} for {window} failed its checks; nothing was written.\n"
            + "\n".join(outcome.summary() for outcome in result.blocked)
        )
    context.log.info(f"{table}: wrote {result.rows_written:,} rows for {window}")
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": result.table_rows,
            "rows_written": result.rows_written,
            "dates_covered": f"{window} ({window.days} days)",
            **metadata,
        },
        check_results=check_results,
    )


@dg.asset(
    **_asset_kwargs(
        "model_share_daily", MODEL_SHARE_DAILY, [SHARES_SUM, EVERY_MODEL_ONCE], [rankings_daily]
    )
)
def model_share_daily(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Each model's share of its day's tokens (`other` included, so a day sums to 1) and of the
    top 50, with author and variant split out of the permaslug: "who is winning, by how much"."""
    yield from _materialize(context, duckdb, "model_share_daily", [SHARES_SUM, EVERY_MODEL_ONCE])


def _market_metadata(con, window) -> dict:
    """The run's last loaded day, as numbers the UI plots across materializations (a long
    backfill keeps only the citation: see :mod:`rankings_etl.assets.metadata`)."""
    row = con.execute(
        "SELECT date, total_tokens, models_ranked, top_model, top_model_share, hhi, top50_share, "
        "strftime(as_of AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') "
        "FROM market_daily WHERE date = (SELECT max(date) FROM market_daily "
        "WHERE date BETWEEN $1 AND $2)",
        [window.start, window.end],
    ).fetchone()
    if row is None:
        return {}
    last_day, total, models, top_model, top_share, hhi, top50_share, as_of = row
    if not shows_run_details(window):
        return {"as_of": as_of, "citation": citation(as_of)}
    return {
        "last_day": last_day.isoformat(),
        "total_tokens": int(total),
        "models_ranked": int(models),
        "top_model": top_model,
        "top_model_share": float(top_share),
        "hhi": float(hhi),
        "top50_share": float(top50_share),
        "as_of": as_of,
        "citation": citation(as_of),
        "preview": dg.MetadataValue.md(market_preview(con, last_day)),
    }


@dg.asset(
    **_asset_kwargs(
        "market_daily",
        MARKET_DAILY,
        [ONE_MARKET_ROW],
        [model_share_daily, rankings_daily],  # rankings_daily: the as_of each day cites
    )
)
def market_daily(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """One row per day: total tokens, top-50 versus the long tail, how many models are ranked,
    concentration (HHI) and the leader. Its metadata plots the market over time in the UI."""
    yield from _materialize(context, duckdb, "market_daily", [ONE_MARKET_ROW], _market_metadata)


@dg.asset(
    **_asset_kwargs("author_share_daily", AUTHOR_SHARE_DAILY, [AUTHORS_SUM], [model_share_daily])
)
def author_share_daily(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Ranked models rolled up by author (the text before `/`), ranked by tokens: which labs
    lead. `other` is not an author, so a day's authors sum to its top-50 share."""
    yield from _materialize(context, duckdb, "author_share_daily", [AUTHORS_SUM])


@dg.asset(
    **_asset_kwargs(
        "model_growth_daily",
        MODEL_GROWTH_DAILY,
        [GROWTH_ROWS],
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
    """How fast each ranked model moves: day-over-day and week-over-week growth, 7-day average,
    rank change and share change. Each day reads only itself and the 7 days before it."""
    yield from _materialize(context, duckdb, "model_growth_daily", [GROWTH_ROWS])


analytics_assets = [model_share_daily, market_daily, author_share_daily, model_growth_daily]
