"""Eight backfills at once against one DuckDB file, one rate-budget ledger and one instance.

Each is a real ``dagster asset materialize --partition-range`` process, as a user or a second
scheduler would start it, over a range overlapping its neighbours'. How DuckDB's one-writer rule
is handled (docs/RELIABILITY.md):

- ``rankings_daily`` runs in the ``openrouter_api`` pool, limited to one step at a time by
  ``dagster.yaml`` (``concurrency: pools: default_limit: 1``), so its writes never overlap;
- the analytics steps have no pool: their connections contend for the file, and
  ``DuckDBResource`` retries a refused connection 10 times with backoff (0.1 s doubling);
- readers open the file ``read_only=True``; while a writer holds it they are refused at once.

A run may fail only with a clear lock error, and must then succeed when retried.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time

import duckdb

from rankings_etl.core.windows import Window
from rankings_etl.datasets.rankings_daily.dataset import fetch_window
from rankings_etl.datasets.rankings_daily.load import RankingsBatch
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl_tests.environment import project_env
from rankings_etl_tests.integration.conftest import TEST_KEY

from .support import (
    AS_OF,
    days,
    duplicated_rows,
    init_dagster_home,
    materialize_command,
    rankings_content,
    rows_per_date,
    run_process,
    start_process,
)

RUNS = 8
FIRST = dt.date(2025, 3, 1)
#: Run i covers [FIRST + 4 i, FIRST + 4 i + 11]: every date but the first 4 and the last 4 is
#: written by 2 or 3 runs.
RANGES = [
    (FIRST + dt.timedelta(days=4 * i), FIRST + dt.timedelta(days=4 * i + 11)) for i in range(RUNS)
]
SELECTION = "rankings_daily,model_share_daily"
#: The day budget, identical in the sandbox and in the ledger: the 8 runs plus 2 retries.
PER_DAY = RUNS + 2
PER_MINUTE = 30
LOCK_ERROR = "Could not set lock on file"


class Reader(threading.Thread):
    """Polls the warehouse read-only while the writers run, as a dashboard would.

    Every 0.25 s: a read-only connection still takes DuckDB's file lock (shared), so a reader
    polling much faster starves the writers' reconnect backoff (see docs/RELIABILITY.md).
    """

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.snapshots = 0
        self.refused = 0
        self.partial_days: list = []

    def run(self):
        while not self.stop.is_set():
            try:
                con = duckdb.connect(str(self.path), read_only=True)
            except duckdb.Error as exc:  # a writer holds the file (or it does not exist yet)
                assert LOCK_ERROR in str(exc) or "does not exist" in str(exc), exc
                self.refused += 1
            else:
                with con:
                    tables = {t for (t,) in con.execute("SHOW TABLES").fetchall()}
                    if "rankings_daily" in tables:
                        self.partial_days += con.execute(
                            "SELECT date, count(*) FROM rankings_daily GROUP BY date "
                            "HAVING count(*) <> 51"
                        ).fetchall()
                        self.snapshots += 1
            time.sleep(0.25)


def expected_rows(base_url: str, start: dt.date, end: dt.date) -> list[tuple]:
    """What a single clean fetch of the whole union gives, in ``rankings_content`` shape."""
    response = fetch_window(
        OpenRouterClient(api_key=TEST_KEY, base_url=base_url), Window(start, end)
    )
    columns = RankingsBatch.from_responses([response]).columns()
    return sorted(tuple(row) for row in zip(*columns[:5], strict=True))


def test_eight_overlapping_backfills_lose_nothing_duplicate_nothing_and_keep_the_budget(
    sandbox_factory, pinned_sandbox, dagster_home, tmp_path
):
    api = sandbox_factory(per_minute=PER_MINUTE, per_day=PER_DAY, as_of=AS_OF, quiet=True)
    env = project_env(
        tmp_path,
        api.base_url,
        TEST_KEY,
        dagster_home,
        OPENROUTER_RATE_PER_MINUTE=str(PER_MINUTE),
        OPENROUTER_RATE_PER_DAY=str(PER_DAY),
        # The schedules' reserve would not fit this small a day: not what this is about.
        RANKINGS_BUDGET_KEEP_FOR_SCHEDULES="0",
    )
    init_dagster_home(env["DAGSTER_HOME"])
    database = tmp_path / "data" / "rankings.duckdb"
    reader = Reader(database)
    reader.start()

    processes = [
        start_process(
            materialize_command(SELECTION, start.isoformat(), end.isoformat()),
            env,
            tmp_path,
            tmp_path / f"run-{i}.log",
        )
        for i, (start, end) in enumerate(RANGES)
    ]
    try:
        codes = [process.wait(timeout=300) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    reader.stop.set()
    reader.join(timeout=30)

    retried = []
    for i, code in enumerate(codes):
        if code == 0:
            continue
        log = (tmp_path / f"run-{i}.log").read_text()
        assert LOCK_ERROR in log, f"run {i} failed with something else:\n{log[-3000:]}"
        again = run_process(materialize_command(SELECTION, *map(str, RANGES[i])), env, tmp_path)
        assert again.returncode == 0, again.stderr[-3000:]
        retried.append(i)

    # Nothing lost, nothing duplicated, every number what the API says.
    union = days(str(RANGES[0][0]), str(RANGES[-1][1]))
    assert rows_per_date(database) == {d: 51 for d in union}
    assert rows_per_date(database, "model_share_daily") == {d: 51 for d in union}
    assert duplicated_rows(database) == 0
    assert rankings_content(database) == expected_rows(
        pinned_sandbox.base_url, RANGES[0][0], RANGES[-1][1]
    )

    # The budget: no request beyond either limit, and the ledger saw every request.
    stats = api.stats()
    assert "429" not in stats["by_status"]
    assert stats["by_status"] == {"200": RUNS + len(retried)}
    with sqlite3.connect(env["RANKINGS_BUDGET_DB"]) as ledger:
        sent = [at for (at,) in ledger.execute("SELECT at FROM slots WHERE state = 'sent'")]
        reserved = ledger.execute("SELECT count(*) FROM slots WHERE state = 'reserved'").fetchone()
    assert len(sent) == stats["total"] <= PER_DAY
    assert max(sum(1 for t in sent if s <= t < s + 60) for s in sent) <= PER_MINUTE
    assert reserved == (0,)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_responses").fetchone() == (stats["total"],)

    # Readers never saw half a day; they were either served a snapshot or refused at once.
    assert reader.partial_days == []
    assert reader.snapshots > 0
