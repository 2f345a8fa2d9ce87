"""The run tags that give a run its partition range (Dagster's names: strings only, no import).

The schedule, ``rankings-etl rebuild``, the bench and the tests all build ranged runs with these.
"""

from __future__ import annotations

import datetime as dt

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
#: Why a run was requested (the schedule writes a few words here).
REASON_TAG = "rankings_etl/reason"


def range_tags(start: dt.date, end: dt.date) -> dict[str, str]:
    """The tags of a run over the partitions ``start..end`` (inclusive)."""
    return {RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()}
