"""What a warehouse table is, declared once (pure dataclasses, no Dagster).

A :class:`TableSpec` names a table's columns with their descriptions (what the Dagster UI and
the data dictionary show), where its SQL lives (``<sql_package>/sql/create_<name>_table.sql``,
``select_<name>.sql`` for a derived table), who writes it and the checks its writes must pass.
Every list of tables (schema, exports, ``status``, the bench, the tests) is derived from the
registry of these specs in :mod:`rankings_etl.datasets`.
"""

from __future__ import annotations

import dataclasses
from typing import Literal, NamedTuple

from rankings_etl.core.api_facts import RANKINGS_PAGE
from rankings_etl.core.check_outcomes import CheckSpec


class Column(NamedTuple):
    name: str
    type: str
    description: str


@dataclasses.dataclass(frozen=True)
class TableCheck:
    """A check whose SQL returns ``(date, problem)`` rows; none means it passes."""

    spec: CheckSpec
    sql_name: str


@dataclasses.dataclass(frozen=True)
class Dep:
    """A table this one is computed from: each partition reads that table's same partition and,
    with ``earlier_periods``, that many before it (growth reads the 7 days before its day)."""

    table: str
    earlier_periods: int = 0


@dataclasses.dataclass(frozen=True)
class TableSpec:
    name: str
    #: What the table holds and why: the asset's description in the Dagster UI.
    description: str
    columns: tuple[Column, ...]
    #: The package whose ``sql/`` folder holds the table's statements.
    sql_package: str
    #: "fetch": the dataset's fetch asset writes it; "select": its ``select_<name>.sql`` does
    #: (:func:`rankings_etl.warehouse.build.build_table`); "side": written beside another table
    #: in the same transaction (restatements, raw responses).
    written_by: Literal["fetch", "select", "side"]
    #: The column a partition's rows are selected and replaced by; None: not partitioned.
    time_column: str | None = "date"
    checks: tuple[TableCheck, ...] = ()
    #: What a derived table reads, in the order its asset lists them.
    deps: tuple[Dep, ...] = ()
    #: When a derived table refreshes: a key of ``orchestration.automation.CONDITIONS``.
    automation: str = "after_upstream_days"
    #: Exported, in DATA_DICTIONARY.md.
    published: bool = True
    #: The table whose loaded dates a check over this table counts as ``dates_checked``.
    checked_dates_from: str | None = None
    #: The partitions a row belongs to: one per UTC day, or one per ISO week (``time_column``
    #: then holds the week's Monday).
    grain: Literal["day", "week"] = "day"
    #: The openrouter.ai page its figures cite: ``rankings`` or ``apps``.
    citation_page: str = RANKINGS_PAGE

    @property
    def create_sql(self) -> str:
        return f"create_{self.name}_table"

    @property
    def select_sql(self) -> str:
        return f"select_{self.name}"

    @property
    def figures_sql(self) -> str:
        """Its optional per-partition figures query (``orchestration.metadata.day_figures``)."""
        return f"figures_{self.name}"

    def digest_columns(self) -> tuple[str, ...]:
        """Every column but the timestamps: what two loads of the same data agree on."""
        return tuple(column.name for column in self.columns if column.type != "TIMESTAMPTZ")
