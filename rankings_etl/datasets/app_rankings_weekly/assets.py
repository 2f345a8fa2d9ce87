"""The app_rankings_weekly dataset's asset: each ISO week's top 100 apps, popular and trending,
one partition per week, fetched, checked and stored by the one fetch body
(:func:`rankings_etl.orchestration.fetch_assets.fetch_asset`) from its DatasetSpec."""

from rankings_etl.datasets.app_rankings_weekly.dataset import DATASET
from rankings_etl.orchestration.fetch_assets import fetch_asset

app_rankings_weekly = fetch_asset(DATASET)
