"""The partitions definitions every daily and weekly asset shares, and a run's days as a window."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from rankings_etl.core.api_facts import FIRST_DATE, FIRST_WEEK
from rankings_etl.core.windows import Window

#: One partition per completed UTC day since the dataset begins. ``end_offset=0`` keeps the
#: current (incomplete) day out: OpenRouter only publishes whole days.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=FIRST_DATE.isoformat(), timezone="UTC", end_offset=0
)

#: One partition per complete ISO week (Monday 00:00 UTC to the next), from the first Monday
#: of the dataset. A week's partition exists once its Sunday has ended, so the weekly datasets
#: never load an incomplete week (the API's trailing weekly bucket can run past ``end_date``).
weekly_partitions = dg.WeeklyPartitionsDefinition(
    start_date=FIRST_WEEK.isoformat(), day_offset=1, timezone="UTC", end_offset=0
)

#: The partitions of each grain a dataset or table declares (``TableSpec.grain``).
PARTITIONS: dict[str, dg.TimeWindowPartitionsDefinition] = {
    "day": daily_partitions,
    "week": weekly_partitions,
}


def partition_dates(grain: str, window: Window) -> list[dt.date]:
    """The partitions of ``window`` as their start dates: each day, or each week's Monday."""
    days = window.dates()
    return days if grain == "day" else days[::7]


def run_window(context: dg.AssetExecutionContext) -> Window:
    """The run's partitions as an inclusive date window (one day or a whole range; a weekly
    run's window runs from its first Monday to its last Sunday)."""
    time_window = context.partition_time_window
    return Window(time_window.start.date(), (time_window.end - dt.timedelta(days=1)).date())
