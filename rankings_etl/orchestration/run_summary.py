"""Figures that belong to a run, not to any one day: the days it covered, requests, budget.

Put on a day's materialization they would be wrong (partition 2025-03-15 did not cost 2
requests; the backfill did). They go where the run's page shows them: as run tags, listed at
the top of the run (and searchable in the runs list), and in one log line.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

TAG_PREFIX = "rankings_etl/"


def record_run_figures(context: dg.AssetExecutionContext, figures: Mapping[str, object]) -> None:
    """Tag the run with ``figures`` (``rankings_etl/<name>``) and log them in one line."""
    shown = {name: value for name, value in figures.items() if value is not None}
    context.instance.add_run_tags(
        context.run_id, {f"{TAG_PREFIX}{name}": str(value) for name, value in shown.items()}
    )
    context.log.info("run: " + ", ".join(f"{name} {value}" for name, value in shown.items()))
