"""Freshness: every daily asset is expected to be refreshed between 00:00 and 03:00 UTC, every
weekly one by Monday 06:00 UTC.

A ``FreshnessPolicy`` on each daily asset (Dagster 1.13's replacement for the freshness-check
builders): the daemon that ``dagster dev`` starts evaluates it, and the asset's page shows it
passing, or failing once 03:00 UTC goes by without a materialization since midnight. The
daily run ticks at 00:15 and always covers yesterday, so a materialization after midnight means
the completed day is in; the deadline leaves the schedule time for its retries.

The policy judges the asset's latest materialization, whichever partition it was: a manual
re-run of an old day after midnight also counts.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

FRESHNESS_DEADLINE_CRON = "0 3 * * *"
#: Materializations after this long before the deadline count: after 00:00 UTC.
FRESHNESS_LOWER_BOUND = dt.timedelta(hours=3)

DAILY_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron=FRESHNESS_DEADLINE_CRON,
    lower_bound_delta=FRESHNESS_LOWER_BOUND,
    timezone="UTC",
)

#: A weekly asset's week closes on Sunday; the weekly run ticks Monday 00:45 UTC.
WEEKLY_FRESHNESS_DEADLINE_CRON = "0 6 * * 1"
WEEKLY_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron=WEEKLY_FRESHNESS_DEADLINE_CRON,
    lower_bound_delta=dt.timedelta(hours=6),
    timezone="UTC",
)

#: The policy of each grain.
FRESHNESS = {"day": DAILY_FRESHNESS, "week": WEEKLY_FRESHNESS}
