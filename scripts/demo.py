"""``make demo``: offline, from nothing to a loaded warehouse through Dagster, in one command.

Starts the bundled sandbox, backfills every daily asset over all history in one run with
``dagster asset materialize --partition-range`` (two API requests for the model rankings, two
per exact segment), the weekly datasets over their last few weeks, then shows what landed.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_env import ROOT, point_at, prepare_dagster_home, sandbox  # noqa: E402

from rankings_etl.settings import DEFAULTS, Settings  # noqa: E402

#: How many complete weeks of the weekly datasets the demo loads.
DEMO_WEEKS = 4


def main() -> int:
    # Dagster's beta/supersession warnings are for us, not for someone trying the demo.
    warnings.filterwarnings("ignore")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    prepare_dagster_home()
    port = int(os.getenv("SANDBOX_PORT", "8788"))
    # The demo is offline by definition: a real key in the environment is not used.
    os.environ["OPENROUTER_API_KEY"] = os.environ.get("DEMO_API_KEY", "sk-or-sandbox-demo-key")
    duckdb_path = Path(os.environ.setdefault("RANKINGS_DUCKDB_PATH", DEFAULTS.duckdb_path))
    with sandbox(port, ROOT / "data" / "sandbox.log") as base_url:
        point_at(base_url)
        import httpx

        from rankings_etl.core.api_facts import FIRST_DATE
        from rankings_etl.core.dates import last_completed_day
        from rankings_etl.definitions import defs
        from rankings_etl.orchestration.partitions import daily_partitions, weekly_partitions

        graph = defs.resolve_asset_graph()
        daily = sorted(
            key.to_user_string()
            for key in graph.get_all_asset_keys()
            if graph.get(key).partitions_def == daily_partitions
        )
        weekly = sorted(
            key.to_user_string()
            for key in graph.get_all_asset_keys()
            if graph.get(key).partitions_def == weekly_partitions
        )
        end = last_completed_day()
        command = [
            str(Path(sys.executable).parent / "dagster"),
            "asset",
            "materialize",
            "-m",
            "rankings_etl.definitions",
        ]
        # All of history for the daily datasets (2 requests + 2 per exact segment); the weekly
        # ones over their last DEMO_WEEKS complete weeks (14 + 2 per week): their whole
        # history is ~230 requests, paced by the 30-a-minute budget for about 8 minutes.
        last_week = weekly_partitions.get_last_partition_key()
        first_week = dt.date.fromisoformat(last_week) - dt.timedelta(weeks=DEMO_WEEKS - 1)
        for selection, span in (
            (daily, f"{FIRST_DATE}...{end}"),
            (weekly, f"{first_week}...{last_week}"),
        ):
            print(f"Backfilling {', '.join(selection)} over {span} in one run ...", flush=True)
            completed = subprocess.run(
                [*command, "--select", ",".join(selection), "--partition-range", span],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if completed.returncode != 0:
                print(completed.stdout[-4000:], completed.stderr[-4000:], sep="\n")
                return completed.returncode
        unpartitioned = sorted(
            key.to_user_string()
            for key in defs.resolve_asset_graph().get_all_asset_keys()
            if defs.resolve_asset_graph().get(key).partitions_def is None
        )
        print(f"Publishing {', '.join(unpartitioned)} ...", flush=True)
        completed = subprocess.run(
            [*command, "--select", ",".join(unpartitioned)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            print(completed.stdout[-4000:], completed.stderr[-4000:], sep="\n")
            return completed.returncode
        stats = httpx.get(f"http://127.0.0.1:{port}/_sandbox/stats", timeout=5).json()
    show(duckdb_path.resolve(), stats["total"])
    return 0


def show(duckdb_path: Path, requests: int) -> None:
    import duckdb

    from rankings_etl.core.api_facts import APPS_PAGE
    from rankings_etl.core.citation import citation
    from rankings_etl.core.timestamps import format_as_of

    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        days, rows, latest, as_of = con.execute(
            "SELECT count(DISTINCT date), count(*), max(date), max(as_of) FROM rankings_daily"
        ).fetchone()
        top = con.execute(
            "SELECT rank, model_permaslug, total_tokens FROM rankings_daily "
            "WHERE date = $1 AND rank <= 5 ORDER BY rank",
            [latest],
        ).fetchall()
    print(f"\nWarehouse: {duckdb_path}")
    print(f"{days} days loaded ({rows:,} rows of rankings_daily) with {requests} API request(s).")
    print(f"Top 5 on {latest}:")
    for rank, slug, tokens in top:
        print(f"  {rank}. {slug:<45} {tokens:>20,} tokens")
    print(f"{citation(format_as_of(as_of))} (sandbox data: synthetic)")
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for table, grain in (
            ("rankings_segments_daily", "date"),
            ("rankings_categories_weekly", "week_start"),
            ("app_rankings_weekly", "week_start"),
        ):
            count, periods = con.execute(
                f"SELECT count(*), count(DISTINCT {grain}) FROM {table}"
            ).fetchone()
            print(
                f"{table}: {count:,} rows over {periods} {'days' if grain == 'date' else 'weeks'}"
            )
        tool = con.execute(
            "SELECT model_permaslug FROM rankings_segments_daily WHERE date = $1 "
            "AND segment = 'tool_calling' AND rank = 1",
            [latest],
        ).fetchone()
        app = con.execute(
            "SELECT app_name, week_start, as_of FROM app_rankings_weekly "
            "WHERE sort = 'popular' AND rank = 1 ORDER BY week_start DESC LIMIT 1"
        ).fetchone()
    if tool:
        print(f"Top tool-calling model on {latest}: {tool[0]}")
    if app:
        print(f"Top app in the week of {app[1]}: {app[0]}")
        print(f"{citation(format_as_of(app[2]), APPS_PAGE)} (sandbox data: synthetic)")
    exports = Path(Settings.from_env().export_dir).resolve()
    print(f"Chart and exports (Parquet, CSV, CITATION.txt): {exports}")
    print("Next: `make dev` opens the Dagster UI on http://127.0.0.1:3000")


if __name__ == "__main__":
    raise SystemExit(main())
