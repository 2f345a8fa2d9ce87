"""Several real processes racing for the last slots of one ledger (a SQLite file; Postgres)."""

import multiprocessing
import time

from rankings_etl.budget import Grant, Limits, Reservation, open_ledger

from .conftest import ledger_rows

KEY = "aaaaaaaaaaaa"
PROCESSES = 4


def _take_many(url, start_at, attempts, queue):
    ledger = open_ledger(url, Limits(per_minute=1000, per_day=25))
    while time.time() < start_at:  # line up, so the processes really collide
        time.sleep(0.001)
    granted = sum(
        isinstance(ledger.take(KEY, "default", time.time()), Grant) for _ in range(attempts)
    )
    queue.put(granted)


def _reserve(url, holder, start_at, queue):
    ledger = open_ledger(url, Limits(per_minute=1000, per_day=25))
    while time.time() < start_at:
        time.sleep(0.001)
    outcome = ledger.reserve(holder, KEY, "default", 10, time.time(), ttl=600)
    queue.put(isinstance(outcome, Reservation))


def _run_all(target, args_for):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start_at = time.time() + 3.0  # after every spawned interpreter has started
    workers = [
        context.Process(target=target, args=(*args_for(i, start_at), queue))
        for i in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    return [queue.get(timeout=5) for _ in workers]


def test_processes_racing_for_a_day_budget_get_exactly_the_limit(ledger_url):
    # Every process also creates the (new) ledger at the same moment: that must not race either.
    granted = _run_all(_take_many, lambda i, start_at: (ledger_url, start_at, 10))
    assert sum(granted) == 25, granted
    assert ledger_rows(ledger_url, "SELECT count(*) FROM slots WHERE state = 'sent'") == [(25,)]


def test_processes_racing_to_reserve_never_overcommit_the_day(ledger_url):
    held = _run_all(_reserve, lambda i, start_at: (ledger_url, f"run-{i}", start_at))
    assert sorted(held) == [False, False, True, True]
    assert ledger_rows(ledger_url, "SELECT count(*) FROM slots WHERE state = 'reserved'") == [(20,)]
