"""Everything the project defines, assembled in one place: read this file top to bottom.

Settings with documented defaults (URLs, paths, limits) come from :mod:`rankings_etl.settings`,
read once here where the resources are built; the API key is only ever referenced through
``EnvVar`` so its value never reaches the UI, run config or logs.
"""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from rankings_etl.datasets.app_rankings_weekly.assets import app_rankings_weekly
from rankings_etl.datasets.rankings_categories_weekly.assets import rankings_categories_weekly
from rankings_etl.datasets.rankings_daily.assets import analytics_assets, rankings_daily
from rankings_etl.datasets.rankings_segments_daily.assets import (
    rankings_segments_daily,
    segments_assets,
)
from rankings_etl.orchestration.partitions import daily_partitions, weekly_partitions
from rankings_etl.orchestration.schedules import build_daily_schedule, build_weekly_schedule
from rankings_etl.publishing.assets import output_assets
from rankings_etl.resources.export_dir import ExportDirectory
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.resources.rate_budget import RateBudget
from rankings_etl.settings import Settings

settings = Settings.from_env()

# --- Assets: one partition per UTC day, all backfillable in a single run ---------------------
# rankings_daily and its tables; the exact segments and their shares (segments_assets, 10
# requests a run) are daily too, and the daily job runs both.
daily_assets = [rankings_daily, *analytics_assets]
# --- One partition per complete ISO week (Monday to Sunday, UTC) -----------------------------
weekly_assets = [rankings_categories_weekly, app_rankings_weekly]

# --- Automation: the daily run; everything downstream follows it --------------------------
daily_rankings_job = dg.define_asset_job(
    "daily_rankings_job",
    selection=dg.AssetSelection.assets(*daily_assets, *segments_assets),
    partitions_def=daily_partitions,
    description=(
        "rankings_daily, rankings_segments_daily and every table derived from them, over a "
        "range of days."
    ),
)
daily_rankings_schedule = build_daily_schedule(
    daily_rankings_job,
    [rankings_daily.key, rankings_segments_daily.key],
    cron=settings.schedule_cron,
)
weekly_rankings_job = dg.define_asset_job(
    "weekly_rankings_job",
    selection=dg.AssetSelection.assets(*weekly_assets),
    partitions_def=weekly_partitions,
    description=(
        "The weekly datasets (category estimates, app rankings), over a range of complete ISO "
        "weeks."
    ),
)
weekly_rankings_schedule = build_weekly_schedule(
    weekly_rankings_job, [asset.key for asset in weekly_assets]
)

# The conditions the UI shows on the downstream assets (eager, "after any upstream update") are
# what refreshes them, so the sensor that evaluates them runs from the start. Freshness is a
# FreshnessPolicy on each daily asset (orchestration/freshness.py), which the daemon evaluates.
automation_sensor = dg.AutomationConditionSensorDefinition(
    "rankings_automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=settings.automation_interval_seconds,
    description=(
        "Evaluates the assets' automation conditions: after the daily run, the chart and the "
        "export refresh (and any downstream day the run did not cover follows its upstream)."
    ),
)

# --- Resources --------------------------------------------------------------------------------
# One budget for every process: each request takes a slot from the ledger (a SQLite file on one
# machine, Postgres across many). A postgresql:// URL may carry a password, so a set value is
# passed as an EnvVar: the UI and run config show the variable's name, never its value.
resources = {
    "openrouter": OpenRouterClient(
        api_key=dg.EnvVar("OPENROUTER_API_KEY"),
        base_url=settings.base_url,
        budget=RateBudget(
            database=dg.EnvVar("RANKINGS_BUDGET_DB")
            if settings.budget_db_is_set
            else settings.budget_db,
            per_minute=settings.rate_per_minute,
            per_day=settings.rate_per_day,
            keep_for_schedules=settings.keep_for_schedules,
        ),
    ),
    "duckdb": DuckDBResource(database=settings.duckdb_path),
    "exports": ExportDirectory(path=settings.export_dir),
}

defs = dg.Definitions(
    assets=[*daily_assets, *segments_assets, *weekly_assets, *output_assets],
    jobs=[daily_rankings_job, weekly_rankings_job],
    schedules=[daily_rankings_schedule, weekly_rankings_schedule],
    sensors=[automation_sensor],
    resources=resources,
    # Our steps are cheap and share one DuckDB file: a subprocess per step (~1.5 s each)
    # would cost more than the work, and in-process steps never contend for the file lock.
    executor=dg.in_process_executor,
)
