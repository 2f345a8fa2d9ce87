"""The daily schedule, restatements and freshness, run for real against the sandbox."""

import datetime as dt

import dagster as dg
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.test_utils import freeze_time

from rankings_etl.datasets.rankings_daily.assets import rankings_daily
from rankings_etl.definitions import daily_assets, daily_rankings_schedule, defs
from rankings_etl.orchestration.freshness import DAILY_FRESHNESS

from .helpers import materialize_range, run_tags

TICK = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)


def report_loaded(instance, first, last):
    """Record materializations of rankings_daily for [first, last] as if runs had made them."""
    day = first
    while day <= last:
        instance.report_runless_asset_event(
            dg.AssetMaterialization(asset_key="rankings_daily", partition=day.isoformat())
        )
        day += dt.timedelta(days=1)


def evaluate_tick(instance, when=TICK):
    context = dg.build_schedule_context(instance=instance, scheduled_execution_time=when)
    return list(daily_rankings_schedule.evaluate_tick(context).run_requests or [])


def test_a_tick_requests_exactly_one_range_run_over_the_trailing_three_days(instance):
    report_loaded(instance, dt.date(2026, 11, 1), dt.date(2026, 11, 23))
    requests = evaluate_tick(instance)
    assert len(requests) == 1
    tags = requests[0].tags
    assert tags["dagster/asset_partition_range_start"] == "2026-11-21"
    assert tags["dagster/asset_partition_range_end"] == "2026-11-23"
    assert requests[0].partition_key is None  # a range run, not one partition


def test_a_tick_after_days_of_downtime_fills_the_gap_in_one_run(instance):
    report_loaded(instance, dt.date(2026, 11, 1), dt.date(2026, 11, 15))
    (request,) = evaluate_tick(instance)
    assert request.tags["dagster/asset_partition_range_start"] == "2026-11-16"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-11-23"


def run_tick_request(request, resources, instance):
    """Execute a tick's run request the way the daemon does: the job, with the request's tags."""
    return materialize_range(
        [rankings_daily],
        request.tags["dagster/asset_partition_range_start"],
        request.tags["dagster/asset_partition_range_end"],
        resources=resources,
        instance=instance,
    )


def test_a_revised_day_lands_in_restatements_and_nothing_else_does(
    sandbox, resources, instance, query
):
    first = materialize_range(
        [rankings_daily], "2026-11-21", "2026-11-23", resources=resources, instance=instance
    )
    assert first.success and sandbox.request_count() == 1
    sandbox.inject("revise", date="2026-11-22", factor=1.001, count=-1)
    again = materialize_range(
        [rankings_daily], "2026-11-21", "2026-11-23", resources=resources, instance=instance
    )
    assert again.success and sandbox.request_count() == 2
    rows = query(
        "SELECT date::VARCHAR, count(*), min(new_total_tokens::DOUBLE / old_total_tokens), "
        "max(new_total_tokens::DOUBLE / old_total_tokens) FROM rankings_restatements GROUP BY 1"
    )
    assert len(rows) == 1
    day, changed, low, high = rows[0]
    assert day == "2026-11-22" and changed == 51
    assert abs(low - 1.001) < 1e-6 and abs(high - 1.001) < 1e-6
    # Each day says what this run restated of it; the run says how much, at most.
    restated = {
        m.partition: m.metadata["restated_rows"].value
        for m in again.asset_materializations_for_node("rankings_daily")
    }
    assert restated == {"2026-11-21": 0, "2026-11-22": 51, "2026-11-23": 0}
    tags = run_tags(instance, again)
    assert tags["restated_rows"] == "51"
    assert abs(float(tags["max_restatement_change"]) - 0.001) < 1e-6
    # the replacement landed too, exactly once per row
    assert query("SELECT count(*) FROM rankings_daily WHERE date = '2026-11-22'") == [(51,)]


def freshness_state(instance):
    """One pass of the freshness daemon ``dagster dev`` runs, over the project's code location;
    rankings_daily's state as the asset page shows it."""
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.test_utils import InProcessTestWorkspaceLoadTarget
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._daemon.freshness import FreshnessDaemon

    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(module_name="rankings_etl.definitions", attribute="defs")
    )
    with WorkspaceProcessContext(instance, InProcessTestWorkspaceLoadTarget(origin)) as context:
        list(FreshnessDaemon().run_iteration(context))
    key = dg.AssetKey("rankings_daily")
    return instance.get_freshness_state_records([key])[key].freshness_state


def test_freshness_fails_at_the_deadline_without_a_run_and_passes_after_the_scheduled_run(
    sandbox, resources, instance
):
    with freeze_time(dt.datetime(2026, 11, 23, 0, 20, tzinfo=dt.UTC)):
        report_loaded(instance, dt.date(2026, 11, 10), dt.date(2026, 11, 22))
    with freeze_time(dt.datetime(2026, 11, 24, 4, 0, tzinfo=dt.UTC)):
        assert freshness_state(instance) == FreshnessState.FAIL
        (request,) = evaluate_tick(instance, when=dt.datetime(2026, 11, 24, 0, 15, tzinfo=dt.UTC))
        assert run_tick_request(request, resources, instance).success
        assert freshness_state(instance) == FreshnessState.PASS


def test_every_daily_asset_has_the_freshness_policy():
    graph = defs.resolve_asset_graph()
    for asset in daily_assets:
        policy = graph.get(asset.key).freshness_policy
        assert policy == DAILY_FRESHNESS, asset.key
    assert DAILY_FRESHNESS.deadline_cron == "0 3 * * *"
