"""The API key never leaves the process that uses it.

A recognisable canary key is given to real project processes (the ``dagster`` and
``rankings-etl`` CLIs, with a temporary DAGSTER_HOME) through a success after retries (a 500
and a 429 whose error messages echo the key back), a 401 (echoing it too), a malformed 200 whose
``meta.version`` echoes ``Bearer <key>``, a valid 200 that echoes it in an extra field (stored),
and an unexpected exception. Then every file those processes could write, and everything they
printed, is searched for it, three ways: the bytes of every file (UTF-8 and UTF-16: logs,
compute logs, CSV), every SQLite database through SQL (Dagster's run, event and schedule
storage, the ledger: long values span pages), the DuckDB warehouse through SQL (DuckDB
compresses strings, so a byte search misses them) and the Parquet exports read back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dagster as dg
import duckdb

import rankings_etl
from rankings_etl.core.keys import key_fingerprint
from rankings_etl.definitions import resources as project_resources
from rankings_etl_tests.environment import project_env

from .support import (
    BIN,
    files_under,
    init_dagster_home,
    materialize_command,
    parquet_secret_hits,
    run_process,
    secret_hits,
    sqlite_secret_hits,
    warehouse_secret_hits,
)

#: Shaped like a real key; its random tail appears nowhere else.
CANARY = "sk-or-v1-canary-9d2f4be7a1c35e8f60b7d2c4a9e1f3b5"
NEEDLES = (CANARY, CANARY.removeprefix("sk-or-v1-"), "9d2f4be7a1c35e8f")
PACKAGE = Path(rankings_etl.__file__).parent


def test_the_canary_key_is_nowhere_after_retries_a_401_and_an_exception(
    pinned_sandbox, dagster_home, tmp_path
):
    env = project_env(tmp_path, pinned_sandbox.base_url, CANARY, dagster_home)
    init_dagster_home(env["DAGSTER_HOME"])
    data = Path(env["RANKINGS_DUCKDB_PATH"]).parent
    echo = f"upstream says: key {CANARY} is on fire"
    outputs = []

    def run(command, run_env=env, **faults_then):
        for fault in faults_then.get("faults", ()):
            pinned_sandbox.inject(**fault)
        completed = run_process(command, run_env, tmp_path, timeout=180)
        outputs.append(completed.stdout + completed.stderr)
        return completed

    materialize = materialize_command("rankings_daily", "2025-05-01", "2025-05-03")
    # Retries: a 500 and a 429 that echo the key, then the data.
    retried = run(
        materialize,
        faults=[
            {"kind": "status", "status": 500, "message": echo},
            {"kind": "status", "status": 429, "retry_after": 1, "message": echo},
        ],
    )
    assert retried.returncode == 0, retried.stderr[-3000:]
    assert "[redacted key]" in retried.stderr  # the retry log quotes the server, redacted

    # A 401 whose message echoes the key.
    refused = run(materialize, faults=[{"kind": "status", "status": 401, "message": echo}])
    assert refused.returncode != 0
    assert "the OpenRouter API key was refused" in refused.stderr
    assert f"key {key_fingerprint(CANARY)}" in refused.stderr

    # A malformed 200 whose meta.version echoes the key: refused, the message redacted.
    malformed = run(materialize, faults=[{"kind": "meta_version", "version": f"Bearer {CANARY}"}])
    assert malformed.returncode != 0
    assert "has meta.version 'Bearer [redacted key]'" in malformed.stderr

    # A valid 200 that echoes the key in an extra field: loaded, its body stored redacted.
    echoed = run(materialize, faults=[{"kind": "echo_key", "where": "meta"}])
    assert echoed.returncode == 0, echoed.stderr[-3000:]

    # An exception nobody planned for, after the key was used: the warehouse path is unusable.
    (tmp_path / "not_a_folder").write_text("a file where a folder should be")
    broken = {**env, "RANKINGS_DUCKDB_PATH": str(tmp_path / "not_a_folder" / "w.duckdb")}
    crashed = run(materialize, broken)
    assert crashed.returncode != 0
    assert "NotADirectoryError" in crashed.stderr or "FileExistsError" in crashed.stderr

    # The read side: the budget report, the status report, the exports.
    rankings_etl_cli = str(BIN / "rankings-etl")
    for command in (["budget"], ["budget", "--json"], ["status"], ["export"]):
        completed = run([rankings_etl_cli, *command])
        assert completed.returncode == 0, completed.stderr[-3000:]

    # The key really was used: every request carried it (the crashed run fetched before it
    # failed to open the warehouse).
    stats = pinned_sandbox.stats()
    assert stats["by_key"] == {key_fingerprint(CANARY): 7}
    assert stats["by_status"] == {"500": 1, "429": 1, "200": 4, "401": 1}

    searched = [Path(env["DAGSTER_HOME"]), data, tmp_path]
    assert len(files_under(searched)) > 20
    assert any(p.suffix == ".duckdb" for p in files_under([data]))
    assert any(p.name == "rate_budget.sqlite" for p in files_under([data]))
    assert any(p.suffix == ".parquet" for p in files_under([data]))
    assert secret_hits(searched, NEEDLES) == []
    assert sqlite_secret_hits(searched, NEEDLES) == []
    assert parquet_secret_hits(searched, NEEDLES) == []
    warehouse = Path(env["RANKINGS_DUCKDB_PATH"])
    assert warehouse_secret_hits(warehouse, NEEDLES) == []
    assert [needle for needle in NEEDLES for text in outputs if needle in text] == []
    # The sandbox's own log, which saw every request, holds fingerprints only.
    assert [n for n in NEEDLES if n in pinned_sandbox.log_path.read_text(errors="replace")] == []
    # The echoed body is really there, redacted: the search above was not vacuous.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        bodies = con.execute(
            "SELECT count(*) FROM raw_responses WHERE contains(body, $1)",
            ['"echo":"Bearer [redacted key]"'],
        ).fetchone()[0]
    assert bodies == 1


def test_the_secret_scan_would_find_a_leak(tmp_path):
    """The scans above are not vacuous: a key in a SQLite page, UTF-16 text, a DuckDB table or
    a Parquet file is found."""
    import sqlite3

    with sqlite3.connect(tmp_path / "leak.sqlite") as con:
        con.execute("CREATE TABLE t (v TEXT)")
        con.execute("INSERT INTO t VALUES (?)", [f"Bearer {CANARY}"])
        # A value spilling over several pages, the key wherever the page headers fall.
        con.execute("INSERT INTO t VALUES (?)", ["x" * 4077 + CANARY + "y" * 9000])
    (tmp_path / "leak.txt").write_text(CANARY, encoding="utf-16-le")
    hits = secret_hits([tmp_path], NEEDLES[:1])
    assert sorted(Path(hit.split(": ")[0]).name for hit in hits) == ["leak.sqlite", "leak.txt"]
    assert len(sqlite_secret_hits([tmp_path], NEEDLES[:1])) == 1  # t.v, rows counted once

    warehouse = tmp_path / "leak.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE raw_responses (body VARCHAR)")
        con.execute(
            "INSERT INTO raw_responses SELECT 'row ' || i || ' ' || $1 FROM range(20000) t(i)",
            [f'{{"echo":"Bearer {CANARY}"}}'],
        )
        con.execute(f"COPY raw_responses TO '{tmp_path / 'leak.parquet'}' (FORMAT parquet)")
    assert warehouse_secret_hits(warehouse, NEEDLES[:1]) == [
        f"raw_responses.body: {CANARY!r} in 20000 row(s)"
    ]
    assert len(parquet_secret_hits([tmp_path], NEEDLES[:1])) == 1


def test_the_key_is_read_only_through_envvar():
    """Dagster resolves the key at run time; it is never a config value or an import-time read."""
    assert isinstance(vars(project_resources["openrouter"])["api_key"], dg.EnvVar)
    readers = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value == "OPENROUTER_API_KEY":
                readers.setdefault(str(path.relative_to(PACKAGE)), []).append(node)
    env_var_calls = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) == "EnvVar"
        and [getattr(arg, "value", None) for arg in node.args] == ["OPENROUTER_API_KEY"]
    }
    assert env_var_calls == {"definitions.py"}
    # The one other reader: settings.current_key_fingerprint(), which `rankings-etl budget` (no
    # Dagster) calls to mark the key's fingerprint in its report; the value never leaves
    # key_fingerprint(). (settings.py also names the variable in its README table, ENVIRONMENT.)
    assert set(readers) == {"definitions.py", "settings.py"}
    settings = (PACKAGE / "settings.py").read_text(encoding="utf-8")
    assert "return key_fingerprint(api_key) if api_key.strip() else None" in settings
