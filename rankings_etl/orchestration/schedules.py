"""The daily run: yesterday and the two days before it, in one request; downstream follows.

OpenRouter keeps revising the last 2-3 completed days slightly after publishing them, so each
tick re-fetches a trailing window of ``TRAILING_DAYS`` instead of yesterday alone; the re-fetch
costs nothing extra (one request either way) and any change lands in ``rankings_restatements``.

Ticks at 00:15 UTC: a quarter of an hour after the day closes gives OpenRouter's pipeline time
to count the day's last requests, and whatever it counts later is picked up by the next two
ticks' re-fetches. The freshness deadline (see :mod:`rankings_etl.orchestration.freshness`)
leaves room for a retry before anyone is told the data is late.

The weekly datasets (the category estimates and the app rankings) tick on Mondays, after the
daily run, over the ISO week that just ended (:func:`weekly_window`).

The scheduled run materializes the fetch assets (and their contract checks) only; the tables
derived from it, the chart and the export follow its days by their automation conditions,
within a minute (``rankings_automation_sensor``). A run refused by the contract therefore
fails alone: Dagster marks the checks a failed run had planned "execution failed", so checks of
downstream tables planned in that run would read failed on days nothing was wrong with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import dagster as dg

from rankings_etl.core.api_facts import FIRST_DATE, FIRST_WEEK
from rankings_etl.core.run_tags import RANGE_END_TAG, RANGE_START_TAG, REASON_TAG
from rankings_etl.core.windows import Window, iso_week_start
from rankings_etl.datasets.spec import DatasetSpec
from rankings_etl.orchestration.partitions import partition_dates
from rankings_etl.settings import DEFAULTS

TRAILING_DAYS = 3
#: Mondays at 00:45 UTC: after the daily run, once the ISO week has closed.
WEEKLY_CRON = "45 0 * * 1"
SCHEDULE_CRON = DEFAULTS.schedule_cron
#: How often ``rankings_automation_sensor`` evaluates the automation conditions.
AUTOMATION_INTERVAL_SECONDS = DEFAULTS.automation_interval_seconds


def daily_window(
    execution_time: dt.datetime, latest_loaded: dt.date | None, trailing_days: int = TRAILING_DAYS
) -> Window:
    """The days a tick at ``execution_time`` should (re)load, as one window.

    Normally the trailing ``trailing_days`` completed days. If the latest loaded day is older
    than that (the daemon was down), the window starts the day after it, so one run fills the
    gap; with nothing loaded at all it starts at the beginning of the dataset. Older gaps below
    the latest loaded day are left to a deliberate backfill, so one bad old day cannot make
    every daily run fail.
    """
    end = execution_time.astimezone(dt.UTC).date() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=trailing_days - 1)
    if latest_loaded is None:
        start = FIRST_DATE
    elif latest_loaded < start - dt.timedelta(days=1):
        start = latest_loaded + dt.timedelta(days=1)
    return Window(max(start, FIRST_DATE), end)


def weekly_window(execution_time: dt.datetime, latest_loaded: dt.date | None) -> Window:
    """The weeks a weekly tick at ``execution_time`` should load, as one window of whole weeks.

    The last complete ISO week (Monday..Sunday before the tick's week), or, when the latest
    loaded week (its Monday) is older, every week since it, so one run fills the gap. With
    nothing loaded only that last week: all of history is a deliberate backfill (the app
    rankings alone cost one request per week and sort), not something a tick starts.
    """
    end = iso_week_start(execution_time.astimezone(dt.UTC).date()) - dt.timedelta(days=1)
    start = end - dt.timedelta(days=6)
    if latest_loaded is not None and latest_loaded < start - dt.timedelta(days=7):
        start = latest_loaded + dt.timedelta(days=7)
    return Window(max(start, FIRST_WEEK), end)


def range_run_request(
    window: Window, reason: str, assets: list[dg.AssetKey] | None = None, grain: str = "day"
) -> dg.RunRequest:
    """A single run over ``window`` (of ``assets`` only, when given): Dagster 1.13 reads range
    runs from these two tags, the first and last partition keys (``RunRequest(
    partition_key_range=...)`` is accepted and silently ignored)."""
    keys = partition_dates(grain, window)
    return dg.RunRequest(
        run_key=f"{window.start}...{window.end}",
        asset_selection=assets,
        tags={
            RANGE_START_TAG: keys[0].isoformat(),
            RANGE_END_TAG: keys[-1].isoformat(),
            REASON_TAG: reason,
        },
    )


def oldest_latest_loaded(
    instance: dg.DagsterInstance, anchors: Sequence[dg.AssetKey]
) -> dt.date | None:
    """The oldest of the anchors' latest materialized partitions, among anchors loaded at all.

    A dataset never loaded does not pull the window back to the beginning: its first load is a
    deliberate backfill; it joins the schedule's catch-up once it has a partition.
    """
    latest = [
        max(dt.date.fromisoformat(key) for key in keys)
        for keys in (instance.get_materialized_partitions(anchor) for anchor in anchors)
        if keys
    ]
    return min(latest, default=None)


def build_range_schedule(
    name: str,
    job: dg.UnresolvedAssetJobDefinition,
    anchors: Sequence[dg.AssetKey],
    window_for: Callable[[dt.datetime, dt.date | None], Window],
    cron: str,
    description: str,
    grain: str = "day",
    trailing: int = 1,
) -> dg.ScheduleDefinition:
    """A schedule whose every tick is one range run of ``anchors`` over ``window_for(tick,
    oldest latest loaded partition)``: ``reason`` tags it ``trailing`` or ``catch-up``."""

    @dg.schedule(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description,
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        latest = oldest_latest_loaded(context.instance, anchors)
        window = window_for(context.scheduled_execution_time, latest)
        periods = len(partition_dates(grain, window))
        reason = "trailing" if periods <= trailing else "catch-up"
        return range_run_request(window, reason, list(anchors), grain)

    return _schedule


def build_daily_schedule(
    job: dg.UnresolvedAssetJobDefinition,
    anchors: Sequence[dg.AssetKey],
    cron: str = SCHEDULE_CRON,
) -> dg.ScheduleDefinition:
    """The ``daily_rankings_schedule``: runs of the daily fetch ``anchors`` (from ``job``),
    catching up from their last loaded day.

    ``cron`` may be moved (``RANKINGS_SCHEDULE_CRON``) by an operator who wants more margin
    after midnight; every tick still covers the trailing completed days, whatever its time.
    """
    names = " and ".join(anchor.to_user_string() for anchor in anchors)
    return build_range_schedule(
        "daily_rankings_schedule",
        job,
        anchors,
        daily_window,
        cron,
        description=(
            f"Shortly after 00:00 UTC: one run of {names} re-fetching the trailing 3 "
            "completed days (one request for the model rankings, one per exact segment), picking "
            "up late revisions; the tables, chart and export derived from them follow by "
            "automation. Fills any gap since the last loaded day in the same run."
        ),
        trailing=TRAILING_DAYS,
    )


def build_weekly_schedule(
    job: dg.UnresolvedAssetJobDefinition,
    anchors: Sequence[dg.AssetKey],
    cron: str = WEEKLY_CRON,
) -> dg.ScheduleDefinition:
    """The ``weekly_rankings_schedule``: Monday after the daily run, the week that just ended
    for every weekly dataset (``anchors``), or the gap since their last loaded week."""
    names = ", ".join(anchor.to_user_string() for anchor in anchors)
    return build_range_schedule(
        "weekly_rankings_schedule",
        job,
        anchors,
        weekly_window,
        cron,
        description=(
            f"Mondays 00:45 UTC: one run of {names} over the ISO week that just ended "
            "(or every week since the last loaded one)."
        ),
        grain="week",
    )


def requests_per_day_of_ticks(datasets: Sequence[DatasetSpec]) -> int:
    """What the schedules send on a day with both ticks: each fetch dataset's requests for
    its trailing window (3 days, or one week). The budget keeps this many free for them."""
    trailing = {
        "day": Window(FIRST_DATE, FIRST_DATE + dt.timedelta(days=TRAILING_DAYS - 1)),
        "week": Window(FIRST_WEEK, FIRST_WEEK + dt.timedelta(days=6)),
    }
    return sum(each.requests_for(trailing[each.grain]) for each in datasets)
