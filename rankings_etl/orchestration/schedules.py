"""The daily run: yesterday and the two days before it, in one request; downstream follows.

OpenRouter keeps revising the last 2-3 completed days slightly after publishing them, so each
tick re-fetches a trailing window of ``TRAILING_DAYS`` instead of yesterday alone; the re-fetch
costs nothing extra (one request either way) and any change lands in ``rankings_restatements``.

Ticks at 00:15 UTC: a quarter of an hour after the day closes gives OpenRouter's pipeline time
to count the day's last requests, and whatever it counts later is picked up by the next two
ticks' re-fetches. The freshness deadline (see :mod:`rankings_etl.orchestration.freshness`)
leaves room for a retry before anyone is told the data is late.

The scheduled run materializes ``rankings_daily`` (and its contract checks) only; the tables
derived from it, the chart and the export follow its days by their automation conditions,
within a minute (``rankings_automation_sensor``). A run refused by the contract therefore
fails alone: Dagster marks the checks a failed run had planned "execution failed", so checks of
downstream tables planned in that run would read failed on days nothing was wrong with them.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from rankings_etl.core.api_facts import FIRST_DATE
from rankings_etl.core.run_tags import RANGE_END_TAG, RANGE_START_TAG, REASON_TAG
from rankings_etl.core.windows import Window
from rankings_etl.settings import DEFAULTS

TRAILING_DAYS = 3
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


def range_run_request(
    window: Window, reason: str, assets: list[dg.AssetKey] | None = None
) -> dg.RunRequest:
    """A single run over ``window`` (of ``assets`` only, when given): Dagster 1.13 reads range
    runs from these two tags (``RunRequest(partition_key_range=...)`` is accepted and silently
    ignored)."""
    return dg.RunRequest(
        run_key=f"{window.start}...{window.end}",
        asset_selection=assets,
        tags={
            RANGE_START_TAG: window.start.isoformat(),
            RANGE_END_TAG: window.end.isoformat(),
            REASON_TAG: reason,
        },
    )


def build_daily_schedule(
    job: dg.UnresolvedAssetJobDefinition, anchor: dg.AssetKey, cron: str = SCHEDULE_CRON
):
    """The ``daily_rankings_schedule``: runs of ``anchor`` (from ``job``), catching up from its
    last loaded day.

    ``cron`` may be moved (``RANKINGS_SCHEDULE_CRON``) by an operator who wants more margin
    after midnight; every tick still covers the trailing completed days, whatever its time.
    """

    @dg.schedule(
        name="daily_rankings_schedule",
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            "Shortly after 00:00 UTC: one run of rankings_daily re-fetching the trailing 3 "
            "completed days in a single request (picking up late revisions); the tables, chart "
            "and export derived from them follow by automation. Fills any gap since the last "
            "loaded day in the same run."
        ),
    )
    def daily_rankings_schedule(context: dg.ScheduleEvaluationContext):
        materialized = context.instance.get_materialized_partitions(anchor)
        latest = max((dt.date.fromisoformat(key) for key in materialized), default=None)
        window = daily_window(context.scheduled_execution_time, latest)
        reason = "trailing" if window.days <= TRAILING_DAYS else "catch-up"
        return range_run_request(window, reason, [anchor])

    return daily_rankings_schedule
