"""The one factory of the derived tables' assets: a :class:`TableSpec` becomes its partitioned
asset (daily, or weekly for ``grain="week"``).

Each asset is a thin wrapper over :func:`rankings_etl.warehouse.build.build_table`: it
backfills any range in a single run and follows its upstream days automatically. Its checks run
inside the write transaction on the rows just written and come back from the asset's own step:
an ERROR rolls the write back, fails the step and stops what is downstream.
"""

from collections.abc import Callable

import dagster as dg
from dagster_duckdb import DuckDBResource

from rankings_etl.datasets import warehouse_specs
from rankings_etl.orchestration.automation import CONDITIONS
from rankings_etl.orchestration.check_results import (
    check_outputs,
    daily_check_specs,
    day_evaluations,
    latest_materializations,
)
from rankings_etl.orchestration.failures import checks_failure
from rankings_etl.orchestration.freshness import FRESHNESS
from rankings_etl.orchestration.metadata import column_schema, day_figures, record_day_metadata
from rankings_etl.orchestration.naming import GROUP, OWNERS
from rankings_etl.orchestration.partitions import PARTITIONS, partition_dates, run_window
from rankings_etl.warehouse.build import build_table
from rankings_etl.warehouse.connection import open_warehouse
from rankings_etl.warehouse.table_spec import Dep, TableSpec


def sql_table_asset(
    spec: TableSpec, newest_day_extra: Callable | None = None
) -> dg.AssetsDefinition:
    """The daily asset that builds ``spec``'s table with its ``select_<table>.sql``.

    Its description, columns, checks, upstream tables and automation are the spec's;
    ``newest_day_extra(con, day)`` adds metadata to the run's newest day (market_daily's
    preview).
    """

    @dg.asset(**_asset_kwargs(spec))
    def build(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        yield from _materialize(context, duckdb, spec, newest_day_extra)

    return build


def _asset_dep(dep: Dep) -> dg.AssetDep:
    if not dep.earlier_periods:
        return dg.AssetDep(dep.table)
    return dg.AssetDep(
        dep.table,
        partition_mapping=dg.TimeWindowPartitionMapping(
            start_offset=-dep.earlier_periods, allow_nonexistent_upstream_partitions=True
        ),
    )


def _asset_kwargs(spec: TableSpec) -> dict:
    return dict(
        name=spec.name,
        description=spec.description,
        group_name=GROUP,
        partitions_def=PARTITIONS[spec.grain],
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb"},
        owners=OWNERS,
        deps=[_asset_dep(dep) for dep in spec.deps],
        automation_condition=CONDITIONS[spec.automation],
        check_specs=daily_check_specs(
            spec.name, [check.spec for check in spec.checks], PARTITIONS[spec.grain]
        ),
        freshness_policy=FRESHNESS[spec.grain],
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
    with open_warehouse(duckdb, warehouse_specs()) as con:
        result = build_table(con, spec, window, spec.checks)
        figures = {} if result.blocked else day_figures(con, spec, window)
        extra = newest_day_extra(con, max(figures)) if newest_day_extra and figures else None
    check_figures = {day: {"rows": values["dagster/row_count"]} for day, values in figures.items()}
    if result.blocked:
        yield from day_evaluations(
            table,
            result.outcomes,
            latest_materializations(context.instance, table, partition_dates(spec.grain, window)),
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
        latest_materializations(context.instance, table, partition_dates(spec.grain, window)),
        check_figures,
    )
