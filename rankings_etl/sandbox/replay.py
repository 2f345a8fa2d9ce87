"""Serving real rows instead of synthetic ones: a CSV or a saved JSON response.

CSV needs ``date,model_permaslug,total_tokens`` columns (others are ignored); JSON is a saved
``{"data": [...], "meta": {...}}`` response. Rows are re-ordered by the contract's rules:
tokens descending, ties by permaslug, ``other`` last.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

from rankings_etl.contract import OTHER

REQUIRED = ("date", "model_permaslug", "total_tokens")


class ReplaySource:
    def __init__(self, rows_by_date: dict[dt.date, tuple[tuple[str, int], ...]]):
        self.rows_by_date = rows_by_date

    @classmethod
    def from_file(cls, path: str | Path) -> ReplaySource:
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
            records = json.loads(text)["data"]
        else:
            reader = csv.DictReader(text.splitlines())
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
            records = list(reader)
        grouped: dict[dt.date, list[tuple[str, int]]] = defaultdict(list)
        for number, record in enumerate(records, start=1):
            try:
                day = dt.date.fromisoformat(str(record["date"]))
                tokens = int(str(record["total_tokens"]))
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}: row {number} is not usable ({exc})") from None
            grouped[day].append((str(record["model_permaslug"]), tokens))
        return cls({day: order_day(rows) for day, rows in grouped.items()})

    def day_rows(self, day: dt.date) -> tuple[tuple[str, int], ...]:
        return self.rows_by_date.get(day, ())


def order_day(rows: list[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    ranked = sorted((r for r in rows if r[0] != OTHER), key=lambda r: (-r[1], r[0]))
    return tuple(ranked + [r for r in rows if r[0] == OTHER])
