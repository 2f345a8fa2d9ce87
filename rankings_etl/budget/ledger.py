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

Rebuilding those on top of it would leave little of it in use, so the budget is a few hundred
lines of SQL run by the databases we already have: the arithmetic is here (:class:`Ledger`),
the storage is a SQLite file for one machine (:mod:`~rankings_etl.budget.sqlite_ledger`) or a
Postgres database shared by many (:mod:`~rankings_etl.budget.postgres_ledger`). Callers see
only :class:`Ledger`, and :func:`~rankings_etl.budget.backends.open_ledger` picks the storage
from ``RANKINGS_BUDGET_DB``.

Rolling windows
---------------
Each ``sent`` row holds the time its slot was taken (wall-clock epoch seconds: every process
must agree on it, which a monotonic clock would not; a Postgres ledger uses the database
server's clock, so machines whose clocks drift still agree). The minute budget of a key is
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

Datasets
--------
Every slot names the dataset it was spent for (``slots.dataset``, schema v2; rows from v1 are
"unattributed"), so :meth:`Ledger.usage` can say who spent the day (``Usage.by_dataset``). A
reservation may also ask that ``also_needed`` more slots stay free after it (the scheduled runs'
needs, the later steps of the same run): it is refused when they would not, yet it holds only its
own slots, so nobody is kept from the rest until someone really takes them.

Penalties
---------
A 429 records a back-off for its key (:meth:`Ledger.penalize`): no process sends with the key
before it ends. No back-off ever lasts longer than the API's longest window, the rolling day
(``Limits.day_window`` after the 429 that set it), whoever wrote it: longer values are cut when
written, and a row written before that rule (or by hand) counts only that long when read.
:meth:`Ledger.clear_penalty` lifts one (``rankings-etl budget --clear-penalty``).
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import math
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from rankings_etl.core.rate_limits import DAY_SECONDS, MINUTE_SECONDS

#: v2 (issue 18): each slot names the dataset it was spent for (``slots.dataset``).
SCHEMA_VERSION = 2

#: Rows older than this (beyond the day window) are pruned: nothing can count them any more.
RETENTION_SECONDS = 2 * DAY_SECONDS
#: The longest back-off a 429 imposes by default (``RateBudget.max_penalty_seconds``).
DEFAULT_MAX_PENALTY_SECONDS = 3600.0


class LedgerError(Exception):
    """The ledger could not be read or written (a database that is down, locked, or not ours).

    The message names the ledger (never a password) and what went wrong.
    """


#: Everything a ledger call may raise when its storage fails, for callers that must go on
#: (recording a status, releasing a reservation that expires by itself anyway).
LEDGER_ERRORS: tuple[type[Exception], ...] = (LedgerError, sqlite3.Error)


class Cursor(Protocol):
    """What the arithmetic needs from a database: ``sqlite3.Connection`` is one."""

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Any: ...

    def executemany(self, sql: str, seq_of_parameters: Any) -> Any: ...


@dataclasses.dataclass(frozen=True)
class Limits:
    """The budget: requests per rolling minute per key and per rolling 24 h per account."""

    per_minute: int
    per_day: int
    margin_seconds: float = 1.0
    #: The windows' lengths: OpenRouter's minute and day. Settable so a test can pace against
    #: a short "minute" (and a sandbox told the same) instead of waiting real minutes.
    minute_seconds: float = MINUTE_SECONDS
    day_seconds: float = DAY_SECONDS

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.per_day < 1:
            raise ValueError(f"rate limits must be at least 1, got {self}")
        if self.margin_seconds < 0:
            raise ValueError(f"margin_seconds must not be negative, got {self.margin_seconds}")
        if not (0 < self.minute_seconds <= self.day_seconds):
            raise ValueError(
                "window lengths must be positive and the minute no longer than the day, got "
                f"minute_seconds={self.minute_seconds}, day_seconds={self.day_seconds}"
            )

    @property
    def minute_window(self) -> float:
        return self.minute_seconds + self.margin_seconds

    @property
    def day_window(self) -> float:
        return self.day_seconds + self.margin_seconds


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
    window_seconds: float = MINUTE_SECONDS  # minute: the rolling window's length


@dataclasses.dataclass(frozen=True)
class Refuse:
    """The day budget cannot afford it: fail now, nothing was sent."""

    budget: str  # "day"
    needed: int
    used: int  # sent in the rolling 24 h + reserved by other runs
    reserved: int  # of ``used``, slots held by other runs' reservations
    limit: int
    next_free: float | None  # when enough slots have freed; None: never (needed + kept > limit)
    kept: int = 0  # slots that must stay free besides ``needed`` (the caller's ``also_needed``)

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
    dataset: str | None = None  # None: unattributed (taken without one, or before schema v2)


@dataclasses.dataclass(frozen=True)
class Penalty:
    """A key told to back off: nobody sends with it before ``until`` (epoch seconds)."""

    key_fp: str
    account: str
    at: float  # when the 429 arrived
    until: float
    reason: str


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
    #: dataset (None: unattributed, e.g. a slot taken before schema v2) -> (sent in the rolling
    #: 24 h, held in unexpired reservations); the same slots as ``day_sent``/``day_reserved``.
    by_dataset: Mapping[str | None, tuple[int, int]] = dataclasses.field(default_factory=dict)

    @property
    def day_used(self) -> int:
        return self.day_sent + self.day_reserved

    @property
    def day_remaining(self) -> int:
        return max(0, self.limits.per_day - self.day_used)

    def key(self, key_fp: str) -> KeyUsage | None:
        return next((k for k in self.keys if k.key_fp == key_fp), None)


def _nth_release(release_times: list[float], n: int) -> float | None:
    """When the n-th (1-based) earliest of these slots frees, or None if there are fewer."""
    if n <= 0:
        return None
    ordered = sorted(release_times)
    return ordered[n - 1] if n <= len(ordered) else None


class Ledger(abc.ABC):
    """Where the budget is kept. Every public method is one atomic step across processes.

    The arithmetic is here, in SQL that SQLite and Postgres both run. Subclasses provide the
    storage: :meth:`_write` (a transaction that no other process's write can interleave with,
    taken before anything is read) and :meth:`_read` (a consistent snapshot), each yielding
    something with ``execute(sql, params)`` that returns a cursor. Statements use ``?``
    placeholders.
    """

    limits: Limits
    #: "holder is not this value (NULL included)", which the two dialects spell differently.
    _IS_NOT = "IS NOT"

    @abc.abstractmethod
    def _write(self) -> contextlib.AbstractContextManager[Cursor]:
        """A write transaction, serialized against every other process's writes."""

    @abc.abstractmethod
    def _read(self) -> contextlib.AbstractContextManager[Cursor]:
        """A consistent read-only snapshot."""

    def clock(self) -> float:
        """Epoch seconds on the clock every user of this ledger shares: pass it as ``now``."""
        return wall_clock()

    @abc.abstractmethod
    def exists(self) -> bool:
        """Whether the ledger has been created (reading must not create one)."""

    # --- the arithmetic ---------------------------------------------------------------------

    def _day_releases(
        self, con: Cursor, account: str, now: float, exclude_holder: str | None
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
            f" AND holder {self._IS_NOT} ?",
            (account, now, exclude_holder),
        ).fetchall()
        releases = [at + self.limits.day_window for (at,) in sent]
        releases += [now + self.limits.day_window] * len(reserved)
        return releases, len(reserved)

    def _minute_sent(self, con: Cursor, key_fp: str, now: float) -> list[float]:
        rows = con.execute(
            "SELECT at FROM slots WHERE key_fp = ? AND state = 'sent' AND at > ?",
            (key_fp, now - self.limits.minute_window),
        ).fetchall()
        return sorted(at for (at,) in rows)

    def _bounded_until(self, at: float, until: float) -> float:
        """A back-off's end, never more than the day window after the 429 that set it."""
        ceiling = at + self.limits.day_window
        return until if until <= ceiling else ceiling

    def _penalty(self, con: Cursor, key_fp: str, now: float) -> tuple[float, str] | None:
        row = con.execute(
            "SELECT at, until, reason FROM penalties WHERE key_fp = ? AND until > ?",
            (key_fp, now),
        ).fetchone()
        if not row:
            return None
        until = self._bounded_until(row[0], row[1])
        return (until, row[2]) if until > now else None

    def _refuse(
        self, releases: list[float], reserved: int, needed: int, kept: int = 0
    ) -> Refuse | None:
        """Refuse if ``needed`` more slots, with ``kept`` still free after them, would take the
        day past its limit."""
        used = len(releases)
        excess = used + needed + kept - self.limits.per_day
        if excess <= 0:
            return None
        never = needed + kept > self.limits.per_day
        next_free = None if never else _nth_release(releases, excess)
        return Refuse("day", needed, used, reserved, self.limits.per_day, next_free, kept)

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
        dataset: str | None = None,
    ) -> Decision:
        """Take a slot for one request, or say how long to wait, or refuse.

        ``dataset`` (the registry name the request is for) is recorded on the slot, so the
        report can say who spent the day; None leaves it unattributed.
        """
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
                return Wait(
                    until - now,
                    until,
                    "penalty",
                    used,
                    self.limits.per_minute,
                    reason,
                    window_seconds=self.limits.minute_seconds,
                )
            minute = self._minute_sent(con, key_fp, now)
            if len(minute) >= self.limits.per_minute:
                until = minute[len(minute) - self.limits.per_minute] + self.limits.minute_window
                return Wait(
                    until - now,
                    until,
                    "minute",
                    len(minute),
                    self.limits.per_minute,
                    window_seconds=self.limits.minute_seconds,
                )
            if own is not None:
                slot_id = own[0]
                con.execute(
                    "UPDATE slots SET state = 'sent', at = ?, expires = NULL, key_fp = ?,"
                    " run_id = coalesce(?, run_id), label = coalesce(?, label),"
                    " dataset = coalesce(?, dataset) WHERE id = ?",
                    (now, key_fp, run_id, label, dataset, slot_id),
                )
                # The holder is alive: its remaining slots stay held for another ttl.
                con.execute(
                    "UPDATE slots SET expires = ? + (expires - at), at = ? "
                    "WHERE holder = ? AND state = 'reserved'",
                    (now, now, holder),
                )
            else:
                slot_id = con.execute(
                    "INSERT INTO slots (at, state, key_fp, account, holder, run_id, label,"
                    " dataset) VALUES (?, 'sent', ?, ?, ?, ?, ?, ?) RETURNING id",
                    (now, key_fp, account, holder, run_id, label, dataset),
                ).fetchone()[0]
            day_used = len(self._day_releases(con, account, now, None)[0])
            return Grant(slot_id, now, len(minute) + 1, day_used, own is not None)

    def settle(self, slot_id: int, status: int | None) -> None:
        """Record the HTTP status a taken slot's request got."""
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
        dataset: str | None = None,
        also_needed: int = 0,
    ) -> Reservation | Refuse:
        """Hold ``count`` day slots for ``holder``, all or none.

        Refused when ``used + count + also_needed`` exceeds the day: ``also_needed`` are slots
        that must stay free after this reservation (the scheduled runs' needs, the rest of this
        run's steps) but are not held by it, so nobody else is kept from them in the meantime.
        The slots are recorded for ``dataset`` (None: unattributed).
        """
        if count < 1:
            raise ValueError(f"a reservation needs at least 1 slot, got {count}")
        if ttl <= 0:
            raise ValueError(f"a reservation needs a positive ttl, got {ttl}")
        if also_needed < 0:
            raise ValueError(f"also_needed must not be negative, got {also_needed}")
        with self._write() as con:
            con.execute(
                "DELETE FROM slots WHERE state = 'reserved' AND (expires <= ? OR holder = ?)",
                (now, holder),
            )
            releases, reserved = self._day_releases(con, account, now, holder)
            refused = self._refuse(releases, reserved, count, also_needed)
            if refused:
                return refused
            con.executemany(
                "INSERT INTO slots (at, state, key_fp, account, holder, run_id, expires, label,"
                " dataset) VALUES (?, 'reserved', ?, ?, ?, ?, ?, ?, ?)",
                [(now, key_fp, account, holder, run_id, now + ttl, label, dataset)] * count,
            )
            return Reservation(holder, count, now + ttl)

    def release(self, holder: str) -> int:
        """Give back the holder's unused reserved slots; return how many."""
        with self._write() as con:
            return con.execute(
                "DELETE FROM slots WHERE holder = ? AND state = 'reserved'", (holder,)
            ).rowcount

    def penalize(self, key_fp: str, account: str, now: float, until: float, reason: str) -> float:
        """A 429: no process sends with ``key_fp`` before ``until``; return the end recorded.

        ``until`` is cut to the day window from ``now`` (a non-finite one is the day window);
        a back-off already running that ends later is kept.
        """
        until = until if math.isfinite(until) else math.inf
        until = self._bounded_until(now, max(now, until))
        with self._write() as con:
            row = con.execute(
                "SELECT at, until FROM penalties WHERE key_fp = ?", (key_fp,)
            ).fetchone()
            if row is not None:
                until = max(until, self._bounded_until(row[0], row[1]))
            con.execute(
                "INSERT INTO penalties (key_fp, account, at, until, reason)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_fp) DO UPDATE SET"
                " account = excluded.account, at = excluded.at, reason = excluded.reason,"
                " until = excluded.until",
                (key_fp, account, now, until, reason),
            )
        return until

    def clear_penalty(self, key_fp: str) -> Penalty | None:
        """Lift ``key_fp``'s back-off at once, for every process; return it (None: there was
        none, or it had ended)."""
        with self._write() as con:
            row = con.execute(
                "DELETE FROM penalties WHERE key_fp = ?"
                " RETURNING key_fp, account, at, until, reason",
                (key_fp,),
            ).fetchone()
        if row is None:
            return None
        penalty = Penalty(row[0], row[1], row[2], self._bounded_until(row[2], row[3]), row[4])
        return penalty if penalty.until > self.clock() else None

    def penalties(self, now: float) -> list[Penalty]:
        """Every back-off still running at ``now``, longest first."""
        with self._read() as con:
            rows = con.execute(
                "SELECT key_fp, account, at, until, reason FROM penalties WHERE until > ?", (now,)
            ).fetchall()
        running = [
            Penalty(fp, acct, at, self._bounded_until(at, until), why)
            for fp, acct, at, until, why in rows
        ]
        return sorted((p for p in running if p.until > now), key=lambda p: -p.until)

    def usage(
        self, account: str, now: float, *, key_fp: str | None = None, recent: int = 20
    ) -> Usage:
        """Used and remaining per window, next free slots, recent requests."""
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
            # Keys backing off are shown even if they sent nothing in the day window.
            for (fp,) in con.execute(
                "SELECT key_fp FROM penalties WHERE account = ? AND until > ? ORDER BY key_fp",
                (account, now),
            ).fetchall():
                if fp not in key_fps and self._penalty(con, fp, now):
                    key_fps.append(fp)
            if key_fp is not None and key_fp not in key_fps:
                key_fps.insert(0, key_fp)
            keys = [self._key_usage(con, fp, now) for fp in key_fps]
            by_dataset = self._by_dataset(con, account, now)
            rows = con.execute(
                "SELECT at, key_fp, account, status, label, run_id, dataset FROM slots "
                "WHERE account = ? AND state = 'sent' ORDER BY at DESC, id DESC LIMIT ?",
                (account, max(0, recent)),
            ).fetchall()
        records = [
            RequestRecord(at, fp, acct, status, label, run_id, dataset)
            for at, fp, acct, status, label, run_id, dataset in rows
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
            by_dataset=by_dataset,
        )

    def _by_dataset(
        self, con: Cursor, account: str, now: float
    ) -> dict[str | None, tuple[int, int]]:
        """(sent, reserved) per dataset: the slots :meth:`_day_releases` counts, by whose."""
        rows = con.execute(
            "SELECT dataset, state, count(*) FROM slots WHERE account = ? AND"
            " ((state = 'sent' AND at > ?) OR (state = 'reserved' AND expires > ?))"
            " GROUP BY dataset, state",
            (account, now - self.limits.day_window, now),
        ).fetchall()
        spent: dict[str | None, tuple[int, int]] = {}
        for dataset, state, count in rows:
            sent, reserved = spent.get(dataset, (0, 0))
            spent[dataset] = (
                (sent + count, reserved) if state == "sent" else (sent, reserved + count)
            )
        return spent

    def _key_usage(self, con: Cursor, key_fp: str, now: float) -> KeyUsage:
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


def wall_clock() -> float:
    """This machine's clock: epoch seconds, the one clock all its processes share."""
    return time.time()
