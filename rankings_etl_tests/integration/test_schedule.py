"""The daily schedule, restatements and freshness, run for real against the sandbox."""

import datetime as dt

import dagster as dg
from dagster._core.test_utils import freeze_time

from rankings_etl.assets.rankings import rankings_daily
from rankings_etl.definitions import daily_assets, daily_rankings_schedule, freshness_checks

from .helpers import materialize_range

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
    metadata = again.asset_materializations_for_node("rankings_daily")[0].metadata
    assert metadata["restated_rows"].value == 51
    assert abs(metadata["max_restatement_change"].value - 0.001) < 1e-6
    # the replacement landed too, exactly once per row
    assert query("SELECT count(*) FROM rankings_daily WHERE date = '2026-11-22'") == [(51,)]


def evaluate_freshness(instance, resources):
    """Run the project's freshness checks and return rankings_daily's evaluation."""
    job = dg.Definitions(
        assets=daily_assets,
        resources=resources,
        asset_checks=freshness_checks,
        jobs=[
            dg.define_asset_job("freshness", selection=dg.AssetSelection.checks(*freshness_checks))
        ],
    ).resolve_job_def("freshness")
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    evaluations = {e.asset_key: e for e in result.get_asset_check_evaluations()}
    assert len(evaluations) == len(daily_assets)
    return evaluations[dg.AssetKey("rankings_daily")]


def test_freshness_fails_without_yesterday_and_passes_after_the_scheduled_run(
    sandbox, resources, instance
):
    report_loaded(instance, dt.date(2026, 11, 10), dt.date(2026, 11, 22))
    with freeze_time(dt.datetime(2026, 11, 24, 4, 0, tzinfo=dt.UTC)):
        stale = evaluate_freshness(instance, resources)
        assert not stale.passed
        assert "freshness" in stale.check_name
        (request,) = evaluate_tick(instance, when=dt.datetime(2026, 11, 24, 0, 15, tzinfo=dt.UTC))
        assert run_tick_request(request, resources, instance).success
        assert evaluate_freshness(instance, resources).passed
