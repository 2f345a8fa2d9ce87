"""Crashes and failing writes: a partition is always either wholly old or wholly new.

- SIGKILL of a real ``dagster asset materialize --partition-range`` process inside its DuckDB
  write transaction (landed deterministically by a test hook), then the documented recovery
  and a re-run that completes the range.
- SIGKILL at whatever moment the process is seen holding the warehouse open (no hook).
- A process killed *during* COMMIT: its write-ahead log torn at every stage.
- The disk filling up (a file-size limit) half-way through the write.
- The DuckDB file locked by another process: healed by DuckDBResource's reconnect backoff when
  the lock goes away, refused with a clear error when it does not.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import dagster_duckdb.resource
import pytest
from dagster._utils.backoff import backoff
from dagster_duckdb import DuckDBResource

from rankings_etl.core.windows import Window
from rankings_etl.datasets import warehouse_specs
from rankings_etl.datasets.rankings_daily.assets import rankings_daily
from rankings_etl.datasets.rankings_daily.dataset import fetch_window
from rankings_etl.datasets.rankings_daily.load import RankingsBatch, store_rankings
from rankings_etl.orchestration.naming import OPENROUTER_POOL
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.warehouse.connection import open_warehouse
from rankings_etl_tests.environment import project_env
from rankings_etl_tests.integration.conftest import TEST_KEY
from rankings_etl_tests.integration.helpers import materialize_range

from .support import (
    LATER_AS_OF,
    ROOT,
    connect_read_only,
    days,
    duplicated_rows,
    init_dagster_home,
    materialize_command,
    open_files,
    rankings_content,
    rows_per_date,
    run_process,
    start_process,
    warehouse_digest,
)

#: What the warehouse holds before each test (under AS_OF).
LOADED = ("2025-01-01", "2025-02-28")
#: The range the killed runs write (under LATER_AS_OF): LOADED's days and as many new ones.
RANGE = ("2025-01-01", "2025-04-30")
#: A large range (365 partitions, one request window) where the write transaction matters.
YEAR = ("2025-01-01", "2025-12-31")

#: Installed in the killed process only (PYTHONPATH): once the write transaction has replaced
#: rankings_daily's rows, and before it writes raw_responses and commits, it says so in a file
#: and waits to be killed.
PAUSE_HOOK = """
import os

_marker = os.environ.get("RELIABILITY_PAUSE_MARKER")
if _marker:
    import time

    import rankings_etl.warehouse.writes as _writes

    _replace = _writes.replace_date_range

    def replace_date_range(con, table, rows, start, end):
        inserted = _replace(con, table, rows, start, end)
        if table == "rankings_daily":
            # Autocommit gives every statement a new transaction id; BEGIN ... COMMIT does not.
            ids = [con.execute("SELECT current_transaction_id()").fetchone()[0] for _ in "ab"]
            in_transaction = ids[0] == ids[1]
            with open(_marker + ".tmp", "w") as out:
                out.write(f"{os.getpid()} {inserted} {in_transaction}")
            os.replace(_marker + ".tmp", _marker)
            time.sleep(600)
        return inserted

    _writes.replace_date_range = replace_date_range
"""


def load_directly(base_url: str, database: Path, start: str, end: str) -> None:
    """Load a window through the project's own write path, without Dagster (fast set-up)."""
    window = Window(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    client = OpenRouterClient(api_key=TEST_KEY, base_url=base_url)
    batch = RankingsBatch.from_responses([fetch_window(client, window)])
    with open_warehouse(DuckDBResource(database=str(database)), warehouse_specs()) as con:
        store_rankings(con, batch, window, run_id="set-up")


@pytest.fixture
def project(tmp_path, pinned_sandbox, dagster_home):
    """A DAGSTER_HOME with the project's dagster.yaml, the environment of its processes, and a
    warehouse holding LOADED under AS_OF; the sandbox then serves LATER_AS_OF."""
    env = project_env(tmp_path, pinned_sandbox.base_url, TEST_KEY, dagster_home)
    init_dagster_home(env["DAGSTER_HOME"])
    database = Path(env["RANKINGS_DUCKDB_PATH"])
    load_directly(pinned_sandbox.base_url, database, *LOADED)
    pinned_sandbox.configure(as_of=LATER_AS_OF)
    pinned_sandbox.reset()
    return env, database


def assert_whole_days(database: Path, old_digest: dict, written=RANGE) -> str:
    """Every date holds 0 or 51 rows, and the warehouse is exactly as it was (``old``) or holds
    all of ``written`` under LATER_AS_OF (``new``). Returns which one it is."""
    counts = rows_per_date(database)
    assert set(counts.values()) <= {51}, {d: n for d, n in counts.items() if n != 51}
    assert duplicated_rows(database) == 0
    if warehouse_digest(database) == old_digest:
        return "old"
    assert set(counts) == set(days(*LOADED)) | set(days(*written))
    content = rankings_content(database)
    assert {as_of for *_, as_of in content} == {dt.datetime.fromisoformat(LATER_AS_OF)}
    return "new"


def started_runs(home: str) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(home) as instance:
        return [run for run in instance.get_runs() if run.status == dg.DagsterRunStatus.STARTED]


def pool_claims(home: str) -> list[str]:
    with dg.DagsterInstance.from_config(home) as instance:
        info = instance.event_log_storage.get_concurrency_info(OPENROUTER_POOL)
        return [slot.run_id for slot in info.claimed_slots]


def recover_dead_run(home: str, run: dg.DagsterRun) -> None:
    """The runbook for a run whose process died (docs/RELIABILITY.md): mark it failed and give
    back its pool slots; the daemon's run monitoring does both once dagster.yaml enables it."""
    with dg.DagsterInstance.from_config(home) as instance:
        instance.report_run_failed(run, "run worker was killed (SIGKILL); see RELIABILITY.md")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)


def test_the_instance_fails_runs_whose_worker_died_and_frees_their_pool_slots(tmp_path):
    """What the daemon needs to recover a killed run by itself (checked on dagster.yaml)."""
    home = init_dagster_home(tmp_path / "dagster_home")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.run_retries_enabled  # "a crashed run worker is retried once"...
        assert instance.run_monitoring_enabled  # ...which needs the crash to be noticed
        # A dead worker cannot be health-checked under the default run launcher: a run still
        # STARTED after this long is failed; a full-history backfill takes about 2 minutes.
        assert 600 <= instance.run_monitoring_max_runtime_seconds <= 6 * 3600
        assert instance.run_monitoring_settings.get("free_slots_after_run_end_seconds")


def test_sigkill_inside_the_write_transaction_leaves_whole_days_and_a_rerun_completes_them(
    project, tmp_path
):
    env, database = project
    old = warehouse_digest(database)
    assert rows_per_date(database) == {d: 51 for d in days(*LOADED)}
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(PAUSE_HOOK))
    marker = tmp_path / "in_transaction"
    killed_env = {
        **env,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), env.get("PYTHONPATH")])),
        "RELIABILITY_PAUSE_MARKER": str(marker),
    }
    command = materialize_command("rankings_daily", *RANGE)
    process = start_process(command, killed_env, tmp_path, tmp_path / "killed.log")
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, (tmp_path / "killed.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the run never reached its write transaction"
            time.sleep(0.05)
        pid, inserted, in_transaction = marker.read_text().split()
        # Inside the transaction: the old rows are deleted and 365 days inserted, uncommitted,
        # by a write transaction of this very process, which holds the warehouse open.
        assert (int(pid), int(inserted), in_transaction) == (process.pid, 120 * 51, "True")
        assert str(database) in open_files(process.pid)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    # The crash lost the uncommitted write, nothing else; DuckDB opens the file cleanly.
    assert assert_whole_days(database, old) == "old"

    # The dead run still holds the openrouter_api pool slot (default_limit 1): until it is
    # released, every later rankings_daily step in this instance would wait forever.
    [dead] = started_runs(env["DAGSTER_HOME"])
    assert pool_claims(env["DAGSTER_HOME"]) == [dead.run_id]
    recover_dead_run(env["DAGSTER_HOME"], dead)
    assert pool_claims(env["DAGSTER_HOME"]) == []

    rerun = run_process(command, env, tmp_path, timeout=240)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert assert_whole_days(database, old) == "new"
    assert rows_per_date(database) == {d: 51 for d in days(*RANGE)}
    with connect_read_only(database) as con:
        assert con.execute("SELECT count(*) FROM raw_responses").fetchone() == (2,)
        assert con.execute("SELECT count(*) FROM rankings_restatements").fetchone() == (0,)


def test_sigkill_whenever_the_warehouse_is_open_leaves_whole_days(project, tmp_path, capsys):
    """No hook: kill the moment the process is seen holding the DuckDB file (its write phase)."""
    env, database = project
    old = warehouse_digest(database)
    process = start_process(
        materialize_command("rankings_daily", *YEAR), env, tmp_path, tmp_path / "run.log"
    )
    seen_open = None
    try:
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if str(database) in open_files(process.pid):
                seen_open = time.monotonic()
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert seen_open is not None, "the process never opened the warehouse"
    assert process.returncode == -signal.SIGKILL
    landed = assert_whole_days(database, old, written=YEAR)
    if landed == "old":  # "wrote ..." is logged right after COMMIT, so not before it
        assert "wrote 18,615 rows" not in (tmp_path / "run.log").read_text()
    with capsys.disabled():
        print(f"\n  SIGKILL while the warehouse was open: the warehouse holds the {landed} data")


TORN_WAL_SCRIPT = """
import datetime as dt, os, signal, sys
from dagster_duckdb import DuckDBResource
from rankings_etl.datasets import warehouse_specs
from rankings_etl.datasets.rankings_daily.dataset import fetch_window
from rankings_etl.datasets.rankings_daily.load import RankingsBatch, store_rankings
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.core.windows import Window
from rankings_etl.warehouse.connection import open_warehouse

base_url, key, database, start, end = sys.argv[1:]
window = Window(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
batch = RankingsBatch.from_responses(
    [fetch_window(OpenRouterClient(api_key=key, base_url=base_url), window)]
)
with open_warehouse(DuckDBResource(database=database), warehouse_specs()) as con:
    store_rankings(con, batch, window, run_id="torn")
    # Committed to the write-ahead log, not yet checkpointed into the file: die here.
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_commit_torn_at_any_byte_of_the_wal_is_all_or_nothing(project, tmp_path):
    """A kill during COMMIT leaves a partly written WAL; replay must drop it whole."""
    _, database = project
    old = warehouse_digest(database)
    completed = subprocess.run(
        [sys.executable, "-c", TORN_WAL_SCRIPT, project[0]["OPENROUTER_BASE_URL"], TEST_KEY]
        + [str(database), *YEAR],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == -signal.SIGKILL, completed.stderr[-2000:]
    wal = Path(f"{database}.wal")
    body = wal.read_bytes()
    assert len(body) > 1_000_000  # the year's rows and its 1.7 MB response body

    outcomes = []
    for fraction in (0.0, 0.001, 0.25, 0.5, 0.75, 0.99, 0.9999, 1.0):
        copy = tmp_path / f"torn-{fraction}" / "rankings.duckdb"
        copy.parent.mkdir()
        copy.write_bytes(database.read_bytes())
        Path(f"{copy}.wal").write_bytes(body[: int(len(body) * fraction)])
        outcomes.append(assert_whole_days(copy, old, written=YEAR))
    assert outcomes == ["old"] * 7 + ["new"]


DISK_FULL_SCRIPT = """
import json, os, resource, sys
import dagster as dg
from rankings_etl.datasets.rankings_daily.assets import rankings_daily
from rankings_etl.definitions import resources

start, end, headroom = sys.argv[1], sys.argv[2], int(sys.argv[3])
database = os.environ["RANKINGS_DUCKDB_PATH"]
# No file of this process may grow beyond the warehouse's size plus `headroom` bytes: the write
# fails half-way, as on a full disk (Python ignores SIGXFSZ, so write() fails with EFBIG).
limit = os.path.getsize(database) + headroom
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
result = dg.materialize(
    [rankings_daily],
    resources=resources,
    instance=dg.DagsterInstance.ephemeral(),
    tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
    raise_on_error=False,
)
failures = [
    e.event_specific_data.error.to_string()
    for e in result.all_events
    if e.event_type_value == "STEP_FAILURE"
]
print(json.dumps({"success": result.success, "failures": failures}))
"""


def run_with_file_size_limit(env, tmp_path, headroom: int) -> dict:
    completed = run_process(
        [sys.executable, "-c", DISK_FULL_SCRIPT, *RANGE, str(headroom)], env, tmp_path, 180
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_a_disk_that_fills_up_half_way_through_the_write_changes_nothing(
    project, tmp_path, instance
):
    env, database = project
    old = warehouse_digest(database)

    full = run_with_file_size_limit(env, tmp_path, headroom=256 * 1024)

    assert not full["success"]
    [failure] = full["failures"]
    assert "File too large" in failure and "rankings.duckdb.wal" in failure
    assert assert_whole_days(database, old) == "old"

    # Space again: the same run completes.
    retried = materialize_range(
        [rankings_daily],
        *RANGE,
        resources={
            "openrouter": OpenRouterClient(api_key=TEST_KEY, base_url=env["OPENROUTER_BASE_URL"]),
            "duckdb": DuckDBResource(database=str(database)),
        },
        instance=instance,
    )
    assert retried.success
    assert assert_whole_days(database, old) == "new"


# --- a lock held by another process ------------------------------------------------------------

HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_lock(database: Path, seconds: float) -> subprocess.Popen:
    """Another process with the warehouse open read-write for ``seconds``."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(database), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_lock_released_within_the_reconnect_backoff_is_waited_out(
    pinned_sandbox, resources, instance, loaded_warehouse
):
    """DuckDBResource reconnects 10 times (0.1 s doubling, 102 s in all) on a lock error."""
    holder = hold_lock(loaded_warehouse, seconds=2)
    try:
        started = time.monotonic()
        result = materialize_range(
            [rankings_daily], "2025-04-01", "2025-04-03", resources=resources, instance=instance
        )
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.success
    assert waited >= 1.5
    assert rows_per_date(loaded_warehouse) == {d: 51 for d in days("2025-04-01", "2025-04-03")}


def test_a_lock_held_throughout_fails_clearly_changes_nothing_and_a_retry_succeeds(
    pinned_sandbox, resources, instance, loaded_warehouse, monkeypatch
):
    # The real backoff waits 102 s before giving up; the same ten retries, 10 ms apart.
    monkeypatch.setattr(
        dagster_duckdb.resource,
        "backoff",
        lambda **kwargs: backoff(**kwargs, delay_generator=(0.01 for _ in range(10))),
    )
    before = warehouse_digest(loaded_warehouse)
    clean = rankings_content(loaded_warehouse)
    holder = hold_lock(loaded_warehouse, seconds=120)
    try:
        result = materialize_range(
            [rankings_daily], "2025-04-01", "2025-04-03", resources=resources, instance=instance
        )
    finally:
        holder.kill()
        holder.wait()
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error.to_string()
    assert "Could not set lock on file" in message and str(loaded_warehouse) in message
    assert f"(PID {holder.pid})" in message  # names the process holding it
    assert warehouse_digest(loaded_warehouse) == before
    # The window was fetched before the write failed: that request is spent, and lost.
    assert pinned_sandbox.request_count() == 1

    retried = materialize_range(
        [rankings_daily], "2025-04-01", "2025-04-03", resources=resources, instance=instance
    )
    assert retried.success
    assert pinned_sandbox.request_count() == 2
    assert rankings_content(loaded_warehouse) == clean
