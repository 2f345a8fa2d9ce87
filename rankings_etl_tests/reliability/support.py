"""Plain helpers for the reliability tests: warehouse checksums, project processes, secret scans.

No fixtures here (they are in ``conftest.py``), so subprocess scripts and tests share them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

import rankings_etl
from rankings_etl.datasets import warehouse_tables

#: The checkout: its ``dagster.yaml`` is the instance configuration under test.
ROOT = Path(rankings_etl.__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

#: ``meta.as_of`` the sandbox serves during these tests, so rows are reproducible across runs.
AS_OF = "2026-11-24T02:00:00.000Z"
#: A second, later ``as_of``: rows loaded under it are distinguishable from those under AS_OF.
LATER_AS_OF = "2026-11-24T14:00:00.000Z"

#: The tables every warehouse has (the schema is created on the first connection).
WAREHOUSE_TABLES = tuple(sorted(warehouse_tables()))


# --- the warehouse, read-only ------------------------------------------------------------------


def connect_read_only(path: Path | str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def warehouse_digest(path: Path | str) -> dict[str, tuple]:
    """``{table: (rows, sum(hash(col)) for every column)}`` of every table in the file.

    Every column counts, ``fetched_at``, ``run_id`` and the raw bodies included, so two equal
    digests mean the same rows byte for byte (up to hash collisions). ``{}``: no file.
    """
    if not Path(path).exists():
        return {}
    with connect_read_only(path) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' ORDER BY table_name"
            ).fetchall()
        ]
        # Table names come from the file's own catalog (our DDL), quoted as identifiers.
        return {
            name: con.execute(f'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{name}"').fetchone()
            for name in tables
        }


def rankings_content(path: Path | str, start=None, end=None) -> list[tuple]:
    """rankings_daily as the API defines it: (date, permaslug, rank, tokens, as_of), sorted.

    Excludes ``fetched_at`` (when *we* received it), so a healed retry compares equal to a clean
    fetch of the same data.
    """
    where, params = "", []
    if start is not None:
        where, params = "WHERE date BETWEEN $1 AND $2", [start, end]
    with connect_read_only(path) as con:
        return con.execute(
            "SELECT date, model_permaslug, rank, total_tokens, as_of FROM rankings_daily "
            f"{where} ORDER BY ALL",
            params,
        ).fetchall()


def rows_per_date(path: Path | str, table: str = "rankings_daily") -> dict[dt.date, int]:
    assert table in WAREHOUSE_TABLES
    with connect_read_only(path) as con:
        return dict(
            con.execute(
                f"SELECT date, count(*) FROM {table} GROUP BY date ORDER BY date"
            ).fetchall()
        )


def duplicated_rows(path: Path | str) -> int:
    """(date, model_permaslug) pairs of rankings_daily that appear more than once."""
    with connect_read_only(path) as con:
        return con.execute(
            "SELECT count(*) FROM (SELECT date, model_permaslug FROM rankings_daily "
            "GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]


def warehouse_secret_hits(path: Path | str, needles: Iterable[str]) -> list[str]:
    """``table.column: needle`` for every value of every table that contains a needle.

    Searched through SQL, every column cast to text: DuckDB compresses strings in its file, so
    a byte search of the file can miss a key that is there.
    """
    if not Path(path).exists():
        return []
    needles = list(needles)
    hits = []
    with connect_read_only(path) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY ALL"
        ).fetchall()
        for table, column in columns:
            for needle in needles:
                # Names come from the file's own catalog, quoted as identifiers; the needle is
                # a bound parameter.
                sql = f'SELECT count(*) FROM "{table}" WHERE contains("{column}"::VARCHAR, $1)'
                found = con.execute(sql, [needle]).fetchone()[0]
                if found:
                    hits.append(f"{table}.{column}: {needle!r} in {found} row(s)")
    return hits


def copy_warehouse(source: Path, target: Path) -> Path:
    """Copy a closed DuckDB file (and its WAL, if one was left) to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    return target


def days(start: str, end: str) -> list[dt.date]:
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# --- the sandbox -------------------------------------------------------------------------------


def wait_for_requests(sandbox, count: int, timeout: float = 10.0) -> list[dict]:
    """The sandbox's request log once it holds ``count`` requests (a timed-out request is
    logged only when the sandbox finishes answering it, after the client gave up)."""
    deadline = time.monotonic() + timeout
    while True:
        requests = sandbox.requests()
        if len(requests) >= count or time.monotonic() > deadline:
            return requests
        time.sleep(0.05)


# --- project processes -------------------------------------------------------------------------


def init_dagster_home(home: Path | str) -> Path:
    """A DAGSTER_HOME with the project's ``dagster.yaml``, its SQLite storage created.

    Creating the storage once up front matters: processes that start at the same moment on an
    empty DAGSTER_HOME race to run Dagster's schema migrations (alembic "more than one head").
    """
    import dagster as dg

    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "dagster.yaml", home / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(home))
    instance.dispose()
    return home


def materialize_command(select: str, start: str, end: str) -> list[str]:
    """``dagster asset materialize`` over a partition range, as a user types it."""
    return [
        str(BIN / "dagster"),
        "asset",
        "materialize",
        "-m",
        "rankings_etl.definitions",
        "--select",
        select,
        "--partition-range",
        f"{start}...{end}",
    ]


def run_process(
    command: list[str], env: Mapping[str, str], cwd: Path, timeout: float = 180
) -> subprocess.CompletedProcess:
    """Run to completion; stdout and stderr are both captured (text)."""
    return subprocess.run(
        command,
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_process(
    command: list[str], env: Mapping[str, str], cwd: Path, log: Path
) -> subprocess.Popen:
    """Start in the background, stdout+stderr into ``log``."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            command, env=dict(env), cwd=cwd, stdout=out, stderr=subprocess.STDOUT
        )


def open_files(pid: int) -> set[str]:
    """Paths the process holds open (Linux /proc); empty once it is gone."""
    fd_dir = Path(f"/proc/{pid}/fd")
    paths = set()
    try:
        for fd in fd_dir.iterdir():
            try:
                paths.add(os.readlink(fd))
            except OSError:
                continue
    except OSError:
        return set()
    return paths


# --- secrets -----------------------------------------------------------------------------------


def files_under(paths: Iterable[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file())
    return found


def secret_hits(paths: Iterable[Path], needles: Iterable[str]) -> list[str]:
    """``file: needle`` for every file under ``paths`` whose bytes contain a needle.

    Searched as UTF-8 and UTF-16-LE bytes, so a key inside SQLite/DuckDB pages or a JSON-escaped
    log line is found as well as one in a text file.
    """
    patterns = []
    for needle in needles:
        patterns += [needle.encode(), needle.encode("utf-16-le")]
    hits = []
    for path in files_under(paths):
        data = path.read_bytes()
        hits += [f"{path}: {p!r}" for p in patterns if p in data]
    return hits


SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_secret_hits(paths: Iterable[Path], needles: Iterable[str]) -> list[str]:
    """``file table.column: needle`` for every value of every SQLite database under ``paths``
    (Dagster's run, event and schedule storage, the rate-budget ledger) containing a needle.

    Through SQL, not bytes: a long value spills over pages whose headers split it, and the
    database's WAL file holds pages a byte search would have to reassemble.
    """
    import sqlite3

    needles = list(needles)
    hits = []
    for path in files_under(paths):
        with open(path, "rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                continue
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = [
                name
                for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            for table in tables:
                columns = [row[1] for row in con.execute(f'PRAGMA table_info("{table}")')]
                for column in columns:
                    for needle in needles:
                        where = f'instr(CAST("{column}" AS TEXT), ?) > 0'
                        sql = f'SELECT count(*) FROM "{table}" WHERE {where}'
                        if con.execute(sql, [needle]).fetchone()[0]:
                            hits.append(f"{path} {table}.{column}: {needle!r}")
        finally:
            con.close()
    return hits


def parquet_secret_hits(paths: Iterable[Path], needles: Iterable[str]) -> list[str]:
    """``file: needle`` for every Parquet file under ``paths`` with a value containing a needle
    (Parquet pages are compressed: read them back, do not grep them)."""
    needles = list(needles)
    hits = []
    with duckdb.connect() as con:
        for path in files_under(paths):
            if path.suffix != ".parquet":
                continue
            rows = con.execute("SELECT * FROM read_parquet($1)", [str(path)]).fetchall()
            text = "\n".join(" ".join(str(value) for value in row) for row in rows)
            hits += [f"{path}: {needle!r}" for needle in needles if needle in text]
    return hits
