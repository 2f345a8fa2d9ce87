"""Check results per day: what Dagster records for each (check, day) a run evaluated.

Every check is declared per partition (``AssetCheckSpec(partitions_def=...)``) and reports one
``AssetCheckEvaluation(partition=day)`` for each day it judged, passed or not, with that day's
figures. That is what gives each day its own check status in the UI; an ``AssetCheckResult``
cannot (in a range run Dagster records it with ``partition=None``, once for the whole run).

Dagster counts a day's status as current only if the evaluation names that day's latest
materialization (``target_materialization_data``). So a run that writes reports after its
materializations are stored, pointing at them; a refused run writes nothing and points at what
each day already had: the failing checks of a refused day read failed, and every other
(check, day) the run planned is reported too, so none is left to read "execution failed".

A full backfill evaluates 14 checks on ~700 days: ~9,800 events, which stock SQLite storage
writes one at a time (about 20 ms each here); an event-log storage that writes batches takes
them together. ``partitions_def`` on a check spec and ``partition`` on an evaluation are preview
APIs in Dagster 1.13: ``rankings_etl_tests/unit/test_dagster_apis.py`` fails with a clear message
if their behaviour changes.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator, Mapping, Sequence

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)

from rankings_etl.core.check_outcomes import CheckOutcome, CheckSpec
from rankings_etl.orchestration.partitions import daily_partitions

Target = AssetCheckEvaluationTargetMaterializationData


def daily_check_specs(
    asset: str,
    specs: Sequence[CheckSpec],
    partitions_def: dg.PartitionsDefinition = daily_partitions,
) -> list[dg.AssetCheckSpec]:
    """Blocking checks with a status per partition (day, or week of a weekly asset); Dagster
    1.13 marks ``partitions_def`` preview."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.PreviewWarning)
        return [
            dg.AssetCheckSpec(
                spec.name,
                asset=asset,
                blocking=True,
                description=spec.description,
                partitions_def=partitions_def,
            )
            for spec in specs
        ]


def latest_materializations(
    instance: dg.DagsterInstance, asset: str, days: Sequence[dt.date]
) -> dict[dt.date, Target]:
    """Each day's latest materialization of ``asset`` (days never materialized are absent).

    Two index queries whatever the number of days, and nothing deserialized: the latest storage
    id per partition, then those events' run ids and timestamps (the summary records Dagster
    answers from its indexed columns). Loading the full records instead cost ~2 s of a
    full-history run (3,500 materializations unpacked to read three fields).
    """
    key = dg.AssetKey(asset)
    latest = instance.get_latest_storage_id_by_partition(
        key, dg.DagsterEventType.ASSET_MATERIALIZATION, {day.isoformat() for day in days}
    )
    if not latest:
        return {}
    summaries = instance.get_asset_event_summary_records(
        dg.DagsterEventType.ASSET_MATERIALIZATION,
        asset_key=key,
        storage_ids=list(latest.values()),
    )
    return {
        dt.date.fromisoformat(summary.partition): Target(
            storage_id=summary.storage_id, run_id=summary.run_id, timestamp=summary.timestamp
        )
        for summary in summaries
        if summary.partition
    }


def day_evaluations(
    asset: str,
    outcomes: Sequence[CheckOutcome],
    targets: Mapping[dt.date, Target],
    figures: Mapping[dt.date, Mapping[str, object]],
    note: str | None = None,
) -> list[dg.AssetCheckEvaluation]:
    """One evaluation per check and evaluated day: pass or fail, severity, the day's figures.

    ``figures`` are the day's numbers the checks looked at (the same for every check of the
    asset); ``note`` is added to a passing day's description (e.g. that nothing was written).
    Every check is reported, selected by the run or not: each one runs whenever its asset
    does (the contract checks gate the write, the table checks run inside it).
    """
    evaluations = []
    for outcome in outcomes:
        for verdict in outcome.verdicts():
            metadata = dict(figures.get(verdict.date, {}))
            if verdict.problem is not None:
                metadata["problem"] = verdict.problem
            evaluations.append(
                dg.AssetCheckEvaluation(
                    asset_key=dg.AssetKey(asset),
                    check_name=outcome.spec.name,
                    passed=verdict.passed,
                    severity=dg.AssetCheckSeverity(verdict.severity),
                    # The day leads: Dagster's run log line for an evaluation names no partition.
                    description=(
                        f"{verdict.date}: {verdict.problem}"
                        if verdict.problem is not None
                        else f"{verdict.date}: passes" + (f"; {note}" if note else "")
                    ),
                    metadata=metadata,
                    blocking=True,
                    partition=verdict.date.isoformat(),
                    target_materialization_data=targets.get(verdict.date),
                )
            )
    return evaluations


def check_outputs(context: dg.AssetExecutionContext) -> Iterator[dg.Output]:
    """The step's (value-less) check outputs, which Dagster requires of each selected check."""
    selected = context.selected_asset_check_keys
    for output_name, spec in context.assets_def.check_specs_by_output_name.items():
        if spec.key in selected:
            yield dg.Output(None, output_name=output_name)
