"""Where a sandbox's rows come from: the synthetic history or a replay file (the protocol)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from rankings_etl.sandbox.faults import revise_rows
from rankings_etl.sandbox.history import Rows


class RowSource(Protocol):
    """A day's rows in API order (top 50 + ``other``); the last day it has, if it ends.

    A source may also have ``tail_weights(day) -> ((slug, weight), ...)``: the models its
    ``other`` row sums (the synthetic history does), so segments can rank them.
    """

    description: str

    def day_rows(self, day: dt.date) -> Rows: ...

    def last_day(self) -> dt.date | None: ...


def rows_for_day(source: RowSource, day: dt.date, factor: float | None = None) -> Rows:
    """The day's rows, scaled by a standing revision ``factor`` if there is one."""
    rows = source.day_rows(day)
    return revise_rows(rows, factor) if factor is not None else rows
