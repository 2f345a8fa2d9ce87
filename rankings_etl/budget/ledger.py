"""The rate-budget ledger: one record of every OpenRouter request, shared by all processes.

OpenRouter allows 30 requests per rolling minute per key and 500 per rolling 24 h per account,
shared by every Data API endpoint. Dagster sends them from many processes at once (schedule,
UI backfills, manual runs, retries), so the budget lives in a file every process on the
machine opens, and "check the budget and take a slot" is one transaction.

Why not pyrate-limiter
----------------------
pyrate-limiter (4.5.1 evaluated: its ``SQLiteBucket``, ``Limiter`` and ``SlidingWindowLog``
read from the wheel) is well kept and has a SQLite backend, but it does not fit this budget:

- Its SQLite bucket counts *every* row of its table against every rate (the item name is stored
  but never filtered on), so a per-key minute and a per-account day need two buckets, and two
  buckets are two separate puts: a slot can be taken in the minute bucket and then refused by
  the day bucket, with nothing atomic across both.
- Cross-process safety comes from an optional ``filelock`` lock around a ``DEFERRED``
  count-then-insert, plus a background "leaker" thread in every process that deletes old rows.
  We get the same guarantee from SQLite alone with ``BEGIN IMMEDIATE`` and no thread.
- A blocked acquire can only wait (or time out); it cannot say "the *day* budget is spent, fail
  now and say when it frees", which is what a run must do instead of sleeping for hours.
- It has no reservations that expire (``weight=N`` spends N slots of the minute window at once
  and never gives back what a run did not use), no shared 429 penalty, and no per-request
  record (status, window) for ``rankings-etl budget`` to show.

Rebuilding those on top of it would leave little of it in use, so this module is a few hundred
lines of stdlib ``sqlite3`` instead (no new dependency). The storage sits behind
:class:`Ledger`, so a Postgres ledger for multi-machine deployments can be added without
touching its callers.

Rolling windows
---------------
Each ``sent`` row holds the time its slot was taken (wall-clock epoch seconds: every process on
the machine must agree on it, which a monotonic clock would not). The minute budget of a key is
the number of its rows in the last ``60 s + margin``; the day budget of an account is its rows
in the last ``24 h + margin`` plus the slots other runs hold in unexpired reservations. The
small margin absorbs the gap between taking a slot and the server receiving the request, so the
server never sees more than the limit in any 60 s (or 24 h) of its own clock.

Reservations
------------
A run that knows it needs N requests calls :meth:`Ledger.reserve` first: N ``reserved`` rows
with the run's holder id, all or none. Taking a slot as that holder turns one into a ``sent``
row (so it counts against the day from the moment it is really sent) and pushes the expiry of
the rest forward. Unused rows are deleted by :meth:`Ledger.release`; if the process dies, they
stop counting when they expire (``ttl`` after the holder last took a slot), so a crash can hold
slots only for a bounded time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

DEFAULT_ACCOUNT = "default"
MINUTE_SECONDS = 60.0
DAY_SECONDS = 86_400.0
SCHEMA_VERSION = 1

#: Rows older than this (beyond the day window) are pruned: nothing can count them any more.
RETENTION_SECONDS = 2 * DAY_SECONDS

SCHEMA = """
CREATE TABLE IF NOT EXISTS slots (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      REAL    NOT NULL,  -- epoch s: when sent (reserved: when reserved or renewed)
    state   TEXT    NOT NULL CHECK (state IN ('sent', 'reserved')),
    key_fp  TEXT    NOT NULL,  -- the key's fingerprint, never the key
    account TEXT    NOT NULL,
    holder  TEXT,              -- the reservation this slot belongs (or belonged) to
    run_id  TEXT,              -- the Dagster run that took it, when known
    expires REAL,              -- reserved: when an unused slot stops counting
    status  INTEGER,           -- HTTP status of the request, once known
    label   TEXT               -- what was requested, e.g. 2025-06-15..2025-06-15
);
CREATE INDEX IF NOT EXISTS slots_by_account ON slots (account, state, at);
CREATE INDEX IF NOT EXISTS slots_by_key ON slots (key_fp, state, at);
CREATE INDEX IF NOT EXISTS slots_by_holder ON slots (holder, state);
CREATE TABLE IF NOT EXISTS penalties (
    key_fp  TEXT PRIMARY KEY,  -- the key the server told to back off
    account TEXT NOT NULL,
    at      REAL NOT NULL,     -- when the 429 arrived
    until   REAL NOT NULL,     -- no process sends with this key before then
    reason  TEXT NOT NULL
);
"""


@dataclasses.dataclass(frozen=True)
class Limits:
    """The budget: requests per rolling minute per key and per rolling 24 h per account."""

    per_minute: int
    per_day: int
    margin_seconds: float = 1.0

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.per_day < 1:
            raise ValueError(f"rate limits must be at least 1, got {self}")
        if self.margin_seconds < 0:
            raise ValueError(f"margin_seconds must not be negative, got {self.margin_seconds}")

    @property
    def minute_window(self) -> float:
        return MINUTE_SECONDS + self.margin_seconds

    @property
    def day_window(self) -> float:
        return DAY_SECONDS + self.margin_seconds


@dataclasses.dataclass(frozen=True)
class Grant:
    """A slot was taken: send the request now."""

    slot_id: int
    at: float
    minute_used: int  # this key's requests in the rolling minute, this one included
    day_used: int  # the account's requests and others' reservations in the rolling 24 h
    reserved: bool  # the slot came out of the holder's reservation


@dataclasses.dataclass(frozen=True)
class Wait:
    """No slot now, but one frees by itself soon: try again after ``seconds``."""

    seconds: float
    until: float
    reason: str  # "minute" (the key's minute budget is used) or "penalty" (a 429 said so)
    used: int  # minute: requests in the rolling minute
    limit: int
    detail: str = ""  # penalty: why the server asked to back off


@dataclasses.dataclass(frozen=True)
class Refuse:
    """The day budget cannot afford it: fail now, nothing was sent."""

    budget: str  # "day"
    needed: int
    used: int  # sent in the rolling 24 h + reserved by other runs
    reserved: int  # of ``used``, slots held by other runs' reservations
    limit: int
    next_free: float | None  # when enough slots have freed; None: never (needed > limit)

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclasses.dataclass(frozen=True)
class Reservation:
    holder: str
    count: int
    expires: float


Decision = Grant | Wait | Refuse


@dataclasses.dataclass(frozen=True)
class RequestRecord:
    """One request as the ledger remembers it (for ``rankings-etl budget``)."""

    at: float
    key_fp: str
    account: str
    status: int | None
    label: str | None
    run_id: str | None


@dataclasses.dataclass(frozen=True)
class KeyUsage:
    key_fp: str
    minute_used: int
    minute_remaining: int
    minute_next_free: float | None  # None: a slot is free now
    penalty_until: float | None
    penalty_reason: str | None


@dataclasses.dataclass(frozen=True)
class Usage:
    """The state of an account's budget at ``now``."""

    now: float
    account: str
    limits: Limits
    day_sent: int
    day_reserved: int  # unexpired, unused reservation slots
    day_next_free: float | None  # None: a slot is free now
    keys: Sequence[KeyUsage]  # every key seen in the rolling 24 h, plus the one asked about
    recent: Sequence[RequestRecord]  # newest first

    @property
    def day_used(self) -> int:
        return self.day_sent + self.day_reserved

    @property
    def day_remaining(self) -> int:
        return max(0, self.limits.per_day - self.day_used)

    def key(self, key_fp: str) -> KeyUsage | None:
        return next((k for k in self.keys if k.key_fp == key_fp), None)


@runtime_checkable
class Ledger(Protocol):
    """Where the budget is kept. Every method is one atomic step across processes."""

    limits: Limits

    def take(
        self,
        key_fp: str,
        account: str,
        now: float,
        *,
        holder: str | None = None,
        run_id: str | None = None,
        label: str | None = None,
    ) -> Decision:
        """Take a slot for one request, or say how long to wait, or refuse."""

    def settle(self, slot_id: int, status: int | None) -> None:
        """Record the HTTP status a taken slot's request got."""

    def reserve(
        self,
        holder: str,
        key_fp: str,
        account: str,
        count: int,
        now: float,
        *,
        ttl: float,
        run_id: str | None = None,
        label: str | None = None,
    ) -> Reservation | Refuse:
        """Hold ``count`` day slots for ``holder``, all or none."""

    def release(self, holder: str) -> int:
        """Give back the holder's unused reserved slots; return how many."""

    def penalize(self, key_fp: str, account: str, now: float, until: float, reason: str) -> None:
        """A 429: no process sends with ``key_fp`` before ``until``."""

    def usage(
        self, account: str, now: float, *, key_fp: str | None = None, recent: int = 20
    ) -> Usage:
        """Used and remaining per window, next free slots, recent requests."""


def _nth_release(release_times: list[float], n: int) -> float | None:
    """When the n-th (1-based) earliest of these slots frees, or None if there are fewer."""
    if n <= 0:
        return None
    ordered = sorted(release_times)
    return ordered[n - 1] if n <= len(ordered) else None


class SQLiteLedger:
    """The ledger in one SQLite file (WAL), shared by every process on the machine.

    Each call opens its own short-lived connection (cheap next to an HTTP request, and safe
    across threads and forks) and runs in ``BEGIN IMMEDIATE``: the write lock is taken before
    anything is read, so two processes can never both see the last free slot.
    """

    def __init__(self, path: str | Path, limits: Limits, *, busy_timeout_seconds: float = 30.0):
        self.path = Path(path)
        self.limits = limits
        self.busy_timeout_seconds = busy_timeout_seconds
        self._initialized = False

    def __repr__(self) -> str:
        return f"SQLiteLedger({str(self.path)!r}, {self.limits})"

    # --- connections ------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=self.busy_timeout_seconds, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_seconds * 1000)}")
        if not self._initialized:
            self._initialize(con)
        con.execute("PRAGMA synchronous = FULL")
        return con

    def _initialize(self, con: sqlite3.Connection) -> None:
        self._ensure_wal(con)
        with self._transaction(con):
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.OperationalError(
                    f"{self.path} has rate-budget schema v{version}; this code knows "
                    f"v{SCHEMA_VERSION}: upgrade rankings_etl"
                )
            for statement in SCHEMA.split(";\n"):
                if statement.strip():
                    con.execute(statement)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._initialized = True

    def _ensure_wal(self, con: sqlite3.Connection) -> None:
        """Put the file in WAL mode (once: the mode is stored in the file).

        Switching needs a moment with no other connection, and SQLite reports "locked" at
        once rather than calling the busy handler, so processes that all open a new ledger
        together retry here until one of them has switched it.
        """
        deadline = time.monotonic() + self.busy_timeout_seconds
        while True:
            try:
                mode = con.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() == "wal":
                    return
                problem = f"the journal mode stayed {mode!r}"
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                problem = str(exc)
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError(f"{self.path}: could not switch to WAL: {problem}")
            time.sleep(random.uniform(0.005, 0.05))

    @staticmethod
    @contextlib.contextmanager
    def _transaction(
        con: sqlite3.Connection, begin: str = "BEGIN IMMEDIATE"
    ) -> Iterator[sqlite3.Connection]:
        con.execute(begin)
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            with self._transaction(con):
                yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot (WAL readers never block writers, nor wait for them)."""
        con = self._connect()
        try:
            with self._transaction(con, "BEGIN DEFERRED"):
                yield con
        finally:
            con.close()

    # --- the arithmetic ---------------------------------------------------------------------

    def _day_releases(
        self, con: sqlite3.Connection, account: str, now: float, exclude_holder: str | None
    ) -> tuple[list[float], int]:
        """When each slot counting against the account's day frees, and how many are reserved.

        A sent slot frees ``day_window`` after it was taken. A reserved one may be given back
        at any moment (its run did not need it) or be sent and then count for a whole day; the
        answer given is the safe one: a day from now. The holder's own reservation is left
        out: it is what the holder spends from.
        """
        sent = con.execute(
            "SELECT at FROM slots WHERE account = ? AND state = 'sent' AND at > ?",
            (account, now - self.limits.day_window),
        ).fetchall()
        reserved = con.execute(
            "SELECT id FROM slots WHERE account = ? AND state = 'reserved' AND expires > ?"
            " AND holder IS NOT ?",
            (account, now, exclude_holder),
        ).fetchall()
        releases = [at + self.limits.day_window for (at,) in sent]
        releases += [now + self.limits.day_window] * len(reserved)
        return releases, len(reserved)

    def _minute_sent(self, con: sqlite3.Connection, key_fp: str, now: float) -> list[float]:
        rows = con.execute(
            "SELECT at FROM slots WHERE key_fp = ? AND state = 'sent' AND at > ?",
            (key_fp, now - self.limits.minute_window),
        ).fetchall()
        return sorted(at for (at,) in rows)

    def _penalty(
        self, con: sqlite3.Connection, key_fp: str, now: float
    ) -> tuple[float, str] | None:
        row = con.execute(
            "SELECT until, reason FROM penalties WHERE key_fp = ? AND until > ?", (key_fp, now)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def _refuse(self, releases: list[float], reserved: int, needed: int) -> Refuse | None:
        """Refuse if ``needed`` more slots would take the day past its limit."""
        used = len(releases)
        excess = used + needed - self.limits.per_day
        if excess <= 0:
            return None
        next_free = None if needed > self.limits.per_day else _nth_release(releases, excess)
        return Refuse("day", needed, used, reserved, self.limits.per_day, next_free)

    # --- the interface ----------------------------------------------------------------------

    def take(
        self,
        key_fp: str,
        account: str,
        now: float,
        *,
        holder: str | None = None,
        run_id: str | None = None,
        label: str | None = None,
    ) -> Decision:
        with self._write() as con:
            con.execute(
                "DELETE FROM slots WHERE (state = 'sent' AND at < ?)"
                " OR (state = 'reserved' AND expires <= ?)",
                (now - RETENTION_SECONDS, now),
            )
            own = None
            if holder is not None:
                own = con.execute(
                    "SELECT id FROM slots WHERE holder = ? AND state = 'reserved' "
                    "AND expires > ? ORDER BY id LIMIT 1",
                    (holder, now),
                ).fetchone()
            releases, reserved = self._day_releases(con, account, now, holder)
            if own is None:
                # The day first: no point waiting out a minute only to be refused.
                refused = self._refuse(releases, reserved, 1)
                if refused:
                    return refused
            penalty = self._penalty(con, key_fp, now)
            if penalty:
                until, reason = penalty
                used = len(self._minute_sent(con, key_fp, now))
                return Wait(until - now, until, "penalty", used, self.limits.per_minute, reason)
            minute = self._minute_sent(con, key_fp, now)
            if len(minute) >= self.limits.per_minute:
                until = minute[len(minute) - self.limits.per_minute] + self.limits.minute_window
                return Wait(until - now, until, "minute", len(minute), self.limits.per_minute)
            if own is not None:
                slot_id = own[0]
                con.execute(
                    "UPDATE slots SET state = 'sent', at = ?, expires = NULL, key_fp = ?,"
                    " run_id = coalesce(?, run_id), label = coalesce(?, label) WHERE id = ?",
                    (now, key_fp, run_id, label, slot_id),
                )
                # The holder is alive: its remaining slots stay held for another ttl.
                con.execute(
                    "UPDATE slots SET expires = ? + (expires - at), at = ? "
                    "WHERE holder = ? AND state = 'reserved'",
                    (now, now, holder),
                )
            else:
                slot_id = con.execute(
                    "INSERT INTO slots (at, state, key_fp, account, holder, run_id, label)"
                    " VALUES (?, 'sent', ?, ?, ?, ?, ?)",
                    (now, key_fp, account, holder, run_id, label),
                ).lastrowid
            day_used = len(self._day_releases(con, account, now, None)[0])
            return Grant(slot_id, now, len(minute) + 1, day_used, own is not None)

    def settle(self, slot_id: int, status: int | None) -> None:
        with self._write() as con:
            con.execute("UPDATE slots SET status = ? WHERE id = ?", (status, slot_id))

    def reserve(
        self,
        holder: str,
        key_fp: str,
        account: str,
        count: int,
        now: float,
        *,
        ttl: float,
        run_id: str | None = None,
        label: str | None = None,
    ) -> Reservation | Refuse:
        if count < 1:
            raise ValueError(f"a reservation needs at least 1 slot, got {count}")
        if ttl <= 0:
            raise ValueError(f"a reservation needs a positive ttl, got {ttl}")
        with self._write() as con:
            con.execute(
                "DELETE FROM slots WHERE state = 'reserved' AND (expires <= ? OR holder = ?)",
                (now, holder),
            )
            releases, reserved = self._day_releases(con, account, now, holder)
            refused = self._refuse(releases, reserved, count)
            if refused:
                return refused
            con.executemany(
                "INSERT INTO slots (at, state, key_fp, account, holder, run_id, expires, label)"
                " VALUES (?, 'reserved', ?, ?, ?, ?, ?, ?)",
                [(now, key_fp, account, holder, run_id, now + ttl, label)] * count,
            )
            return Reservation(holder, count, now + ttl)

    def release(self, holder: str) -> int:
        with self._write() as con:
            return con.execute(
                "DELETE FROM slots WHERE holder = ? AND state = 'reserved'", (holder,)
            ).rowcount

    def penalize(self, key_fp: str, account: str, now: float, until: float, reason: str) -> None:
        with self._write() as con:
            con.execute(
                "INSERT INTO penalties (key_fp, account, at, until, reason)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_fp) DO UPDATE SET"
                " account = excluded.account, at = excluded.at, reason = excluded.reason,"
                " until = max(penalties.until, excluded.until)",
                (key_fp, account, now, until, reason),
            )

    def usage(
        self, account: str, now: float, *, key_fp: str | None = None, recent: int = 20
    ) -> Usage:
        with self._read() as con:
            releases, reserved = self._day_releases(con, account, now, None)
            day_next_free = None
            if len(releases) >= self.limits.per_day:
                day_next_free = _nth_release(releases, len(releases) - self.limits.per_day + 1)
            key_fps = [
                fp
                for (fp,) in con.execute(
                    "SELECT key_fp FROM slots WHERE account = ? AND state = 'sent' AND at > ?"
                    " GROUP BY key_fp ORDER BY max(at) DESC",
                    (account, now - self.limits.day_window),
                )
            ]
            if key_fp is not None and key_fp not in key_fps:
                key_fps.insert(0, key_fp)
            keys = [self._key_usage(con, fp, now) for fp in key_fps]
            rows = con.execute(
                "SELECT at, key_fp, account, status, label, run_id FROM slots "
                "WHERE account = ? AND state = 'sent' ORDER BY at DESC, id DESC LIMIT ?",
                (account, max(0, recent)),
            ).fetchall()
        records = [
            RequestRecord(at, fp, acct, status, label, run_id)
            for at, fp, acct, status, label, run_id in rows
        ]
        return Usage(
            now=now,
            account=account,
            limits=self.limits,
            day_sent=len(releases) - reserved,
            day_reserved=reserved,
            day_next_free=day_next_free,
            keys=keys,
            recent=records,
        )

    def _key_usage(self, con: sqlite3.Connection, key_fp: str, now: float) -> KeyUsage:
        minute = self._minute_sent(con, key_fp, now)
        next_free = None
        if len(minute) >= self.limits.per_minute:
            next_free = minute[len(minute) - self.limits.per_minute] + self.limits.minute_window
        penalty = self._penalty(con, key_fp, now)
        return KeyUsage(
            key_fp=key_fp,
            minute_used=len(minute),
            minute_remaining=max(0, self.limits.per_minute - len(minute)),
            minute_next_free=next_free,
            penalty_until=penalty[0] if penalty else None,
            penalty_reason=penalty[1] if penalty else None,
        )


def open_ledger(url: str, limits: Limits, *, busy_timeout_seconds: float = 30.0) -> Ledger:
    """The ledger named by ``RANKINGS_BUDGET_DB``: a SQLite path (or ``sqlite:///path``).

    A ``postgresql://`` URL is reserved for a multi-machine ledger that implements
    :class:`Ledger` on Postgres; it is not written yet, so it is refused clearly rather than
    silently falling back to a per-machine file.
    """
    if url.startswith(("postgresql://", "postgres://")):
        raise ValueError(
            "RANKINGS_BUDGET_DB is a postgresql:// URL, but only the SQLite ledger exists so "
            "far: set it to a file path (one machine), or add a Postgres Ledger in "
            "rankings_etl/budget/ledger.py"
        )
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    if "://" in path:
        raise ValueError(f"RANKINGS_BUDGET_DB must be a file path or sqlite:/// URL: {url!r}")
    return SQLiteLedger(path, limits, busy_timeout_seconds=busy_timeout_seconds)


def wall_clock() -> float:
    """The ledger's clock: epoch seconds, the one clock all processes on a machine share."""
    return time.time()
