"""``python -m bench`` (``make bench``): benchmark rankings_etl against the sandbox.

Scenarios, each against a *data floor* (the same work as a plain script) and a *Dagster floor*
(the same asset graph with no-op bodies, run the same way), all measured in this invocation:

1. all history of every partitioned asset in one ``dagster asset materialize`` backfill run,
   with the floor also on *stock* storage (Dagster's own SQLite event log, one commit per event);
2. the daily scheduled run (trailing 3 days + downstream, by range tags) on a loaded warehouse,
   also on stock storage;
3. a single day;
4. the daily run on warehouses holding 1, 2 and 4 years of history;
5. the analytics SQL alone over all history;
6. the UI backfill of all history (``dagster dev``, GraphQL), from launch to success;
7. scenario 1's real run with Dagster's storage in Postgres (skipped without PostgreSQL).

Writes ``bench/results.md`` and ``bench/results.json``. Targets are reported there, never
asserted. Takes 10-15 minutes on a 2-core machine, most of it the stock-storage floor of
scenario 1 (two SQLite commits per partition per asset, ~7,000 commits).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: In run order; the ones after full_history up to analytics_sql start from what it loaded.
SCENARIOS = (
    "full_history",
    "daily",
    "single_day",
    "history_sizes",
    "analytics_sql",
    "ui_backfill",
    "postgres",
)
NEEDS_FULL_HISTORY = {"daily", "single_day", "history_sizes", "analytics_sql"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=4, help="samples per small scenario and size (default 4)"
    )
    parser.add_argument(
        "--start",
        type=dt.date.fromisoformat,
        help="first day of 'full history' (default: the dataset's first day); a later day "
        "makes a quick trial whose numbers are not comparable with the targets",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where results.md/json go (default bench/; with --only, the work directory, so a "
        "partial run does not replace the full results)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    parser.add_argument(
        "--only",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        default=None,
        metavar="NAMES",
        help=f"run only these scenarios ({','.join(SCENARIOS)}); daily, single_day, "
        "history_sizes and analytics_sql need full_history, which is then run first",
    )
    parser.add_argument(
        "--report-only",
        type=Path,
        metavar="RAW_JSON",
        help="rewrite results.md/json from a kept run's raw.json, measuring nothing",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warnings.filterwarnings("ignore")  # Dagster's beta/supersession warnings, in this process
    if args.report_only:
        return write_reports(json.loads(args.report_only.read_text()), args.out or HERE)

    import dagster
    import duckdb
    import pandas

    from bench.mirror import build_floor_definitions, describe, dump_spec, graph_fingerprint
    from bench.scenarios import GENEROUS, Bench
    from rankings_etl.core.api_facts import FIRST_DATE
    from rankings_etl.core.dates import last_completed_day
    from rankings_etl.definitions import defs
    from rankings_etl.sandbox.testing import SandboxServer

    chosen = list(SCENARIOS) if args.only is None else [n for n in SCENARIOS if n in args.only]
    unknown = set(args.only or []) - set(SCENARIOS)
    if unknown:
        print(f"bench: unknown scenario(s) {sorted(unknown)}; known: {SCENARIOS}", file=sys.stderr)
        return 2
    if NEEDS_FULL_HISTORY & set(chosen) and "full_history" not in chosen:
        chosen.insert(0, "full_history")
    started = time.perf_counter()
    load_before = tuple(round(x, 2) for x in os.getloadavg())
    workdir = Path(tempfile.mkdtemp(prefix="rankings-bench-"))
    spec_path = workdir / "floor_spec.pickle"
    spec = dump_spec(defs, spec_path)
    floor_matches = graph_fingerprint(defs) == graph_fingerprint(build_floor_definitions(spec))
    yesterday = last_completed_day()
    results: dict = {
        "meta": {
            "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "yesterday": yesterday.isoformat(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "dagster": dagster.__version__,
            "duckdb": duckdb.__version__,
            "pandas": pandas.__version__,
            "repeat": args.repeat,
            "floor": describe(spec),
            "floor_matches": floor_matches,
            "load_before": load_before,
            "trial_start": args.start.isoformat() if args.start else None,
            "only": args.only,
        },
        "scenarios": {},
    }
    print(f"bench: work directory {workdir}; yesterday is {yesterday}", flush=True)
    if not floor_matches:
        print("bench: WARNING: the floor graph does not match the real graph", flush=True)
    try:
        with SandboxServer(log_path=workdir / "sandbox.log", quiet=True, **GENEROUS) as sandbox:
            bench = Bench(
                sandbox=sandbox,
                workdir=workdir,
                yesterday=yesterday,
                spec_path=spec_path,
                repeat=args.repeat,
                first_date=args.start or FIRST_DATE,
                log=lambda message: print(message, flush=True),
            )
            scenarios = results["scenarios"]
            for name in chosen:
                scenarios[name] = getattr(bench, name)()
            if args.only is None:
                results["imports"] = bench.imports()
    except Exception:
        traceback.print_exc()
        print(f"bench: failed; work directory kept: {workdir}", file=sys.stderr)
        return 1
    results["meta"]["load_after"] = tuple(round(x, 2) for x in os.getloadavg())
    results["meta"]["bench_seconds"] = round(time.perf_counter() - started, 1)
    raw = workdir / "raw.json"
    raw.write_text(json.dumps(results, default=str))
    try:
        out = args.out or (HERE if args.only is None else workdir)
        status = write_reports(json.loads(raw.read_text()), out)
    except Exception:
        traceback.print_exc()
        print(f"bench: report failed; measurements kept in {raw}", file=sys.stderr)
        return 1
    if args.keep or out == workdir:
        print(f"bench: work directory kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return status


def write_reports(results: dict, out: Path) -> int:
    from bench.report import summarize, write_json, write_markdown

    summary = summarize(results)
    out.mkdir(parents=True, exist_ok=True)
    write_json(results, summary, out / "results.json")
    write_markdown(results, summary, out / "results.md")
    for check in summary["targets"]:
        print(f"{'met' if check['met'] else 'NOT MET':>8}  {check['target']}: {check['measured']}")
    print(f"bench: wrote {out / 'results.md'} ({results['meta']['bench_seconds']:.0f} s of runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
