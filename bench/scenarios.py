"""The scenarios, each measured against its data floor and its Dagster floor.

Every measured run is a child process (see :mod:`bench.measure`) with its own temporary
``DAGSTER_HOME`` (the repository's ``dagster.yaml`` copied in, so the batched event storage;
"stock storage" runs get the same file without it), warehouse and budget ledger, pointed at one
sandbox on loopback. Real runs load ``rankings_etl.definitions``; floor runs load
:mod:`bench.floor_defs` (the same graph, no-op bodies) through the same CLI command.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from bench import longer_history
from bench.measure import ROOT, Measured, copy_tree, prepare_dagster_home, run_measured
from bench.profiles import our_functions, summarize
from bench.runs import latest_run
from bench.ui_backfill import run_ui_backfill
from rankings_etl.core.api_facts import FIRST_DATE
from rankings_etl.core.run_tags import range_tags
from rankings_etl.datasets import table
from rankings_etl.sandbox.testing import SandboxHandle
from rankings_etl.settings import Settings

REAL_MODULE = "rankings_etl.definitions"
FLOOR_MODULE = "bench.floor_defs"
DAILY_JOB = "daily_rankings_job"
API_KEY = "sk-or-bench-0123456789abcdef"
#: The budget ledger and the sandbox allow far more than the benchmark sends, so no run ever
#: waits on a rate window (the ledger's bookkeeping is the same whatever the limits).
GENEROUS = {"per_minute": 10_000, "per_day": 1_000_000}
#: What "rows written" counts: every table a daily run replaces, over the run's window.
WRITTEN_TABLES = longer_history.DATED_TABLES
#: Columns that must agree between a real run and the data floor (timestamps differ).
DIGEST_COLUMNS = {name: ", ".join(table(name).digest_columns()) for name in WRITTEN_TABLES}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclasses.dataclass
class Bench:
    sandbox: SandboxHandle
    workdir: Path
    yesterday: dt.date
    spec_path: Path
    repeat: int = 4
    log: Callable[[str], None] = print
    first_date: dt.date = FIRST_DATE
    #: Set by full_history(): the loaded instances and warehouse later scenarios start from.
    loaded: dict[str, Path] = dataclasses.field(default_factory=dict)
    history_warehouses: dict[int, Path] = dataclasses.field(default_factory=dict)
    _t0: float = dataclasses.field(default_factory=time.perf_counter)

    # --- plumbing ------------------------------------------------------------------------
    @property
    def python(self) -> str:
        return sys.executable

    @property
    def dagster(self) -> str:
        return str(Path(sys.executable).parent / "dagster")

    def say(self, message: str) -> None:
        self.log(f"[{time.perf_counter() - self._t0:6.0f}s] {message}")

    def env(self, home: Path | None, db: Path, ledger: Path) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("OPENROUTER_", "RANKINGS_", "DAGSTER_", "BENCH_"))
        }
        env.update(
            Settings(
                base_url=self.sandbox.base_url,
                rate_per_minute=GENEROUS["per_minute"],
                rate_per_day=GENEROUS["per_day"],
                duckdb_path=str(db),
                budget_db=str(ledger),
                export_dir=str(self.workdir / "exports"),
            ).environment(),
            OPENROUTER_API_KEY=API_KEY,
            BENCH_FLOOR_SPEC=str(self.spec_path),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        if home is not None:
            env["DAGSTER_HOME"] = str(home)
        return env

    def partitioned_selection(self) -> str:
        from bench.mirror import describe, load_spec

        return ",".join(describe(load_spec(self.spec_path))["partitioned_assets"])

    # --- one measured run ----------------------------------------------------------------
    def dagster_run(
        self,
        label: str,
        directory: Path,
        args: list[str],
        *,
        home: Path,
        db: Path,
        window: tuple[dt.date, dt.date],
        profile: bool = False,
        sample: bool = False,
    ) -> dict[str, Any]:
        """Run ``dagster <args>`` in ``home`` against ``db``; measure it and read its run.

        ``profile``: under cProfile (a separate, slower run: not a timing sample).
        ``sample``: with :mod:`bench.sampler` riding along (a timing sample all the same).
        """
        directory.mkdir(parents=True, exist_ok=True)
        argv = [self.dagster, *args]
        prof = directory / "run.prof"
        samples = directory / "samples.json"
        if profile:
            argv = [self.python, "-m", "cProfile", "-o", str(prof), *argv]
        elif sample:
            argv = [self.python, "-m", "bench.sampler", "--out", str(samples), *argv]
        self.sandbox.reset()
        measured = run_measured(
            label,
            argv,
            env=self.env(home, db, self.workdir / "budget.sqlite"),
            log_path=directory / "run.log",
        )
        record = self._record(measured, window, db)
        record["dagster"] = latest_run(home, measured.started_at, measured.ended_at)
        if record["dagster"]["status"] != "SUCCESS":
            raise RuntimeError(f"{label}: run {record['dagster']['status']}\n{measured.tail()}")
        if profile:
            record["profile"] = summarize(prof)
            record["profile"]["ours"] = our_functions(prof)
        if sample:
            record["samples"] = json.loads(samples.read_text())
        self.say(
            f"{label}: {measured.wall_s:.1f}s wall, {measured.cpu_s:.1f}s cpu, "
            f"{measured.peak_rss_mb:.0f} MB, {record['requests']} request(s)"
        )
        return record

    def data_floor(
        self, label: str, directory: Path, db: Path, window: tuple[dt.date, dt.date]
    ) -> dict[str, Any]:
        directory.mkdir(parents=True, exist_ok=True)
        out = directory / "phases.json"
        self.sandbox.reset()
        measured = run_measured(
            label,
            [
                self.python,
                "-m",
                "bench.datafloor",
                "--base-url",
                self.sandbox.base_url,
                "--db",
                str(db),
                "--start",
                window[0].isoformat(),
                "--end",
                window[1].isoformat(),
                "--json",
                str(out),
            ],
            env=self.env(None, db, self.workdir / "unused-ledger.sqlite"),
            log_path=directory / "run.log",
        )
        record = self._record(measured, window, db)
        record["phases"] = {
            k: round(v, 3) for k, v in json.loads(out.read_text())["phases"].items()
        }
        self.say(f"{label}: {measured.wall_s:.1f}s wall, {measured.peak_rss_mb:.0f} MB")
        return record

    def _record(
        self, measured: Measured, window: tuple[dt.date, dt.date], db: Path
    ) -> dict[str, Any]:
        record = measured.as_dict()
        record["requests"] = self.sandbox.request_count()
        record["window"] = [window[0].isoformat(), window[1].isoformat()]
        record["rows_written"] = rows_in(db, window) if db.exists() else {}
        record["rows_written_total"] = sum(record["rows_written"].values())
        return record

    def materialize_args(self, module: str, window: tuple[dt.date, dt.date]) -> list[str]:
        args = ["asset", "materialize", "-m", module, "--select", self.partitioned_selection()]
        if window[0] == window[1]:
            return [*args, "--partition", window[0].isoformat()]
        return [*args, "--partition-range", f"{window[0]}...{window[1]}"]

    def daily_job_args(self, module: str, window: tuple[dt.date, dt.date]) -> list[str]:
        tags = range_tags(*window)
        return ["job", "execute", "-m", module, "-j", DAILY_JOB, "--tags", json.dumps(tags)]

    # --- scenarios -----------------------------------------------------------------------
    def full_history(self) -> dict[str, Any]:
        """(1) Every partitioned asset over all history in one CLI backfill run."""
        window = (self.first_date, self.yesterday)
        base = self.workdir / "s1"
        self.say(f"full history {window[0]}...{window[1]}: real run, then its Dagster floor")
        real = self.dagster_run(
            "full history: real",
            base / "real",
            self.materialize_args(REAL_MODULE, window),
            home=prepare_dagster_home(base / "real" / "home"),
            db=base / "real" / "warehouse.duckdb",
            window=window,
        )
        floor = self.dagster_run(
            "full history: Dagster floor",
            base / "floor",
            self.materialize_args(FLOOR_MODULE, window),
            home=prepare_dagster_home(base / "floor" / "home"),
            db=base / "floor" / "warehouse.duckdb",
            window=window,
        )
        stock_floor = self.dagster_run(
            "full history: Dagster floor on stock storage",
            base / "stock_floor",
            self.materialize_args(FLOOR_MODULE, window),
            home=prepare_dagster_home(base / "stock_floor" / "home", stock=True),
            db=base / "stock_floor" / "warehouse.duckdb",
            window=window,
        )
        data = self.data_floor(
            "full history: data floor", base / "data", base / "data" / "warehouse.duckdb", window
        )
        # Where the time goes: the same two runs again with the wall-clock sampler riding
        # along. Not timing samples: the sampler's own cost would bias the ratios above.
        sampled = {
            kind: self.dagster_run(
                f"full history: {kind}, sampled",
                base / f"{kind}_sampled",
                self.materialize_args(module, window),
                home=prepare_dagster_home(base / f"{kind}_sampled" / "home"),
                db=base / f"{kind}_sampled" / "warehouse.duckdb",
                window=window,
                sample=True,
            )
            for kind, module in (("real", REAL_MODULE), ("floor", FLOOR_MODULE))
        }
        result = {
            "window": real["window"],
            "days": (window[1] - window[0]).days + 1,
            "real": [real],
            "floor": [floor],
            "stock_floor": [stock_floor],
            "data_floor": [data],
            "sampled": sampled,
            "same_rows_as_data_floor": digest(base / "real" / "warehouse.duckdb", window)
            == digest(base / "data" / "warehouse.duckdb", window),
        }
        self.loaded = {
            "real_home": base / "real" / "home",
            "floor_home": base / "floor" / "home",
            "stock_home": base / "stock_floor" / "home",
            "warehouse": base / "real" / "warehouse.duckdb",
        }
        return result

    def _repeated(
        self,
        name: str,
        window: tuple[dt.date, dt.date],
        args: Callable[[str, tuple[dt.date, dt.date]], list[str]],
        profile: bool,
        kinds: tuple[str, ...] = ("real", "floor"),
    ) -> dict[str, Any]:
        """Runs of each kind on copies of the loaded instances and warehouse, interleaved.

        Kinds: ``real`` (the project on the batched storage), ``floor`` (the no-op graph on it),
        ``stock`` (the project on stock storage: the instance the stock floor left).
        """
        base = self.workdir / name.replace(" ", "_")
        result: dict[str, Any] = {"window": [d.isoformat() for d in window], "data_floor": []}
        labels = {"real": "real", "floor": "Dagster floor", "stock": "real on stock storage"}
        for kind in kinds:
            result[kind] = []
        for rep in range(self.repeat):
            order = kinds[rep % len(kinds) :] + kinds[: rep % len(kinds)]
            for kind in order:
                directory = base / f"{kind}-{rep}"
                home = copy_tree(self.loaded[f"{kind}_home"], directory / "home")
                db = directory / "warehouse.duckdb"
                if kind != "floor":
                    copy_file(self.loaded["warehouse"], db)
                module = FLOOR_MODULE if kind == "floor" else REAL_MODULE
                label = f"{name}: {labels[kind]} #{rep + 1}"
                record = self.dagster_run(
                    label, directory, args(module, window), home=home, db=db, window=window
                )
                result[kind].append(record)
            directory = base / f"data-{rep}"
            db = copy_file(self.loaded["warehouse"], directory / "warehouse.duckdb")
            result["data_floor"].append(
                self.data_floor(f"{name}: data floor #{rep + 1}", directory, db, window)
            )
        result["same_rows_as_data_floor"] = digest(
            base / "real-0" / "warehouse.duckdb", window
        ) == digest(base / "data-0" / "warehouse.duckdb", window)
        if profile:
            directory = base / "profiled"
            db = copy_file(self.loaded["warehouse"], directory / "warehouse.duckdb")
            result["profile"] = self.dagster_run(
                f"{name}: real, profiled",
                directory,
                args(REAL_MODULE, window),
                home=copy_tree(self.loaded["real_home"], directory / "home"),
                db=db,
                window=window,
                profile=True,
            )
        return result

    def daily(self) -> dict[str, Any]:
        """(2) The scheduled run: the daily job over yesterday-2..yesterday, by range tags."""
        window = (self.yesterday - dt.timedelta(days=2), self.yesterday)
        return self._repeated(
            "daily run", window, self.daily_job_args, profile=True, kinds=("real", "floor", "stock")
        )

    def single_day(self) -> dict[str, Any]:
        """(3) One partition (yesterday) of every partitioned asset, from the CLI."""
        window = (self.yesterday, self.yesterday)
        return self._repeated("single day", window, self.materialize_args, profile=False)

    def history_sizes(self, years: tuple[int, ...] = (1, 2, 4)) -> dict[str, Any]:
        """(4) The daily run on warehouses holding 1, 2 and 4 years (see bench.longer_history)."""
        window = (self.yesterday - dt.timedelta(days=2), self.yesterday)
        base = self.workdir / "s4"
        sizes = {}
        warehouses = {}
        for n in years:
            db = copy_file(self.loaded["warehouse"], base / f"{n}y" / "warehouse.duckdb")
            days = longer_history.years_to_days(self.yesterday, n)
            sizes[n] = {"warehouse": longer_history.synthesize_history(db, self.yesterday, days)}
            sizes[n].update(real=[], data_floor=[])
            warehouses[n] = db
        ready = {n: size["warehouse"]["rankings_daily"] for n, size in sizes.items()}
        self.say(f"history sizes: warehouses ready (rankings_daily rows by years: {ready})")
        for rep in range(self.repeat):
            for n in years if rep % 2 == 0 else tuple(reversed(years)):
                directory = base / f"{n}y" / f"real-{rep}"
                home = copy_tree(self.loaded["real_home"], directory / "home")
                db = copy_file(warehouses[n], directory / "warehouse.duckdb")
                sizes[n]["real"].append(
                    self.dagster_run(
                        f"{n} year(s) of history: daily run #{rep + 1}",
                        directory,
                        self.daily_job_args(REAL_MODULE, window),
                        home=home,
                        db=db,
                        window=window,
                    )
                )
        for n in years:
            directory = base / f"{n}y" / "data"
            db = copy_file(warehouses[n], directory / "warehouse.duckdb")
            sizes[n]["data_floor"].append(
                self.data_floor(f"{n} year(s) of history: data floor", directory, db, window)
            )
        self.history_warehouses = warehouses
        return {"window": [d.isoformat() for d in window], "sizes": sizes}

    def ui_backfill(self) -> dict[str, Any]:
        """(6) All history from the UI: ``dagster dev``, GraphQL backfill, launch to success."""
        base = self.workdir / "s6"
        home = prepare_dagster_home(base / "home")
        env = self.env(home, base / "warehouse.duckdb", base / "budget.sqlite")
        self.sandbox.reset()
        record = run_ui_backfill(home, env, base / "dagster_dev.log")
        record["requests"] = self.sandbox.request_count()
        self.say(
            f"UI backfill: {record['wall_s']:.1f}s launch to success "
            f"({json.dumps(record['phases'])}), {record['requests']} request(s)"
        )
        return record

    def postgres(self) -> dict[str, Any]:
        """(7) Scenario 1's real run with Dagster's storage in Postgres (durable commits)."""
        from rankings_etl_tests.postgres import PostgresUnavailable, start_postgres

        try:
            server = start_postgres(durable=True)
        except PostgresUnavailable as exc:
            self.say(f"Postgres scenario skipped: {exc}")
            return {"skipped": str(exc)}
        window = (self.first_date, self.yesterday)
        base = self.workdir / "s7"
        try:
            storage = {"postgres": {"postgres_url": server.new_database()}}
            real = self.dagster_run(
                "full history on Postgres storage: real",
                base / "real",
                self.materialize_args(REAL_MODULE, window),
                home=prepare_dagster_home(base / "real" / "home", storage=storage),
                db=base / "real" / "warehouse.duckdb",
                window=window,
            )
        finally:
            server.stop()
        return {"window": real["window"], "real": [real]}

    def analytics_sql(self) -> dict[str, Any]:
        """(5) The four analytics builds alone over all history, on one connection."""
        result = {}
        targets = {"all history": (self.loaded["warehouse"], self.first_date)}
        if self.history_warehouses:
            n = max(self.history_warehouses)
            first = self.yesterday - dt.timedelta(
                days=longer_history.years_to_days(self.yesterday, n) - 1
            )
            targets[f"{n} years (synthetic)"] = (self.history_warehouses[n], first)
        for name, (source, first) in targets.items():
            directory = self.workdir / "s5" / name.split()[0]
            db = copy_file(source, directory / "warehouse.duckdb")
            out = directory / "sql.json"
            measured = run_measured(
                f"analytics SQL, {name}",
                [
                    self.python,
                    "-m",
                    "bench.analytics_sql",
                    "--db",
                    str(db),
                    "--start",
                    first.isoformat(),
                    "--end",
                    self.yesterday.isoformat(),
                    "--json",
                    str(out),
                    "--repeat",
                    str(self.repeat),
                ],
                env=self.env(None, db, self.workdir / "unused-ledger.sqlite"),
                log_path=directory / "run.log",
            )
            record = measured.as_dict()
            record.update(json.loads(out.read_text()))
            record["window"] = [first.isoformat(), self.yesterday.isoformat()]
            record["days"] = (self.yesterday - first).days + 1
            result[name] = record
            best = median([r["total_s"] for r in record["repetitions"] if r["with_checks"]])
            self.say(f"analytics SQL over {name}: {best:.2f}s (median, with checks)")
        return result

    def imports(self) -> dict[str, Any]:
        """What loading the code location costs before any run starts."""
        result: dict[str, Any] = {}
        statements = {
            "load bench.floor_defs (the floor's code location)": "import bench.floor_defs",
            "load rankings_etl.definitions": "import rankings_etl.definitions",
        }
        env = self.env(None, self.workdir / "unused.duckdb", self.workdir / "unused.sqlite")
        env["PYTHONWARNINGS"] = "ignore"
        for label, statement in statements.items():
            runs = [
                run_measured(
                    label,
                    [self.python, "-c", statement],
                    env=env,
                    log_path=self.workdir / "imports" / f"{abs(hash(label))}-{i}.log",
                )
                for i in range(self.repeat)
            ]
            result[label] = {
                "wall_s": round(median([r.wall_s for r in runs]), 3),
                "peak_rss_mb": round(median([r.peak_rss_mb for r in runs]), 1),
            }
        log = self.workdir / "imports" / "importtime.log"
        run_measured(
            "importtime",
            [self.python, "-X", "importtime", "-c", "import rankings_etl.definitions"],
            env=env,
            log_path=log,
        )
        result["importtime_cumulative_s"] = importtime_breakdown(log)
        self.say(f"imports: {json.dumps({k: v for k, v in result.items() if 'wall_s' in v})}")
        return result


def copy_file(source: Path, target: Path) -> Path:
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    return target


def rows_in(db: Path, window: tuple[dt.date, dt.date]) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        present = {
            row[0]
            for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        return {
            table: int(
                con.execute(
                    f"SELECT count(*) FROM {table} WHERE date BETWEEN $1 AND $2", list(window)
                ).fetchone()[0]
            )
            for table in WRITTEN_TABLES
            if table in present
        }


def digest(db: Path, window: tuple[dt.date, dt.date]) -> dict[str, list[int]]:
    """Row count and an order-independent hash of each table's values over ``window``."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            table: [
                int(value)
                for value in con.execute(
                    f"SELECT count(*), coalesce(sum(hash({columns})), 0) FROM {table} "
                    "WHERE date BETWEEN $1 AND $2",
                    list(window),
                ).fetchone()
            ]
            for table, columns in DIGEST_COLUMNS.items()
        }


#: Top-level modules worth naming in the import breakdown.
IMPORT_MODULES = (
    "dagster",
    "dagster_duckdb",
    "pandas",
    "matplotlib.pyplot",
    "httpx",
    "duckdb",
    "tenacity",
    "rankings_etl.publishing.chart",
    "rankings_etl.orchestration.table_assets",
    "rankings_etl.datasets.rankings_daily.assets",
    "rankings_etl.publishing.assets",
    "rankings_etl.definitions",
)


def importtime_breakdown(log: Path) -> dict[str, float]:
    """Cumulative import time of notable modules, from ``python -X importtime``'s report."""
    found: dict[str, float] = {}
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        name = name.strip()
        if name in IMPORT_MODULES and name not in found:
            try:
                found[name] = round(int(cumulative) / 1e6, 3)
            except ValueError:
                continue
    return found
