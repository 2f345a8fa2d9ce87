"""The registry of datasets and tables: every list of tables is derived from here.

One folder per dataset of the Data API under ``datasets/`` (its tables, checks, load, rebuild,
previews and ``sql/``, all without Dagster); tables shared by every dataset (``raw_responses``)
live with the client in :mod:`rankings_etl.data_api`. The warehouse schema, the exports, the
``status`` command, the bench and the tests read their table lists from the functions below,
so a new table is declared once, in its dataset's ``tables.py``.
"""

from __future__ import annotations

from rankings_etl.data_api.raw_responses import RAW_RESPONSES
from rankings_etl.datasets.app_rankings_weekly.dataset import DATASET as APP_RANKINGS_WEEKLY
from rankings_etl.datasets.rankings_categories_weekly.dataset import (
    DATASET as RANKINGS_CATEGORIES_WEEKLY,
)
from rankings_etl.datasets.rankings_daily.dataset import DATASET as RANKINGS_DAILY
from rankings_etl.datasets.rankings_segments_daily.dataset import DATASET as RANKINGS_SEGMENTS_DAILY
from rankings_etl.datasets.spec import DatasetSpec
from rankings_etl.warehouse.table_spec import TableSpec

DATASETS: tuple[DatasetSpec, ...] = (
    RANKINGS_DAILY,
    RANKINGS_SEGMENTS_DAILY,
    RANKINGS_CATEGORIES_WEEKLY,
    APP_RANKINGS_WEEKLY,
)
#: Tables every dataset writes into.
SHARED_TABLES: tuple[TableSpec, ...] = (RAW_RESPONSES,)

#: Every table of the warehouse by name: each dataset's in lineage order, then the shared ones.
TABLES: dict[str, TableSpec] = {
    spec.name: spec for dataset in DATASETS for spec in dataset.tables
} | {spec.name: spec for spec in SHARED_TABLES}


def table(name: str) -> TableSpec:
    """The spec of the table called ``name`` (KeyError naming it if there is none)."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no table {name!r} in the registry: {', '.join(TABLES)}") from None


def published_tables() -> dict[str, TableSpec]:
    """The tables users query and exports carry, in lineage order."""
    return {name: spec for name, spec in TABLES.items() if spec.published}


def warehouse_tables() -> tuple[str, ...]:
    """Every table the warehouse schema creates."""
    return tuple(TABLES)


def warehouse_specs() -> tuple[TableSpec, ...]:
    """Every table of the warehouse, for ``open_warehouse`` and ``ensure_schema``."""
    return tuple(TABLES.values())


def derived_tables(dataset: str | None = None) -> tuple[TableSpec, ...]:
    """The tables computed by their ``select_<name>.sql`` (of one dataset, or of all), upstream
    first."""
    return tuple(
        spec
        for each in DATASETS
        if dataset is None or each.name == dataset
        for spec in each.tables
        if spec.written_by == "select"
    )


def dated_tables(time_column: str = "date") -> tuple[str, ...]:
    """The tables a run replaces by ``time_column`` range: each dataset's fetched and derived
    tables, in lineage order."""
    return tuple(
        spec.name
        for spec in TABLES.values()
        if spec.written_by in ("fetch", "select") and spec.time_column == time_column
    )
