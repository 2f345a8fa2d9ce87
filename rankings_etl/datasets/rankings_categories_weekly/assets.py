"""The rankings_categories_weekly dataset's asset: each complete ISO week's ESTIMATED rankings
per category and language type, fetched by the one fetch body and tagged ``estimate`` so the UI
says what its numbers are."""

from rankings_etl.datasets.rankings_categories_weekly.dataset import DATASET
from rankings_etl.orchestration.fetch_assets import fetch_asset

rankings_categories_weekly = fetch_asset(DATASET, tags={"estimate": ""})
