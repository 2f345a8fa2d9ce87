"""Scenario 5: the analytics SQL alone, over every loaded day, on one connection.

``python -m bench.analytics_sql --db PATH --start D --end D --json OUT``

Runs ``rankings_etl.warehouse.build.build_table`` for the four analytics tables (the registry's
derived tables, upstream first), with the checks their assets run and again without them,
``--repeat`` times. Each build replaces exactly the rows it computes, so repetitions leave the
warehouse as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

import duckdb

from rankings_etl.core.windows import Window
from rankings_etl.datasets import derived_tables, warehouse_specs
from rankings_etl.warehouse.build import build_table
from rankings_etl.warehouse.schema import ensure_schema


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--start", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--end", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--json", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    window = Window(args.start, args.end)

    mark = time.perf_counter()
    con = duckdb.connect(args.db)
    ensure_schema(con, warehouse_specs())
    connect_s = time.perf_counter() - mark
    repetitions = []
    try:
        for _ in range(args.repeat):
            for with_checks in (True, False):
                tables = {}
                for spec in derived_tables():
                    table = spec.name
                    mark = time.perf_counter()
                    result = build_table(con, spec, window, spec.checks if with_checks else ())
                    if result.blocked:
                        raise SystemExit(f"{table}: checks failed")
                    tables[table] = {
                        "seconds": time.perf_counter() - mark,
                        "rows": result.rows_written,
                    }
                repetitions.append(
                    {
                        "with_checks": with_checks,
                        "tables": tables,
                        "total_s": sum(t["seconds"] for t in tables.values()),
                    }
                )
    finally:
        con.close()
    with open(args.json, "w") as out:
        json.dump({"connect_and_schema_s": connect_s, "repetitions": repetitions}, out)


if __name__ == "__main__":
    main()
