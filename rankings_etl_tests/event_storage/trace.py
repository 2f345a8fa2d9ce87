"""Reading ``$RANKINGS_EVENT_STORAGE_TRACE``: which process wrote which events, and how.

Every write of the batched storages appends a line: the process (pid, argv), ``op`` (``batch``:
one ``store_event_batch``; ``event``: one event on its own; ``fallback``: what a failed batch
left), the events' types and the transactions used. Tests read it to see that batching is in
effect in a process they did not start themselves (the daemon, a run worker).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

from rankings_etl.event_storage import DEFAULT_BATCH_SIZE
from rankings_etl.settings import TRACE_ENV

PLANNED = "ASSET_MATERIALIZATION_PLANNED"
MATERIALIZED = "ASSET_MATERIALIZATION"

__all__ = ["MATERIALIZED", "PLANNED", "TRACE_ENV", "Writes", "assert_batched", "read_trace"]


class Writes:
    """The trace lines of the processes whose command line contains ``marker``."""

    def __init__(self, lines: list[dict], marker: str):
        self.marker = marker
        self.lines = [line for line in lines if marker in line["argv"]]

    def events(self, op: str, event_type: str) -> int:
        """How many events of ``event_type`` these processes wrote through ``op``."""
        return sum(line["types"].get(event_type, 0) for line in self.lines if line["op"] == op)

    def calls(self, op: str, event_type: str) -> int:
        """How many ``op`` writes carried events of ``event_type``."""
        return sum(1 for line in self.lines if line["op"] == op and event_type in line["types"])

    def __repr__(self) -> str:
        summary = Counter((line["op"], line["argv"][:60]) for line in self.lines)
        return f"Writes({self.marker!r}: {dict(summary)})"


def read_trace(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def assert_batched(writes: Writes, event_type: str, count: int, groups: int = 1) -> None:
    """``count`` events of the type, none on its own, in as few batches as the batch size
    allows for ``groups`` batches of Dagster's (a run's plan; one per asset output)."""
    assert writes.events("batch", event_type) == count, writes
    assert writes.events("event", event_type) == 0, writes
    most = math.ceil(count / DEFAULT_BATCH_SIZE) + groups
    assert writes.calls("batch", event_type) <= most, writes
