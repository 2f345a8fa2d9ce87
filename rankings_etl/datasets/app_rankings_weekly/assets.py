"""The app_rankings_weekly dataset's asset: each ISO week's top 100 apps, popular and trending,
one partition per week, fetched, checked and stored by the one fetch body
(:func:`rankings_etl.orchestration.fetch_assets.fetch_and_store`) from its DatasetSpec.

Temporary: this should be ``fetch_asset(DATASET)``, but ``orchestration/fetch_assets.py`` has
``from __future__ import annotations``, so the ``context: dg.AssetExecutionContext`` of the
function it decorates is the string ``"dg.AssetExecutionContext"`` and Dagster refuses it
("Cannot annotate `context` parameter with type dg.AssetExecutionContext"). Until that line goes
(orchestration is the lead's), the same asset is declared here, with the same arguments, around
the same body.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from rankings_etl.core.errors import RankingsError
from rankings_etl.datasets.app_rankings_weekly.dataset import DATASET
from rankings_etl.orchestration.check_results import daily_check_specs
from rankings_etl.orchestration.failures import failure_for
from rankings_etl.orchestration.fetch_assets import fetch_and_store
from rankings_etl.orchestration.freshness import FRESHNESS
from rankings_etl.orchestration.metadata import column_schema
from rankings_etl.orchestration.naming import GROUP, OPENROUTER_POOL, OWNERS
from rankings_etl.orchestration.partitions import PARTITIONS, run_window
from rankings_etl.resources.openrouter_client import OpenRouterClient

_SPEC = DATASET.fetched_table


@dg.asset(
    name=DATASET.name,
    description=_SPEC.description,
    group_name=GROUP,
    partitions_def=PARTITIONS[DATASET.grain],
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=OPENROUTER_POOL,
    kinds={"openrouter", "duckdb"},
    owners=OWNERS,
    check_specs=daily_check_specs(DATASET.name, DATASET.contract_checks, PARTITIONS[DATASET.grain]),
    freshness_policy=FRESHNESS[DATASET.grain],
    metadata={
        "dagster/column_schema": column_schema(_SPEC.columns),
        "dagster/table_name": f"main.{_SPEC.name}",
    },
)
def app_rankings_weekly(
    context: dg.AssetExecutionContext, openrouter: OpenRouterClient, duckdb: DuckDBResource
):
    try:
        yield from fetch_and_store(context, DATASET, openrouter, duckdb)
    except RankingsError as error:
        raise failure_for(error, run_window(context)) from error
