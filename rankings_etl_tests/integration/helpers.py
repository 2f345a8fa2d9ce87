"""Running assets the way Dagster runs them, for tests and benchmarks."""

import dagster as dg

from rankings_etl.core.run_tags import RANGE_END_TAG, RANGE_START_TAG


def materialize_range(assets, start, end, *, resources, instance, selection=None):
    """One run over the partitions ``start..end`` (inclusive), as a UI backfill launches it."""
    return dg.materialize(
        assets,
        selection=selection,
        resources=resources,
        instance=instance,
        tags={RANGE_START_TAG: str(start), RANGE_END_TAG: str(end)},
        raise_on_error=False,
    )


def check_evaluations(result):
    """{(check name, day): AssetCheckEvaluation} from a run's events: one per check per day."""
    return {
        (evaluation.check_name, evaluation.partition): evaluation
        for evaluation in result.get_asset_check_evaluations()
    }


def run_tags(instance, result):
    """The run-level figures an asset put on its run (``rankings_etl/...`` tags)."""
    tags = instance.get_run_by_id(result.run_id).tags
    prefix = "rankings_etl/"
    return {key[len(prefix) :]: value for key, value in tags.items() if key.startswith(prefix)}


def step_outcomes(result):
    """{step key: 'success' | 'failure' | 'skipped'} from a run's events."""
    kinds = {"STEP_SUCCESS": "success", "STEP_FAILURE": "failure", "STEP_SKIPPED": "skipped"}
    return {
        event.step_key: kinds[event.event_type_value]
        for event in result.all_events
        if event.event_type_value in kinds
    }
