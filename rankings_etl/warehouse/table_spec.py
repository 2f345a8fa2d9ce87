"""What a warehouse table is, declared once (pure dataclasses, no Dagster)."""

from __future__ import annotations

import dataclasses

from rankings_etl.core.check_outcomes import CheckSpec


@dataclasses.dataclass(frozen=True)
class TableCheck:
    """A check whose SQL returns ``(date, problem)`` rows; none means it passes."""

    spec: CheckSpec
    sql_name: str
