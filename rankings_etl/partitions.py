"""The one partitions definition every daily asset shares."""

from __future__ import annotations

import dagster as dg

from rankings_etl.core.api_facts import FIRST_DATE

#: One partition per completed UTC day since the dataset begins. ``end_offset=0`` keeps the
#: current (incomplete) day out: OpenRouter only publishes whole days.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=FIRST_DATE.isoformat(), timezone="UTC", end_offset=0
)
