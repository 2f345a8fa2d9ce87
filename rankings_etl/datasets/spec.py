"""What a dataset of the Data API is, declared once (pure, no Dagster)."""

from __future__ import annotations

import dataclasses

from rankings_etl.core.check_outcomes import CheckSpec
from rankings_etl.warehouse.table_spec import TableSpec


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    #: The folder under ``datasets/``, and the name of the asset that fetches it.
    name: str
    #: The endpoint's name in messages, e.g. "rankings-daily".
    endpoint_name: str
    #: The time grain of its partitions: "day".
    grain: str
    #: Its tables: the fetched one first, then the derived ones upstream first, then the side
    #: tables written with them.
    tables: tuple[TableSpec, ...]
    #: The checks of the API's contract, run on a response's rows before anything is written.
    contract_checks: tuple[CheckSpec, ...] = ()
