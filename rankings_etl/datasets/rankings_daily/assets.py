"""The rankings_daily dataset's assets: ``rankings_daily`` (each UTC day's OpenRouter rankings,
one partition per day) and the share, market and growth tables derived from it, each built by
the one factory (:func:`rankings_etl.orchestration.table_assets.sql_table_asset`) from its
TableSpec in ``tables.py``."""

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Literal

import dagster as dg
from dagster_duckdb import DuckDBResource

from rankings_etl.core.api_facts import OTHER
from rankings_etl.core.check_outcomes import CheckOutcome
from rankings_etl.core.errors import RankingsError
from rankings_etl.core.windows import Window, split_into_windows
from rankings_etl.datasets import derived_tables, warehouse_specs
from rankings_etl.datasets.rankings_daily.checks import RANKINGS_CHECKS, evaluate_rankings_contract
from rankings_etl.datasets.rankings_daily.dataset import fetch_windows
from rankings_etl.datasets.rankings_daily.load import (
    LoadedDays,
    RankingsBatch,
    loaded_rankings,
    missing_dates,
    store_rankings,
)
from rankings_etl.datasets.rankings_daily.previews import market_preview, top_models_preview
from rankings_etl.datasets.rankings_daily.rebuild import stored_responses
from rankings_etl.datasets.rankings_daily.tables import RANKINGS_DAILY
from rankings_etl.orchestration.check_results import (
    check_outputs,
    daily_check_specs,
    day_evaluations,
    latest_materializations,
)
from rankings_etl.orchestration.failures import checks_failure, failure_for
from rankings_etl.orchestration.fetch_assets import later_needs
from rankings_etl.orchestration.freshness import DAILY_FRESHNESS
from rankings_etl.orchestration.metadata import column_schema, day_figures, record_day_metadata
from rankings_etl.orchestration.naming import GROUP, OPENROUTER_POOL, OWNERS
from rankings_etl.orchestration.partitions import daily_partitions, run_window
from rankings_etl.orchestration.run_summary import record_run_figures
from rankings_etl.orchestration.table_assets import sql_table_asset
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.warehouse.connection import open_warehouse


class RankingsSourceConfig(dg.Config):
    """Where a run's rows come from: the API (default) or the bodies already stored."""

    source: Literal["api", "raw_responses"] = "api"


@dg.asset(
    description=RANKINGS_DAILY.description,
    group_name=GROUP,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=OPENROUTER_POOL,
    kinds={"openrouter", "duckdb"},
    owners=OWNERS,
    check_specs=daily_check_specs("rankings_daily", RANKINGS_CHECKS),
    freshness_policy=DAILY_FRESHNESS,
    metadata={
        "dagster/column_schema": column_schema(RANKINGS_DAILY.columns),
        "dagster/table_name": "main.rankings_daily",
    },
)
def rankings_daily(
    context: dg.AssetExecutionContext,
    config: RankingsSourceConfig,
    openrouter: OpenRouterClient,
    duckdb: DuckDBResource,
):
    # The description is RANKINGS_DAILY's (datasets/rankings_daily/tables.py).
    window = run_window(context)
    try:
        yield from _load(context, config, openrouter, duckdb, window)
    except RankingsError as error:
        raise failure_for(error, window) from error


def _load(context, config, openrouter, duckdb, window: Window):
    if config.source == "raw_responses":
        with open_warehouse(duckdb, warehouse_specs()) as con:
            responses = stored_responses(con, window)
        context.log.info(f"rebuilding {window} from {len(responses)} stored response(s)")
    else:
        windows = split_into_windows(window.start, window.end)
        responses = []
        needs = later_needs(context, "rankings_daily", window)
        for number, response in enumerate(fetch_windows(openrouter, windows, needs), start=1):
            responses.append(response)
            context.log.info(
                f"window {number}/{len(windows)}: {response.window}, {response.window.days} "
                f"days, {response.row_count:,} rows (as of {response.as_of})"
            )
    batch = RankingsBatch.from_responses(responses)

    loaded = _loaded(duckdb, window)
    outcomes = evaluate_rankings_contract(
        batch.dates,
        batch.permaslugs,
        batch.total_tokens,
        batch.ranks,
        as_of=batch.row_as_of(),
        loaded=loaded.rows,
        loaded_as_of=loaded.as_of,
    )
    absent = missing_dates(window, {r for resp in responses for r in resp.dates_returned()})
    if absent:
        outcomes = [with_missing_days(outcome, absent) for outcome in outcomes]
    blocking = [outcome for outcome in outcomes if outcome.blocks]
    if blocking:
        # Nothing is written: each day's checks are reported against what the day already had.
        yield from day_evaluations(
            "rankings_daily",
            outcomes,
            latest_materializations(context.instance, "rankings_daily", window.dates()),
            _check_figures(batch, absent),
            note="nothing was written (the response broke the contract on other days)",
        )
        if absent:
            raise dg.Failure(
                description=(
                    f"OpenRouter returned no rows for {len(absent)} date(s) of {window}: "
                    f"{', '.join(str(d) for d in absent[:10])}"
                    f"{' ...' if len(absent) > 10 else ''}. Nothing was written."
                ),
                metadata={"missing_dates": [str(d) for d in absent[:100]]},
            )
        raise checks_failure(
            "The rankings-daily response", window, blocking, "breaks the API contract"
        )

    written_since = dt.datetime.now(dt.UTC)
    with open_warehouse(duckdb, warehouse_specs()) as con:
        stats = store_rankings(con, batch, window, context.run_id)
        figures = day_figures(con, RANKINGS_DAILY, window, written_since)
        preview = top_models_preview(con, window.end)
    context.log.info(
        f"wrote {stats.rows_written:,} rows for {window} ({window.days} days); "
        f"{stats.restated_rows} restated"
    )
    record_run_figures(
        context,
        {
            "days": f"{window} ({window.days} days)",
            "requests": batch.requests,
            "rows_written": stats.rows_written,
            "restated_rows": stats.restated_rows,
            "max_restatement_change": (
                round(float(stats.max_relative_change), 6) if stats.max_relative_change else None
            ),
            **_budget_figures(openrouter),
        },
    )
    record_day_metadata(context, figures, {"preview": dg.MetadataValue.md(preview)})
    yield dg.MaterializeResult()
    yield from check_outputs(context)
    yield from day_evaluations(
        "rankings_daily",
        outcomes,
        latest_materializations(context.instance, "rankings_daily", window.dates()),
        _check_figures(batch),
    )


def _loaded(duckdb: DuckDBResource, window: Window) -> LoadedDays:
    """What the write would replace; before the first load there is nothing, and a refused
    first load must not leave even an empty warehouse behind."""
    if not Path(duckdb.database).exists():
        return LoadedDays(rows=[], as_of={})
    with open_warehouse(duckdb, warehouse_specs()) as con:
        return loaded_rankings(con, window)


def with_missing_days(outcome: CheckOutcome, absent: list[dt.date]) -> CheckOutcome:
    """``outcome`` with the days the API did not return failing: the contract promises each."""
    missing = dict.fromkeys(absent, "OpenRouter returned no rows for this day")
    return dataclasses.replace(
        outcome,
        dates_checked=outcome.dates_checked + len(absent),
        errors={**outcome.errors, **missing},
        dates=(*outcome.dates, *absent),
    )


def _check_figures(batch: RankingsBatch, absent=()) -> dict[dt.date, dict[str, int]]:
    """What the contract checks looked at on each day: its rows and `other` rows."""
    figures: dict[dt.date, dict[str, int]] = {day: {"rows": 0, "other_rows": 0} for day in absent}
    for day, slug in zip(batch.dates, batch.permaslugs, strict=True):
        counts = figures.setdefault(day, {"rows": 0, "other_rows": 0})
        counts["rows"] += 1
        counts["other_rows"] += slug == OTHER
    return figures


def _budget_figures(openrouter: OpenRouterClient) -> dict[str, object]:
    """The budget as the run left it (requests are counted from the responses)."""
    figures = dict(openrouter.budget_metadata())
    figures.pop("budget_requests_spent", None)
    figures.pop("budget_day_limit", None)
    return figures


# --- The derived tables: each asset is its TableSpec's (description, columns, checks, upstream
# tables, automation), built by the one factory; market_daily also previews its newest week.


def _market_preview(con, newest_day) -> dict:
    """The week up to the run's newest day, as a table on that day's materialization."""
    return {"preview": dg.MetadataValue.md(market_preview(con, newest_day))}


_NEWEST_DAY_EXTRA = {"market_daily": _market_preview}

analytics_assets = [
    sql_table_asset(spec, _NEWEST_DAY_EXTRA.get(spec.name))
    for spec in derived_tables("rankings_daily")
]
_BY_NAME = {asset.key.to_user_string(): asset for asset in analytics_assets}
model_share_daily = _BY_NAME["model_share_daily"]
market_daily = _BY_NAME["market_daily"]
author_share_daily = _BY_NAME["author_share_daily"]
model_growth_daily = _BY_NAME["model_growth_daily"]
