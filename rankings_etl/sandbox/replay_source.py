"""Serving real rows instead of synthetic ones: a CSV export or a saved JSON response.

- CSV with a header holding ``date,model_permaslug,total_tokens`` (other columns are ignored,
  so an export of the ``rankings_daily`` table works as is);
- JSON: a saved response ``{"data": [...], "meta": {...}}``.

Rows are re-ordered by the contract's rules (tokens descending, ties by permaslug, ``other``
last). The dates served are those in the file; the last of them is the "last completed day"
unless ``--today`` says otherwise, so the default window ends on it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from pathlib import Path

from rankings_etl.core.api_facts import OTHER
from rankings_etl.core.dates import parse_iso_date
from rankings_etl.sandbox.history import Rows

REQUIRED_COLUMNS = ("date", "model_permaslug", "total_tokens")


class ReplayError(ValueError):
    """A replay file the sandbox cannot serve; the message names the file and the problem."""


class ReplaySource:
    """Rows by date, read once from a file."""

    def __init__(self, rows_by_date: dict[dt.date, Rows], description: str = "replay"):
        if not rows_by_date:
            raise ReplayError(f"{description}: no rows to serve")
        self.rows_by_date = rows_by_date
        self.description = description

    @classmethod
    def from_file(cls, path: str | Path) -> ReplaySource:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ReplayError(f"{path}: cannot read ({exc})") from None
        if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
            records = _json_records(path, text)
        else:
            records = _csv_records(path, text)
        grouped: dict[dt.date, list[tuple[str, int]]] = defaultdict(list)
        for number, record in enumerate(records, start=1):
            try:
                day = parse_iso_date(str(record["date"]).strip())
                slug = str(record["model_permaslug"])
                tokens = int(str(record["total_tokens"]).strip())
            except (KeyError, TypeError, ValueError) as exc:
                raise ReplayError(f"{path}: row {number} is not usable ({exc})") from None
            grouped[day].append((slug, tokens))
        return cls({day: order_day(rows) for day, rows in grouped.items()}, f"replay of {path}")

    def day_rows(self, day: dt.date) -> Rows:
        return self.rows_by_date.get(day, ())

    def last_day(self) -> dt.date:
        return max(self.rows_by_date)

    def first_day(self) -> dt.date:
        return min(self.rows_by_date)


def _json_records(path: Path, text: str) -> list:
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReplayError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ReplayError(f'{path}: expected a saved response {{"data": [...], "meta": {{...}}}}')
    return body["data"]


def _csv_records(path: Path, text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ReplayError(f"{path}: missing column(s) {', '.join(missing)}")
    return list(reader)


def order_day(rows: list[tuple[str, int]]) -> Rows:
    """The contract's order: tokens descending, ties by permaslug, ``other`` pinned last."""
    ranked = sorted((row for row in rows if row[0] != OTHER), key=lambda row: (-row[1], row[0]))
    return tuple(ranked + [row for row in rows if row[0] == OTHER])
