"""The rankings_segments_daily dataset's assets: ``rankings_segments_daily`` (each UTC day's
rankings within each exact segment), fetched by the one fetch body, and
``model_segment_share_daily``, built by the one factory from its TableSpec."""

from rankings_etl.datasets.rankings_segments_daily.dataset import DATASET
from rankings_etl.datasets.rankings_segments_daily.tables import MODEL_SEGMENT_SHARE_DAILY
from rankings_etl.orchestration.fetch_assets import fetch_asset
from rankings_etl.orchestration.table_assets import sql_table_asset

# Its write checks each segment-day against that day's rankings_daily total, so the day's
# rankings_daily partition is drawn as its upstream (the daily job runs it first).
rankings_segments_daily = fetch_asset(DATASET, deps=("rankings_daily",))
model_segment_share_daily = sql_table_asset(MODEL_SEGMENT_SHARE_DAILY, group=DATASET.group)

segments_assets = [rankings_segments_daily, model_segment_share_daily]
