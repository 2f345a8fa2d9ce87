"""The rankings_daily dataset: OpenRouter's ``GET /datasets/rankings-daily``, one partition per
UTC day, and the tables it feeds."""

from rankings_etl.datasets.rankings_daily.checks import RANKINGS_CHECKS
from rankings_etl.datasets.rankings_daily.tables import TABLES
from rankings_etl.datasets.spec import DatasetSpec

DATASET = DatasetSpec(
    name="rankings_daily",
    endpoint_name="rankings-daily",
    grain="day",
    tables=TABLES,
    contract_checks=RANKINGS_CHECKS,
)
