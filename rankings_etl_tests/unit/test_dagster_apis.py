"""The Dagster 1.13 preview APIs the per-day check results lean on, guarded.

``rankings_etl.orchestration.check_results`` declares checks per partition (``AssetCheckSpec(
partitions_def=...)``) and reports ``AssetCheckEvaluation(partition=...)`` per day from inside a
range run, pointing at that day's latest materialization. If a Dagster upgrade changes how the
UI's per-partition status reads those, this test says so, instead of a status going quietly
stale or missing.
"""

import datetime as dt

import dagster as dg
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionResolvedStatus as Status,
)

from rankings_etl.core.check_outcomes import CheckOutcome, CheckSpec
from rankings_etl.core.run_tags import range_tags
from rankings_etl.orchestration.check_results import (
    check_outputs,
    daily_check_specs,
    day_evaluations,
    latest_materializations,
)
from rankings_etl.orchestration.partitions import daily_partitions

SPEC = CheckSpec("probe_check", "A check that fails on the 2nd.")
START, END = "2025-02-01", "2025-02-03"


@dg.asset(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=daily_check_specs("probe", [SPEC]),
)
def probe(context: dg.AssetExecutionContext):
    dates = tuple(dt.date.fromisoformat(key) for key in context.partition_keys)
    # A WARN on the 2nd: a failed ERROR would (rightly) fail a blocking check's step.
    outcome = CheckOutcome(SPEC, len(dates), {}, {dates[1]: "odd day"}, dates)
    yield dg.MaterializeResult()
    yield from check_outputs(context)
    yield from day_evaluations(
        "probe",
        [outcome],
        latest_materializations(context.instance, "probe", dates),
        {day: {"rows": 1} for day in dates},
    )


def range_run(instance: dg.DagsterInstance, start: str, end: str) -> dg.ExecuteInProcessResult:
    """One run of ``probe`` over the days ``start..end``, as a single-run backfill makes it."""
    return dg.materialize(
        [probe],
        instance=instance,
        tags=range_tags(dt.date.fromisoformat(start), dt.date.fromisoformat(end)),
    )


def test_a_range_run_reports_a_current_status_for_each_of_its_days():
    with dg.instance_for_test() as instance:
        result = range_run(instance, START, END)
        assert result.success
        key = dg.AssetCheckKey(dg.AssetKey("probe"), SPEC.name)
        state = instance.event_log_storage.get_asset_check_state([(key, daily_partitions)])[key]
        statuses = {
            status: set(subset.subset_value.get_partition_keys())
            for status, subset in state.subsets.items()
            if not subset.is_empty
        }
        evaluations = {e.partition: e for e in result.get_asset_check_evaluations()}
    assert statuses == {
        Status.SUCCEEDED: {"2025-02-01", "2025-02-03"},
        Status.FAILED: {"2025-02-02"},
    }
    assert evaluations["2025-02-02"].severity == dg.AssetCheckSeverity.WARN
    assert evaluations["2025-02-02"].description == "2025-02-02: odd day"


def test_the_latest_materialization_of_each_day_matches_its_full_record():
    """``latest_materializations`` reads Dagster's summary records (indexed columns only).

    They must name the same event as the full record Dagster's own readers load: the newest
    materialization of each day (days 2 and 3 are re-materialized by a second run), with its run
    id and timestamp; a day never materialized is absent.
    """
    days = [dt.date(2025, 2, d) for d in (1, 2, 3, 4)]
    with dg.instance_for_test() as instance:
        first = range_run(instance, START, END)
        second = range_run(instance, "2025-02-02", END)
        targets = latest_materializations(instance, "probe", days)
        records = instance.fetch_materializations(dg.AssetKey("probe"), limit=10).records
        newest = {}
        for record in sorted(records, key=lambda r: r.storage_id):
            newest[record.partition_key] = record
    assert first.success and second.success
    assert set(targets) == set(days[:3])
    assert [targets[day].run_id for day in days[:3]] == [first.run_id] + [second.run_id] * 2
    for day, target in targets.items():
        record = newest[day.isoformat()]
        assert target.storage_id == record.storage_id, day
        assert target.run_id == record.run_id, day
        # The index keeps microseconds; the event's float may carry a little more.
        assert abs(target.timestamp - record.timestamp) < 1e-5, day
