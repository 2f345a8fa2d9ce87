"""Names shared across the project's Dagster objects. They are public: the README sends users
to the ``openrouter`` group and ``dagster.yaml`` limits the ``openrouter_api`` pool."""

from rankings_etl.datasets.rankings_daily.dataset import DATASET as RANKINGS_DAILY

#: The model rankings' group (rankings_daily, its tables, the chart and the export); every other
#: dataset names its own (``DatasetSpec.group``).
GROUP = RANKINGS_DAILY.group
#: Steps that call the OpenRouter API queue on this pool (limit in dagster.yaml).
OPENROUTER_POOL = "openrouter_api"
OWNERS = ["team:data-engineering"]
