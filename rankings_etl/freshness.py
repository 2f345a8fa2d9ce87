"""Freshness: yesterday's partition must exist a few hours after its day ended.

Built on Dagster's time-partition freshness checks (the check is named ``freshness_check``),
evaluated by a sensor that the daemon runs under ``dagster dev``, so stale data shows in red in
the UI. The deadline, 03:00 UTC, leaves the 00:15 schedule time for its retries.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

FRESHNESS_DEADLINE_CRON = "0 3 * * *"


def build_freshness(assets: Sequence[dg.AssetsDefinition]):
    """Freshness checks for ``assets`` and the sensor that evaluates them."""
    checks = dg.build_time_partition_freshness_checks(
        assets=list(assets), deadline_cron=FRESHNESS_DEADLINE_CRON, timezone="UTC"
    )
    sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=checks,
        name="rankings_freshness_sensor",
        minimum_interval_seconds=600,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    return checks, sensor
