"""The ledger's rolling-window arithmetic, with an injected clock: no sleeps, no Dagster.

Every test runs against both storages (``ledger_url``: a SQLite file, a Postgres database).
"""

import sqlite3
import time

import pytest

from rankings_etl.budget import (
    Grant,
    LedgerError,
    Limits,
    Refuse,
    Reservation,
    SQLiteLedger,
    Wait,
    open_ledger,
)
from rankings_etl.budget.ledger import RETENTION_SECONDS
from rankings_etl.budget.postgres_ledger import PostgresLedger
from rankings_etl.core.rate_limits import DAY_SECONDS

from .conftest import ledger_rows

T0 = 1_800_000_000.0  # an arbitrary epoch second
KEY = "aaaaaaaaaaaa"
OTHER_KEY = "bbbbbbbbbbbb"
ACCOUNT = "default"


@pytest.fixture
def ledger(ledger_url):
    return open_ledger(ledger_url, Limits(per_minute=2, per_day=5))


def take(ledger, now, key=KEY, account=ACCOUNT, **kwargs):
    return ledger.take(key, account, now, **kwargs)


def test_minute_budget_waits_until_the_oldest_request_leaves_the_rolling_minute(ledger):
    first = take(ledger, T0)
    second = take(ledger, T0 + 10)
    assert isinstance(first, Grant) and isinstance(second, Grant)
    assert (first.minute_used, second.minute_used) == (1, 2)

    third = take(ledger, T0 + 20)
    assert isinstance(third, Wait)
    assert third.reason == "minute" and third.used == 2 and third.limit == 2
    # 60 s after the first one, plus the 1 s margin for the request's trip to the server.
    assert third.until == T0 + 61
    assert third.seconds == pytest.approx(41)

    assert isinstance(take(ledger, T0 + 60.9), Wait)
    granted = take(ledger, T0 + 61.01)
    assert isinstance(granted, Grant) and granted.minute_used == 2


def test_the_minute_is_rolling_not_a_calendar_minute(ledger):
    # Two requests at the end of one calendar minute and one at the start of the next would
    # pass a fixed-bucket limiter; a rolling minute makes the third wait.
    assert isinstance(take(ledger, T0 + 58), Grant)
    assert isinstance(take(ledger, T0 + 59), Grant)
    wait = take(ledger, T0 + 61)
    assert isinstance(wait, Wait) and wait.until == T0 + 58 + 61


def test_wait_counts_how_many_must_leave_when_the_window_is_over_full(ledger_url):
    roomy = open_ledger(ledger_url, Limits(per_minute=4, per_day=100, margin_seconds=0))
    for offset in (0, 1, 2, 3):
        assert isinstance(roomy.take(KEY, ACCOUNT, T0 + offset), Grant)
    # Someone lowered the limit to 2 with 4 requests in the window: two must leave first.
    strict = open_ledger(ledger_url, Limits(per_minute=2, per_day=100, margin_seconds=0))
    wait = strict.take(KEY, ACCOUNT, T0 + 5)
    assert isinstance(wait, Wait) and wait.until == T0 + 2 + 60


def test_the_minute_budget_is_per_key_and_the_day_budget_per_account(ledger):
    assert isinstance(take(ledger, T0), Grant)
    assert isinstance(take(ledger, T0), Grant)
    assert isinstance(take(ledger, T0), Wait)
    other_key = take(ledger, T0, key=OTHER_KEY)
    assert isinstance(other_key, Grant) and other_key.minute_used == 1
    assert other_key.day_used == 3  # the same account's day

    # Another account has a day of its own.
    elsewhere = take(ledger, T0, key="cccccccccccc", account="team-b")
    assert isinstance(elsewhere, Grant) and elsewhere.day_used == 1


def test_day_budget_refuses_at_once_and_says_when_the_next_slot_frees(ledger):
    for hour in range(5):
        assert isinstance(take(ledger, T0 + hour * 3600), Grant)
    refused = take(ledger, T0 + 5 * 3600)
    assert isinstance(refused, Refuse)
    assert refused.budget == "day"
    assert (refused.used, refused.limit, refused.remaining, refused.needed) == (5, 5, 0, 1)
    assert refused.next_free == T0 + DAY_SECONDS + 1

    assert isinstance(take(ledger, T0 + DAY_SECONDS + 0.5), Refuse)
    assert isinstance(take(ledger, T0 + DAY_SECONDS + 1.5), Grant)
    # Only the first request left the rolling day.
    refused = take(ledger, T0 + DAY_SECONDS + 2)
    assert isinstance(refused, Refuse) and refused.next_free == T0 + 3600 + DAY_SECONDS + 1


def test_an_exhausted_day_refuses_rather_than_waiting_out_the_minute(ledger_url):
    small = open_ledger(ledger_url, Limits(per_minute=2, per_day=2))
    assert isinstance(small.take(KEY, ACCOUNT, T0), Grant)
    assert isinstance(small.take(KEY, ACCOUNT, T0), Grant)
    assert isinstance(small.take(KEY, ACCOUNT, T0 + 1), Refuse)


def test_a_reservation_is_all_or_nothing(ledger):
    assert isinstance(take(ledger, T0), Grant)
    assert isinstance(take(ledger, T0 + 1), Grant)
    refused = ledger.reserve("run-a", KEY, ACCOUNT, 4, T0 + 2, ttl=600)
    assert isinstance(refused, Refuse)
    assert (refused.needed, refused.used, refused.remaining) == (4, 2, 3)
    # One more slot is needed: the first request must leave the day.
    assert refused.next_free == T0 + DAY_SECONDS + 1
    assert ledger.usage(ACCOUNT, T0 + 2).day_used == 2  # nothing was held

    held = ledger.reserve("run-a", KEY, ACCOUNT, 3, T0 + 2, ttl=600)
    assert held == Reservation("run-a", 3, T0 + 602)
    assert ledger.usage(ACCOUNT, T0 + 2).day_reserved == 3


def test_a_reservation_larger_than_the_whole_day_never_fits(ledger):
    refused = ledger.reserve("run-a", KEY, ACCOUNT, 6, T0, ttl=600)
    assert isinstance(refused, Refuse) and refused.next_free is None


def test_reserved_slots_are_kept_from_others_and_spent_by_their_holder(ledger):
    assert isinstance(ledger.reserve("run-a", KEY, ACCOUNT, 3, T0, ttl=600), Reservation)
    # Others can have the two slots left, then are refused.
    assert isinstance(take(ledger, T0 + 1, key=OTHER_KEY), Grant)
    assert isinstance(take(ledger, T0 + 2, key=OTHER_KEY), Grant)
    refused = take(ledger, T0 + 200, key=OTHER_KEY)
    assert isinstance(refused, Refuse) and refused.reserved == 3
    # The first request sent leaves the day first (a reserved slot may yet be sent).
    assert refused.next_free == T0 + 1 + DAY_SECONDS + 1

    # The holder spends its reservation even though the day is full (minute rules still hold).
    for offset in (100, 101):
        grant = take(ledger, T0 + offset, holder="run-a")
        assert isinstance(grant, Grant) and grant.reserved
    assert isinstance(take(ledger, T0 + 102, holder="run-a"), Wait)
    grant = take(ledger, T0 + 170, holder="run-a")
    assert isinstance(grant, Grant) and grant.reserved and grant.day_used == 5
    # Its reservation is spent: a fourth request (a retry) competes like anyone else's.
    assert isinstance(take(ledger, T0 + 300, holder="run-a"), Refuse)


def test_unused_reservations_expire_and_each_take_renews_them(ledger):
    ledger.reserve("run-a", KEY, ACCOUNT, 5, T0, ttl=600)
    assert isinstance(take(ledger, T0 + 500, holder="run-a"), Grant)
    # Renewed at T0+500: still held at T0+900, when the original expiry has passed.
    assert isinstance(take(ledger, T0 + 900, key=OTHER_KEY), Refuse)
    assert ledger.usage(ACCOUNT, T0 + 900).day_reserved == 4
    # The holder died: after one ttl of silence its slots count no more.
    assert isinstance(take(ledger, T0 + 1100.5, key=OTHER_KEY), Grant)
    usage = ledger.usage(ACCOUNT, T0 + 1101)
    assert (usage.day_sent, usage.day_reserved) == (2, 0)


def test_release_gives_back_what_the_holder_did_not_use(ledger):
    ledger.reserve("run-a", KEY, ACCOUNT, 4, T0, ttl=600)
    take(ledger, T0 + 1, holder="run-a")
    assert ledger.release("run-a") == 3
    assert ledger.release("run-a") == 0
    usage = ledger.usage(ACCOUNT, T0 + 2)
    assert (usage.day_sent, usage.day_reserved, usage.day_remaining) == (1, 0, 4)


def test_a_penalty_makes_every_taker_of_that_key_wait(ledger):
    ledger.penalize(KEY, ACCOUNT, T0, T0 + 30, "HTTP 429, Retry-After 30 s")
    wait = take(ledger, T0 + 10)
    assert isinstance(wait, Wait)
    assert (wait.reason, wait.until, wait.seconds) == ("penalty", T0 + 30, 20)
    assert "Retry-After 30" in wait.detail
    assert isinstance(take(ledger, T0 + 10, key=OTHER_KEY), Grant)
    # A shorter penalty never shortens a longer one.
    ledger.penalize(KEY, ACCOUNT, T0 + 11, T0 + 15, "HTTP 429, Retry-After 4 s")
    assert take(ledger, T0 + 12).until == T0 + 30
    assert isinstance(take(ledger, T0 + 30), Grant)


def test_usage_reports_windows_next_free_slots_and_recent_requests(ledger, ledger_url):
    first = take(ledger, T0, label="2025-06-15..2025-06-15", run_id="run-1")
    ledger.settle(first.slot_id, 500)
    second = take(ledger, T0 + 5, label="2025-06-15..2025-06-15", run_id="run-1")
    ledger.settle(second.slot_id, 200)
    take(ledger, T0 + 6, key=OTHER_KEY)
    ledger.penalize(OTHER_KEY, ACCOUNT, T0 + 6, T0 + 9, "HTTP 429")

    usage = ledger.usage(ACCOUNT, T0 + 7, key_fp=KEY, recent=2)
    assert (usage.day_used, usage.day_remaining, usage.day_next_free) == (3, 2, None)
    mine = usage.key(KEY)
    assert (mine.minute_used, mine.minute_remaining, mine.minute_next_free) == (2, 0, T0 + 61)
    theirs = usage.key(OTHER_KEY)
    assert (theirs.minute_used, theirs.penalty_until, theirs.penalty_reason) == (
        1,
        T0 + 9,
        "HTTP 429",
    )
    assert [(r.at, r.status, r.key_fp) for r in usage.recent] == [
        (T0 + 6, None, OTHER_KEY),
        (T0 + 5, 200, KEY),
    ]
    assert usage.recent[1].label == "2025-06-15..2025-06-15"
    assert usage.recent[1].run_id == "run-1"

    later = ledger.usage(ACCOUNT, T0 + 100, key_fp="dddddddddddd")
    assert later.key("dddddddddddd").minute_used == 0
    assert later.key(KEY).minute_remaining == 2
    full_day = open_ledger(ledger_url, Limits(per_minute=2, per_day=3)).usage(ACCOUNT, T0 + 7)
    assert full_day.day_next_free == T0 + DAY_SECONDS + 1


def test_rows_are_pruned_once_no_window_can_count_them(ledger, ledger_url):
    take(ledger, T0)
    take(ledger, T0 + RETENTION_SECONDS + 1)
    assert ledger_rows(ledger_url, "SELECT count(*) FROM slots") == [(1,)]


def test_the_ledger_exists_only_once_something_used_it(ledger):
    assert not ledger.exists()
    ledger.usage(ACCOUNT, T0)
    assert ledger.exists()


def test_the_ledger_file_is_in_wal_mode_with_a_versioned_schema(tmp_path):
    ledger = SQLiteLedger(tmp_path / "budget.sqlite", Limits(per_minute=2, per_day=5))
    take(ledger, T0)
    with sqlite3.connect(ledger.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert con.execute("PRAGMA user_version").fetchone() == (2,)


def test_the_postgres_ledger_keeps_to_its_own_schema_with_a_version(postgres_url):
    take(open_ledger(postgres_url, Limits(per_minute=2, per_day=5)), T0)
    tables = ledger_rows(
        postgres_url,
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 2",
    )
    assert tables == [
        ("rankings_budget", "meta"),
        ("rankings_budget", "penalties"),
        ("rankings_budget", "slots"),
    ]
    assert ledger_rows(postgres_url, "SELECT name, value FROM meta") == [("schema_version", "2")]


def test_a_newer_postgres_schema_is_refused_not_misread(postgres_url):
    open_ledger(postgres_url, Limits(per_minute=2, per_day=5)).usage(ACCOUNT, T0)
    import psycopg2

    with psycopg2.connect(postgres_url) as con, con.cursor() as cur:
        cur.execute("UPDATE rankings_budget.meta SET value = '99'")
    con.close()
    with pytest.raises(LedgerError, match="schema v99; this code knows v2: upgrade"):
        open_ledger(postgres_url, Limits(per_minute=2, per_day=5)).take(KEY, ACCOUNT, T0)


def test_the_postgres_clock_is_the_servers(postgres_url, monkeypatch):
    import psycopg2

    def server_time(cur):
        cur.execute("SELECT extract(epoch FROM clock_timestamp())::float8")
        return cur.fetchone()[0]

    # This machine's clock runs 40 s fast; the ledger still stamps slots on the server's.
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 40)
    ledger = open_ledger(postgres_url, Limits(per_minute=2, per_day=5))
    with psycopg2.connect(postgres_url) as con, con.cursor() as cur:
        before = server_time(cur)
        ours = ledger.clock()
        after = server_time(cur)
    con.close()
    assert before - 0.05 <= ours <= after + 0.05
    grant = ledger.take(KEY, ACCOUNT, ledger.clock())
    assert abs(grant.at - real_time()) < 1.0


def test_an_unreachable_postgres_ledger_says_which_without_its_password():
    # Port 9 (discard) on loopback: nothing listens there.
    url = "postgresql://budget:s3cret-pw@127.0.0.1:9/rankings"
    ledger = open_ledger(url, Limits(per_minute=2, per_day=5))
    assert "s3cret-pw" not in repr(ledger)
    with pytest.raises(LedgerError) as failure:
        ledger.take(KEY, ACCOUNT, T0)
    message = str(failure.value)
    assert "rate-budget ledger postgresql://budget:***@127.0.0.1:9/rankings" in message
    assert "could not connect" in message and "s3cret-pw" not in message


def test_open_ledger_accepts_paths_and_postgres_urls_and_refuses_the_rest(tmp_path):
    limits = Limits(per_minute=30, per_day=500)
    assert open_ledger(str(tmp_path / "a.sqlite"), limits).path == tmp_path / "a.sqlite"
    assert open_ledger(f"sqlite:///{tmp_path}/b.sqlite", limits).path == tmp_path / "b.sqlite"
    for url in ("postgresql://budget@db/rankings", "postgres://budget@db/rankings"):
        assert isinstance(open_ledger(url, limits), PostgresLedger)  # connects on first use
    with pytest.raises(ValueError, match="file path, a sqlite:/// URL or a postgresql:// URL"):
        open_ledger("mysql://user:pw@x/y", limits)


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        Limits(per_minute=0, per_day=500)
    with pytest.raises(ValueError):
        Limits(per_minute=30, per_day=500, margin_seconds=-1)


# --- penalties: bounded by the day window, listed, clearable -----------------------------------


def test_no_penalty_is_recorded_beyond_the_day_window(ledger):
    limits = ledger.limits
    recorded = ledger.penalize(KEY, ACCOUNT, T0, T0 + 1e12, "HTTP 429, Retry-After 1e12 s")
    assert recorded == T0 + limits.day_window
    assert take(ledger, T0 + 10).until == T0 + limits.day_window
    assert isinstance(take(ledger, T0 + limits.day_window), Grant)
    # Non-finite ends are the day window too, never NaN in the table.
    assert ledger.penalize(OTHER_KEY, ACCOUNT, T0, float("nan"), "x") == T0 + limits.day_window


def test_an_absurd_penalty_row_already_in_the_ledger_counts_a_day_at_most(ledger, ledger_url):
    """A row written before the cap (``until`` in the year 33715) stops a day after its 429."""
    ledger.penalize(KEY, ACCOUNT, T0, T0 + 30, "HTTP 429")
    set_until(ledger_url, T0 + 1e12)
    wait = take(ledger, T0 + 10)
    assert isinstance(wait, Wait) and wait.until == T0 + ledger.limits.day_window
    assert ledger.usage(ACCOUNT, T0 + 10).keys[0].penalty_until == wait.until
    # A new 429 does not revive the absurd end either.
    ledger.penalize(KEY, ACCOUNT, T0 + 20, T0 + 25, "HTTP 429")
    assert take(ledger, T0 + 21).until == T0 + ledger.limits.day_window
    assert isinstance(take(ledger, T0 + ledger.limits.day_window + 1), Grant)


def test_a_penalty_is_listed_and_cleared_for_every_process(ledger, ledger_url):
    ledger.penalize(KEY, ACCOUNT, T0, T0 + 600, "HTTP 429 on w, Retry-After 600 s")
    # A key backing off is reported even if it sent nothing in the day window.
    usage = ledger.usage(ACCOUNT, T0 + 1)
    assert [(k.key_fp, k.penalty_until) for k in usage.keys] == [(KEY, T0 + 600)]
    assert [(p.key_fp, p.until) for p in ledger.penalties(T0 + 1)] == [(KEY, T0 + 600)]
    other = open_ledger(ledger_url, ledger.limits)  # another process's view
    cleared = other.clear_penalty(KEY)
    # clear_penalty compares with the ledger's own (real) clock: T0 is in the future.
    assert (cleared.key_fp, cleared.until, cleared.reason) == (
        KEY,
        T0 + 600,
        "HTTP 429 on w, Retry-After 600 s",
    )
    assert isinstance(take(ledger, T0 + 2), Grant)
    assert other.clear_penalty(KEY) is None
    assert ledger.penalties(T0 + 3) == []


def set_until(url, until):
    """Write a penalty's end directly, as an older version (or a person) could have."""
    url = str(url)
    if url.startswith("postgresql://"):
        import psycopg2

        con = psycopg2.connect(url)
        try:
            with con, con.cursor() as cur:
                cur.execute("UPDATE rankings_budget.penalties SET until = %s", (until,))
        finally:
            con.close()
        return
    with sqlite3.connect(url) as con:
        con.execute("UPDATE penalties SET until = ?", (until,))
