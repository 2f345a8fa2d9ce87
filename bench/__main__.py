"""``python -m bench`` (``make bench``): benchmark rankings_etl against the sandbox.

Scenarios, each against a *data floor* (the same work as a plain script) and a *Dagster floor*
(the same asset graph with no-op bodies, run the same way), all measured in this invocation:

1. all history of every partitioned asset in one ``dagster asset materialize`` backfill run;
2. the daily scheduled run (trailing 3 days + downstream, by range tags) on a loaded warehouse;
3. a single day;
4. the daily run on warehouses holding 1, 2 and 4 years of history;
5. the analytics SQL alone over all history.

Writes ``bench/results.md`` and ``bench/results.json``. Targets are reported there, never
asserted. Takes 10-15 minutes on a 2-core machine, most of it scenario 1 (its real run and its
floor each write two SQLite events per partition per asset, ~7,000 commits).
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
    parser.add_argument("--out", type=Path, default=HERE, help="where results.md/json go")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory")
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
        return write_reports(json.loads(args.report_only.read_text()), args.out)

    import dagster
    import duckdb
    import pandas

    from bench.mirror import build_floor_definitions, describe, dump_spec, graph_fingerprint
    from bench.scenarios import GENEROUS, Bench
    from bench.tablechecks import analytics_checks
    from rankings_etl.contract import FIRST_DATE, last_completed_day
    from rankings_etl.definitions import defs
    from rankings_etl.sandbox.testing import SandboxServer

    started = time.perf_counter()
    load_before = tuple(round(x, 2) for x in os.getloadavg())
    workdir = Path(tempfile.mkdtemp(prefix="rankings-bench-"))
    spec_path = workdir / "floor_spec.pickle"
    spec = dump_spec(defs, spec_path)
    floor_matches = graph_fingerprint(defs) == graph_fingerprint(build_floor_definitions(spec))
    checks_path = workdir / "analytics_checks.json"
    checks_path.write_text(json.dumps(analytics_checks()))
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
                checks_path=checks_path,
                repeat=args.repeat,
                first_date=args.start or FIRST_DATE,
                log=lambda message: print(message, flush=True),
            )
            scenarios = results["scenarios"]
            scenarios["full_history"] = bench.full_history()
            scenarios["daily"] = bench.daily()
            scenarios["single_day"] = bench.single_day()
            scenarios["history_sizes"] = bench.history_sizes()
            scenarios["analytics_sql"] = bench.analytics_sql()
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
        status = write_reports(json.loads(raw.read_text()), args.out)
    except Exception:
        traceback.print_exc()
        print(f"bench: report failed; measurements kept in {raw}", file=sys.stderr)
        return 1
    if args.keep:
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
