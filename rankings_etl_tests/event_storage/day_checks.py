"""A small graph whose checks report one evaluation per day, as a per-day check status needs.

The project's own checks report once per run today; a per-day status (issue #15) means an
``AssetCheckEvaluation(partition=day)`` per check per day, ~7,700 events for all of history.
Such evaluations carry no batch metadata of their own: the batching instance holds them and
writes them as one batch. This graph makes that traffic without the project's data: two daily
assets, each with two partitioned checks, one of which fails on one day.
"""

import warnings

import dagster as dg

DAYS = dg.DailyPartitionsDefinition(start_date="2025-01-01", end_offset=0)
FAILING_DAY = "2025-01-05"
CHECKS = ("day_is_complete", "day_is_ordered")


def _specs(asset: str) -> list[dg.AssetCheckSpec]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.PreviewWarning)
        return [dg.AssetCheckSpec(name, asset=asset, partitions_def=DAYS) for name in CHECKS]


def _evaluate(context: dg.AssetExecutionContext):
    """Per-day metadata, the check outputs Dagster requires, then one evaluation per day."""
    for day in context.partition_keys:
        context.add_asset_metadata({"day": day}, partition_key=day)
    yield dg.MaterializeResult()
    for output_name in context.assets_def.check_specs_by_output_name:
        yield dg.Output(None, output_name=output_name)
    for name in CHECKS:
        for day in context.partition_keys:
            yield dg.AssetCheckEvaluation(
                asset_key=context.asset_key,
                check_name=name,
                passed=not (name == CHECKS[0] and day == FAILING_DAY),
                partition=day,
                metadata={"day": day},
            )


@dg.asset(
    partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run(), check_specs=_specs("days")
)
def days(context: dg.AssetExecutionContext):
    yield from _evaluate(context)


@dg.asset(
    partitions_def=DAYS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=_specs("days_downstream"),
    deps=[days],
)
def days_downstream(context: dg.AssetExecutionContext):
    yield from _evaluate(context)


defs = dg.Definitions(assets=[days, days_downstream])


def run_days(instance: dg.DagsterInstance, start: str, end: str) -> dg.ExecuteInProcessResult:
    """One range run of both assets and their checks."""
    return dg.materialize(
        [days, days_downstream],
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": start,
            "dagster/asset_partition_range_end": end,
        },
    )
