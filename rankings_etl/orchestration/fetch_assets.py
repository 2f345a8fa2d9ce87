"""The one body of a dataset's fetch asset: request, check the contract, store, report.

Every dataset but ``rankings_daily`` (whose asset also weighs restatements and can rebuild
from stored bodies) is fetched by :func:`fetch_asset`: its :class:`DatasetSpec` says what a
window costs, how a body is read, what the contract is and how rows are stored, and this module
turns that into a partitioned asset that any range of partitions backfills in one run.

A run is all or nothing: every response of the window is fetched and checked before anything is
written, so a broken response fails the run with its partitions named and the warehouse
unchanged; otherwise the window is replaced in one transaction. Each partition gets its own
figures (from the table's ``sql/figures_<table>.sql``) and its own check results, as
``rankings_daily``'s do.
"""

import datetime as dt
from collections.abc import Iterator, Sequence

import dagster as dg
from dagster_duckdb import DuckDBResource

from rankings_etl.core.errors import RankingsError
from rankings_etl.core.windows import Window
from rankings_etl.datasets import DATASETS, warehouse_specs
from rankings_etl.datasets.spec import DatasetSpec, Stored, StoreRefused
from rankings_etl.orchestration.check_results import (
    check_outputs,
    daily_check_specs,
    day_evaluations,
    latest_materializations,
)
from rankings_etl.orchestration.failures import checks_failure, failure_for
from rankings_etl.orchestration.freshness import FRESHNESS
from rankings_etl.orchestration.metadata import column_schema, day_figures, record_day_metadata
from rankings_etl.orchestration.naming import OPENROUTER_POOL, OWNERS
from rankings_etl.orchestration.partitions import PARTITIONS, partition_dates, run_window
from rankings_etl.orchestration.run_summary import record_run_figures
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.warehouse.connection import open_warehouse


def fetch_asset(
    dataset: DatasetSpec,
    *,
    deps: Sequence[str] = (),
    tags: dict[str, str] | None = None,
) -> dg.AssetsDefinition:
    """The partitioned asset that fetches ``dataset`` and writes its table.

    ``deps`` are tables its checks read (segments compare their totals with
    ``rankings_daily``'s), drawn as lineage; ``tags`` mark it in the UI (e.g. ``estimate``).
    """
    if dataset.evaluate is None or dataset.store is None:
        raise ValueError(f"dataset {dataset.name} declares no evaluate/store to fetch with")
    spec = dataset.fetched_table
    partitions_def = PARTITIONS[dataset.grain]

    @dg.asset(
        name=dataset.name,
        description=spec.description,
        group_name=dataset.group,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=OPENROUTER_POOL,
        kinds={"openrouter", "duckdb"},
        owners=OWNERS,
        tags=tags,
        deps=list(deps),
        check_specs=daily_check_specs(dataset.name, dataset.contract_checks, partitions_def),
        freshness_policy=FRESHNESS[dataset.grain],
        metadata={
            "dagster/column_schema": column_schema(spec.columns),
            "dagster/table_name": f"main.{spec.name}",
        },
    )
    def fetch(
        context: dg.AssetExecutionContext, openrouter: OpenRouterClient, duckdb: DuckDBResource
    ):
        window = run_window(context)
        try:
            yield from fetch_and_store(context, dataset, openrouter, duckdb)
        except RankingsError as error:
            raise failure_for(error, window) from error

    return fetch


def later_needs(context: dg.AssetExecutionContext, dataset: str, window: Window) -> int:
    """The requests this run's other fetch steps have still to send, over the same window.

    A step reserves them with its own, so a run the day budget cannot cover is refused at its
    first fetch, before it has written anything, and never half-way through (rankings_daily
    loaded, its segments refused).
    """
    selected = (
        context.dagster_run.asset_selection or context.job_def.asset_layer.selected_asset_keys
    )
    finished = {
        record.event_log_entry.step_key
        for record in context.instance.get_records_for_run(
            context.run_id,
            of_type={dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE},
        ).records
    }
    return sum(
        other.requests_for(window)
        for other in DATASETS
        if other.name != dataset
        and dg.AssetKey(other.name) in selected
        and other.name not in finished
    )


def fetch_and_store(
    context: dg.AssetExecutionContext,
    dataset: DatasetSpec,
    openrouter: OpenRouterClient,
    duckdb: DuckDBResource,
) -> Iterator[object]:
    """Fetch the run's window of ``dataset``, check it, store it and report each partition."""
    window = run_window(context)
    partitions = partition_dates(dataset.grain, window)
    requests = dataset.requests(window)
    responses: list[object] = []
    attempts = 0
    fetched = openrouter.fetch(
        requests, dataset.parse, also_needed=later_needs(context, dataset.name, window)
    )
    try:
        for number, each in enumerate(fetched, start=1):
            responses.append(each.parsed)
            attempts += each.attempts
            context.log.info(
                f"request {number}/{len(requests)}: {each.request.label}, "
                f"{each.parsed.row_count:,} rows (as of {each.parsed.as_of})"
            )
    finally:
        fetched.close()  # give the reservation back now, not when garbage-collected

    outcomes = dataset.evaluate(responses, window)  # type: ignore[misc]
    blocking = [outcome for outcome in outcomes if outcome.blocks]
    if blocking:
        # Nothing is written: each partition's checks are reported against what it already had.
        yield from day_evaluations(
            dataset.name,
            outcomes,
            latest_materializations(context.instance, dataset.name, partitions),
            {},
            note="nothing was written (the response broke the contract elsewhere)",
        )
        raise checks_failure(
            f"The {dataset.endpoint_name} response", window, blocking, "breaks the API contract"
        )

    written_since = dt.datetime.now(dt.UTC)
    try:
        with open_warehouse(duckdb, warehouse_specs()) as con:
            stored = dataset.store(con, responses, window, context.run_id)  # type: ignore[misc]
            stored = stored if isinstance(stored, Stored) else Stored(stored)
            figures = day_figures(con, dataset.fetched_table, window, written_since)
    except StoreRefused as refused:
        # A check inside the write failed and it was rolled back: reported like the contract's.
        yield from day_evaluations(
            dataset.name,
            [*outcomes, *refused.outcomes],
            latest_materializations(context.instance, dataset.name, partitions),
            {},
            note="nothing was written (the response broke the contract elsewhere)",
        )
        raise checks_failure(
            f"The {dataset.endpoint_name} response",
            window,
            [outcome for outcome in refused.outcomes if outcome.blocks],
            "breaks the API contract",
        ) from refused
    outcomes = [*outcomes, *stored.outcomes]
    rows_written = stored.rows_written
    unit = "days" if dataset.grain == "day" else "weeks"
    context.log.info(
        f"{dataset.name}: wrote {rows_written:,} rows for {window} ({len(partitions)} {unit})"
    )
    record_run_figures(
        context,
        {
            f"{dataset.name}.{unit}": f"{window} ({len(partitions)} {unit})",
            f"{dataset.name}.requests": attempts,
            f"{dataset.name}.rows_written": rows_written,
        },
    )
    record_day_metadata(context, figures)
    yield dg.MaterializeResult()
    yield from check_outputs(context)
    yield from day_evaluations(
        dataset.name,
        outcomes,
        latest_materializations(context.instance, dataset.name, partitions),
        {day: {"rows": values["dagster/row_count"]} for day, values in figures.items()},
    )
