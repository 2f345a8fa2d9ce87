"""The data floor: the same work as a run, as a plain script with no orchestration.

``python -m bench.datafloor --base-url URL --db PATH --start D --end D --json OUT``

Fetches the run's windows with one ``httpx.Client`` (same windows, parameters and headers as
the client resource; no budget ledger, no retries), parses each body with
``rankings_etl.data_api.rankings_body.parse_rankings_body``, evaluates the same contract
checks, writes ``rankings_daily`` with ``rankings_etl.datasets.rankings_daily.load.store_rankings``
(delete-then-insert of the window, restatements, raw bodies, in one transaction), then builds
the four analytics tables with ``rankings_etl.warehouse.build.build_table`` and the same checks
(the registry's), all on one DuckDB connection.
Phase timings go to ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

T0 = time.perf_counter()

import datetime as dt  # noqa: E402

import duckdb  # noqa: E402
import httpx  # noqa: E402

from rankings_etl.core.windows import Window  # noqa: E402
from rankings_etl.data_api.transport import request_headers, request_url  # noqa: E402
from rankings_etl.datasets import derived_tables, warehouse_specs  # noqa: E402
from rankings_etl.datasets.rankings_daily.checks import evaluate_rankings_contract  # noqa: E402
from rankings_etl.datasets.rankings_daily.dataset import DATASET  # noqa: E402
from rankings_etl.datasets.rankings_daily.load import RankingsBatch, store_rankings  # noqa: E402
from rankings_etl.warehouse.build import build_table  # noqa: E402
from rankings_etl.warehouse.schema import ensure_schema  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--start", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--end", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    key = os.environ["OPENROUTER_API_KEY"]
    phases: dict[str, float] = {"imports": time.perf_counter() - T0}
    window = Window(args.start, args.end)

    mark = time.perf_counter()
    bodies = []
    with httpx.Client(headers=request_headers(key), timeout=60) as http:
        for request in DATASET.requests(window):
            response = http.get(request_url(args.base_url, request), params=dict(request.params))
            response.raise_for_status()
            bodies.append((request, response.content, dt.datetime.now(dt.UTC)))
    phases["fetch"] = time.perf_counter() - mark

    mark = time.perf_counter()
    responses = [DATASET.parse(body, request, fetched, None) for request, body, fetched in bodies]
    batch = RankingsBatch.from_responses(responses)
    phases["parse"] = time.perf_counter() - mark

    mark = time.perf_counter()
    outcomes = evaluate_rankings_contract(
        batch.dates, batch.permaslugs, batch.total_tokens, batch.ranks
    )
    if any(o.blocks for o in outcomes):
        raise SystemExit("contract checks failed: " + "; ".join(o.summary() for o in outcomes))
    phases["contract_checks"] = time.perf_counter() - mark

    mark = time.perf_counter()
    rows = {}
    con = duckdb.connect(args.db)
    try:
        ensure_schema(con, warehouse_specs())
        rows["rankings_daily"] = store_rankings(con, batch, window, None).rows_written
        phases["load"] = time.perf_counter() - mark

        mark = time.perf_counter()
        for spec in derived_tables():  # upstream first
            result = build_table(con, spec, window, spec.checks)
            if result.blocked:
                raise SystemExit(f"{spec.name}: checks failed")
            rows[spec.name] = result.rows_written
        phases["analytics"] = time.perf_counter() - mark
    finally:
        con.close()
    phases["total_in_process"] = time.perf_counter() - T0
    with open(args.json, "w") as out:
        json.dump({"phases": phases, "rows_written": rows, "requests": len(bodies)}, out)


if __name__ == "__main__":
    main()
