"""What a dataset of the Data API is, declared once (pure, no Dagster)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from rankings_etl.core.check_outcomes import CheckSpec
from rankings_etl.core.windows import Window
from rankings_etl.data_api.request import ApiRequest
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
    #: What a run over a window sends, in order (pure): one request per API call.
    requests: Callable[[Window], list[ApiRequest]]
    #: A 200 body (text as received, its request, when it came, the API key to redact) -> the
    #: typed response; raises RankingsResponseError naming the problem.
    parse: Callable[[str, ApiRequest, dt.datetime, str], Any]
    #: The checks of the API's contract, run on a response's rows before anything is written.
    contract_checks: tuple[CheckSpec, ...] = ()

    def requests_for(self, window: Window) -> int:
        """How many API requests a run over ``window`` costs (retries aside)."""
        return len(self.requests(window))
