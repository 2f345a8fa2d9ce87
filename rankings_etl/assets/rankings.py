"""``rankings_daily``: each UTC day's OpenRouter rankings, one partition per day."""

import datetime as dt
from typing import Literal

import dagster as dg
from dagster_duckdb import DuckDBResource

from rankings_etl.assets.check_results import check_result
from rankings_etl.assets.metadata import shows_run_details
from rankings_etl.checks import RANKINGS_CHECKS, evaluate_rankings_contract
from rankings_etl.constants import GROUP, OPENROUTER_POOL, OWNERS
from rankings_etl.contract import citation
from rankings_etl.ingest import RankingsBatch, loaded_rankings, missing_dates, store_rankings
from rankings_etl.partitions import daily_partitions
from rankings_etl.previews import top_models_preview
from rankings_etl.replay import stored_responses
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.tables import RANKINGS_DAILY, column_schema
from rankings_etl.warehouse import open_warehouse
from rankings_etl.windows import Window, split_into_windows


def run_window(context: dg.AssetExecutionContext) -> Window:
    """The run's partitions as an inclusive date window (one day or a whole range)."""
    time_window = context.partition_time_window
    return Window(time_window.start.date(), (time_window.end - dt.timedelta(days=1)).date())


class RankingsSourceConfig(dg.Config):
    """Where a run's rows come from: the API (default) or the bodies already stored."""

    source: Literal["api", "raw_responses"] = "api"


@dg.asset(
    group_name=GROUP,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=OPENROUTER_POOL,
    kinds={"openrouter", "duckdb"},
    owners=OWNERS,
    check_specs=[
        dg.AssetCheckSpec(
            spec.name, asset="rankings_daily", blocking=True, description=spec.description
        )
        for spec in RANKINGS_CHECKS
    ],
    metadata={
        "dagster/column_schema": column_schema(RANKINGS_DAILY),
        "dagster/table_name": "main.rankings_daily",
    },
)
def rankings_daily(
    context: dg.AssetExecutionContext,
    config: RankingsSourceConfig,
    openrouter: OpenRouterClient,
    duckdb: DuckDBResource,
):
    """Top 50 models per UTC day by tokens, plus the aggregated `other` row, as OpenRouter's
    rankings-daily API returned them.

    A run over any range of days costs one request per 366 days (all history: 2), checks the
    API's contract over every day before writing, and replaces exactly its days in one
    transaction, so a re-run never duplicates and a refused response changes nothing.
    """
    window = run_window(context)
    if config.source == "raw_responses":
        with open_warehouse(duckdb) as con:
            responses = stored_responses(con, window)
        context.log.info(f"rebuilding {window} from {len(responses)} stored response(s)")
    else:
        windows = split_into_windows(window.start, window.end)
        responses = []
        for number, response in enumerate(openrouter.fetch_windows(windows), start=1):
            responses.append(response)
            context.log.info(
                f"window {number}/{len(windows)}: {response.window}, {response.window.days} "
                f"days, {response.row_count:,} rows (as of {response.as_of})"
            )
    batch = RankingsBatch.from_responses(responses)

    absent = missing_dates(window, {r for resp in responses for r in resp.dates_returned()})
    if absent:
        raise dg.Failure(
            description=(
                f"OpenRouter returned no rows for {len(absent)} date(s) of {window}: "
                f"{', '.join(str(d) for d in absent[:10])}"
                f"{' ...' if len(absent) > 10 else ''}. Nothing was written."
            ),
            metadata={"missing_dates": [str(d) for d in absent[:100]]},
        )

    with open_warehouse(duckdb) as con:
        loaded = loaded_rankings(con, window)  # what the write would replace
    outcomes = evaluate_rankings_contract(
        batch.dates,
        batch.permaslugs,
        batch.total_tokens,
        batch.ranks,
        as_of=batch.row_as_of(),
        loaded=loaded.rows,
        loaded_as_of=loaded.as_of,
    )
    results = [check_result("rankings_daily", outcome) for outcome in outcomes]
    blocking = [outcome for outcome in outcomes if outcome.blocks]
    if blocking:
        yield from results
        raise dg.Failure(
            description=(
                f"The rankings-daily response for {window} breaks the API contract; "
                "nothing was written.\n" + "\n".join(o.summary() for o in blocking)
            )
        )

    details = shows_run_details(window)
    with open_warehouse(duckdb) as con:
        stats = store_rankings(con, batch, window, context.run_id)
        preview = top_models_preview(con, window.end) if details else None
    context.log.info(
        f"wrote {stats.rows_written:,} rows for {window} ({window.days} days); "
        f"{stats.restated_rows} restated"
    )
    metadata = {
        "dagster/row_count": stats.table_rows,
        "rows_written": stats.rows_written,
        "dates_covered": f"{window} ({window.days} days)",
        "days": window.days,
        "requests": batch.requests,
        "as_of": batch.as_of,
        "citation": citation(batch.as_of),
        "restated_rows": stats.restated_rows,
        "max_restatement_change": (
            float(stats.max_relative_change) if stats.max_relative_change else 0.0
        ),
        **openrouter.budget_metadata(),
    }
    if details:
        metadata["preview"] = dg.MetadataValue.md(preview)
    yield dg.MaterializeResult(metadata=metadata, check_results=results)
