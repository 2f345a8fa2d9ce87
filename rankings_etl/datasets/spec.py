"""What a dataset of the Data API is, declared once (pure, no Dagster).

A dataset is what one fetch asset loads: the requests a window costs, how a body is read, the
contract its rows must keep and how they are stored. Everything Dagster-shaped (partitions,
check specs, metadata, the asset itself) is derived from this in ``orchestration/``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Literal

from rankings_etl.core.api_facts import RANKINGS_PAGE
from rankings_etl.core.check_outcomes import CheckOutcome, CheckSpec
from rankings_etl.core.errors import RankingsResponseError
from rankings_etl.core.windows import Window
from rankings_etl.data_api.request import ApiRequest
from rankings_etl.warehouse.table_spec import TableSpec


@dataclasses.dataclass(frozen=True)
class Stored:
    """What a dataset's ``store`` wrote: its rows, and the outcomes of the checks it ran inside
    the write (those that need the warehouse, e.g. a segment-day against its day's total)."""

    rows_written: int
    outcomes: tuple[CheckOutcome, ...] = ()


class StoreRefused(RankingsResponseError):
    """A check inside the write found an ERROR: the transaction was rolled back, nothing was
    written. The fetch asset reports its outcomes per partition like the contract's."""

    def __init__(self, outcomes: Sequence[CheckOutcome]):
        super().__init__("; ".join(o.summary() for o in outcomes if o.blocks))
        self.outcomes = tuple(outcomes)


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    #: The folder under ``datasets/``, and the name of the asset that fetches it.
    name: str
    #: The endpoint's name in messages, e.g. "rankings-daily".
    endpoint_name: str
    #: The time grain of its partitions: one per UTC day, or one per ISO week (Monday first).
    grain: Literal["day", "week"]
    #: Its assets' group in the Dagster UI: one click on a group backfills that dataset, at
    #: that dataset's cost (the model rankings' ``openrouter``: 2 requests; the apps: ~200).
    group: str
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
    #: A run's parsed responses and window -> one outcome per contract check, each judging
    #: every partition of the window (keyed by its date: the day, or the week's Monday).
    #: Used by the generic fetch asset (``orchestration.fetch_assets``); rankings_daily's own
    #: asset also weighs what is already loaded.
    evaluate: Callable[[Sequence[Any], Window], list[CheckOutcome]] | None = None
    #: Writes a run's checked responses for ``window`` (its table and their raw bodies) in one
    #: transaction, replacing exactly the window: (connection, responses, window, run_id) ->
    #: rows written, or :class:`Stored` with the outcomes of checks run inside the write
    #: (raising :class:`StoreRefused` when one of them fails).
    store: Callable[[Any, Sequence[Any], Window, str], int | Stored] | None = None
    #: The openrouter.ai page its data is cited from (``core.citation``).
    citation_page: str = RANKINGS_PAGE

    def requests_for(self, window: Window) -> int:
        """How many API requests a run over ``window`` costs (retries aside)."""
        return len(self.requests(window))

    @property
    def fetched_table(self) -> TableSpec:
        """The table its fetch asset writes (listed first)."""
        return self.tables[0]
