"""A full-history app backfill (two requests a week, ~200) is paced by the rate budget so that
the server never sees more than its minute allows: no 429, and no rolling minute holding more
than 30 requests. The minute is shortened to 3 s on both sides (the sandbox's ``minute_seconds``
and the budget's), so the ~7 minutes of pacing take ~30 s."""

import datetime as dt
import time

from dagster_duckdb import DuckDBResource

from rankings_etl.datasets.app_rankings_weekly.assets import app_rankings_weekly
from rankings_etl.orchestration.partitions import weekly_partitions
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.resources.rate_budget import RateBudget

from ..integration.conftest import TEST_KEY
from ..integration.helpers import materialize_range, step_outcomes

MINUTE_SECONDS = 3.0
PER_MINUTE = 30


def most_in_a_rolling_minute(times: list[dt.datetime], seconds: float) -> int:
    """The largest number of requests that arrived within ``seconds`` of each other."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while (moment - times[first]).total_seconds() >= seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


def resources_for(sandbox, tmp_path, **budget):
    return {
        "openrouter": OpenRouterClient(
            api_key=TEST_KEY,
            base_url=sandbox.base_url,
            budget=RateBudget(
                database=str(tmp_path / "budget.sqlite"),
                per_minute=PER_MINUTE,
                minute_seconds=MINUTE_SECONDS,
                **budget,
            ),
        ),
        "duckdb": DuckDBResource(database=str(tmp_path / "warehouse.duckdb")),
    }


def test_a_full_history_backfill_is_paced_by_the_minute_budget_without_a_429(
    sandbox_factory, instance, tmp_path
):
    sandbox = sandbox_factory(per_minute=PER_MINUTE, per_day=500)
    sandbox.configure(minute_seconds=MINUTE_SECONDS)
    weeks = weekly_partitions.get_partition_keys()
    resources = resources_for(sandbox, tmp_path, per_day=500)
    started = time.monotonic()
    result = materialize_range(
        [app_rankings_weekly], weeks[0], weeks[-1], resources=resources, instance=instance
    )
    elapsed = time.monotonic() - started
    assert result.success
    assert sandbox.request_count(status=429) == 0
    assert sandbox.request_count(endpoint="app-rankings", sort="popular") == len(weeks)
    assert sandbox.request_count(endpoint="app-rankings", sort="trending") == len(weeks)
    assert sandbox.request_count() == 2 * len(weeks)
    arrivals = sorted(
        dt.datetime.fromisoformat(r["time"].replace("Z", "+00:00")) for r in sandbox.requests()
    )
    assert most_in_a_rolling_minute(arrivals, MINUTE_SECONDS) <= PER_MINUTE
    span = (arrivals[-1] - arrivals[0]).total_seconds()
    print(f"{2 * len(weeks)} requests paced over {span:.1f} s (run {elapsed:.1f} s)")


def test_a_backfill_the_day_budget_cannot_cover_with_the_schedules_share_is_refused_unsent(
    sandbox, instance, tmp_path
):
    """198 requests fit a day of 220, but not with the 27 kept for the schedules' next ticks."""
    weeks = weekly_partitions.get_partition_keys()
    resources = resources_for(sandbox, tmp_path, per_day=220, keep_for_schedules=27)
    result = materialize_range(
        [app_rankings_weekly], weeks[0], weeks[-1], resources=resources, instance=instance
    )
    assert not result.success
    assert step_outcomes(result) == {"app_rankings_weekly": "failure"}
    assert sandbox.request_count() == 0
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.error.message
    assert "The OpenRouter rate budget is spent; nothing was written" in message
    assert f"cannot cover this run's {2 * len(weeks)} requests" in message
    assert "of which 27 are kept for the scheduled runs" in message
    assert message.rstrip().endswith("Nothing was sent.")
    assert not (tmp_path / "warehouse.duckdb").exists()
