"""Ledger schema v1 → v2 (``slots.dataset``) on both backends: a real v1 ledger, made by the v1
DDL, opened by this code; its rows are kept (unattributed), reopening changes nothing, and
processes opening it at the same moment migrate it once."""

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from rankings_etl.budget import Grant, Limits, open_ledger

from .conftest import ledger_rows
from .v1_ledger import V1_ROWS, make_v1_postgres_ledger, make_v1_sqlite_ledger

KEY = "aaaaaaaaaaaa"
NOW = V1_ROWS[-1][0] + 10
PROCESSES = 4


@pytest.fixture
def v1_ledger_url(ledger_url):
    """A v1 ledger at ``ledger_url``, holding two sent slots and one reserved."""
    if ledger_url.startswith("postgresql://"):
        return make_v1_postgres_ledger(ledger_url)
    make_v1_sqlite_ledger(Path(ledger_url))
    return ledger_url


def schema_version(url):
    """The version the ledger says it has: ``PRAGMA user_version``, or ``meta`` in Postgres."""
    if url.startswith("postgresql://"):
        ((value,),) = ledger_rows(url, "SELECT value FROM meta WHERE name = 'schema_version'")
        return int(value)
    with sqlite3.connect(url) as con:
        return con.execute("PRAGMA user_version").fetchone()[0]


def v2(url):
    return open_ledger(url, Limits(per_minute=30, per_day=10))


def slots(url):
    return ledger_rows(
        url, "SELECT at, state, holder, run_id, status, label, dataset FROM slots ORDER BY id"
    )


def test_a_v1_ledger_is_migrated_keeping_its_rows_unattributed(v1_ledger_url):
    assert schema_version(v1_ledger_url) == 1
    usage = v2(v1_ledger_url).usage("default", NOW)
    assert schema_version(v1_ledger_url) == 2
    assert slots(v1_ledger_url) == [
        (at, state, holder, run_id, status, label, None)
        for at, state, _, _, holder, run_id, _, status, label in V1_ROWS
    ]
    # The old rows still count: two sent, one held by a reservation that has not expired.
    assert (usage.day_sent, usage.day_reserved) == (2, 1)
    grant = v2(v1_ledger_url).take(KEY, "default", NOW, dataset="rankings_daily", label="new")
    assert isinstance(grant, Grant) and grant.day_used == 4
    assert slots(v1_ledger_url)[-1][-2:] == ("new", "rankings_daily")


def test_reopening_a_migrated_ledger_changes_nothing(v1_ledger_url):
    v2(v1_ledger_url).take(KEY, "default", NOW, dataset="rankings_daily")
    before = slots(v1_ledger_url)
    for _ in range(2):
        assert v2(v1_ledger_url).usage("default", NOW).day_used == 4
    assert slots(v1_ledger_url) == before
    assert schema_version(v1_ledger_url) == 2


def _open_and_take(url, start_at, queue):
    ledger = v2(url)
    while time.time() < start_at:  # line up, so the processes really open it together
        time.sleep(0.001)
    queue.put(isinstance(ledger.take(KEY, "default", NOW, dataset="rankings_daily"), Grant))


def test_processes_opening_a_v1_ledger_together_migrate_it_once(v1_ledger_url):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start_at = time.time() + 3.0  # after every spawned interpreter has started
    workers = [
        context.Process(target=_open_and_take, args=(v1_ledger_url, start_at, queue))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    assert [queue.get(timeout=5) for _ in workers] == [True] * PROCESSES
    assert schema_version(v1_ledger_url) == 2
    datasets = [row[-1] for row in slots(v1_ledger_url)]
    assert datasets == [None] * len(V1_ROWS) + ["rankings_daily"] * PROCESSES
