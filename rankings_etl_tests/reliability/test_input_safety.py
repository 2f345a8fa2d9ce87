"""Input safety: no SQL is built from API data, and every entry point refuses bad arguments.

API data (permaslugs, tokens, dates, bodies) reaches SQL only as bound parameters (``$1``,
``?``) or through a registered DataFrame; test_fault_matrix.py shows hostile permaslugs stored
verbatim. Here a static audit lists every statement whose *text* is built at run time and
requires each interpolated expression to be one of ours, with the reason it is safe.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import rankings_etl
from rankings_etl.cli import main
from rankings_etl.sandbox.testing import SandboxAdminError

from .sql_audit import audit_package
from .support import BIN

PACKAGE = Path(rankings_etl.__file__).parent

#: (module, interpolated expression) -> why it cannot carry API data.
JUSTIFIED = {
    ("warehouse/writes.py", "table"): "replace_date_range's table: callers pass a literal table "
    "name (load: 'rankings_daily') or build_table's, a registry TableSpec's name",
    ("warehouse/writes.py", "source"): "a relation name our own SQL built: 'incoming' "
    "(load) or build.COMPUTED, never data",
    ("warehouse/writes.py", "column"): "replace_date_range's time column: its default 'date' "
    "or build_table's, a registry TableSpec's time_column",
    ("warehouse/schema.py", "statement"): "ensure_schema runs the registry tables' own "
    "sql/create_<table>_table.sql files and raw_responses' own migrate_*.sql files",
    ("warehouse/schema.py", "spec.sql_package"): "TableSpec.sql_package of a registry spec: "
    "the literal name of the package whose sql/ folder holds the statement",
    ("warehouse/schema.py", "name"): "a file stem of the module constant RAW_RESPONSES_V2 "
    "(literals)",
    ("data_api/raw_responses.py", "PACKAGE"): "module constant 'rankings_etl.data_api', the "
    "package whose sql/ folder holds the statement",
    ("warehouse/connection.py", "table"): "count_rows' table: callers pass a literal table name "
    "(load: 'rankings_daily') or build_table's, a registry TableSpec's name",
    ("warehouse/build.py", "table"): "spec.name of a registry TableSpec (a literal in "
    "datasets/rankings_daily/tables.py)",
    ("warehouse/build.py", "column"): "spec.time_column of a registry TableSpec (a literal "
    "or its default 'date')",
    ("warehouse/build.py", "source"): "spec.checked_dates_from or spec.name of a registry "
    "TableSpec (literals in datasets/rankings_daily/tables.py)",
    ("warehouse/build.py", "COMPUTED"): "module constant 'computed_rows'",
    ("warehouse/build.py", "WRITTEN"): "module constant 'new_rows'",
    ("warehouse/build.py", "select"): "the spec's own sql/select_<table>.sql, from its package",
    ("warehouse/build.py", "spec.sql_package"): "TableSpec.sql_package: the package whose sql/ "
    "folder holds the statement (a literal in the dataset's tables.py)",
    ("warehouse/build.py", "check.sql_name"): "TableCheck.sql_name: literals in "
    "datasets/rankings_daily/checks.py",
    ("orchestration/metadata.py", "column"): "spec.time_column of a registry TableSpec (a "
    "literal or its default 'date')",
    ("orchestration/metadata.py", "figures_query(spec)"): "the spec's own "
    "sql/figures_<table>.sql from its package, or the default built from the two names below",
    ("orchestration/metadata.py", "table"): "spec.name of a registry TableSpec (a literal in "
    "its dataset's tables.py); the dates are bound as parameters",
    ("datasets/rankings_daily/load.py", "PACKAGE"): "tables.PACKAGE, the literal name of the "
    "package whose sql/ folder holds the statement",
    ("datasets/app_rankings_weekly/load.py", "PACKAGE"): "tables.PACKAGE, the literal name of "
    "the package whose sql/ folder holds the statement",
    (
        "publishing/exports.py",
        "table",
    ): "keys of published_tables(): registry TableSpec names (literals)",
    (
        "publishing/exports.py",
        "_quote(partial)",
    ): "the export path (our folder + our table names), its "
    "quotes doubled: COPY ... TO cannot take a parameter",
    ("publishing/exports.py", "options"): "one of two literal COPY option strings",
    ("commands/status.py", "table"): "the names of the registry's tables that assets write "
    "(literals in each dataset's tables.py)",
    ("budget/ledger.py", "self._IS_NOT"): "class constant: 'IS NOT' (SQLite) or "
    "'IS DISTINCT FROM' (Postgres)",
    ("budget/sqlite_ledger.py", "int(self.busy_timeout_seconds * 1000)"): "an int from our "
    "settings (PRAGMA takes no parameters)",
    ("budget/sqlite_ledger.py", "SCHEMA_VERSION"): "module constant (an int)",
    ("budget/sqlite_ledger.py", "statement"): "the module's own SCHEMA text, split per statement",
    ("core/transactions.py", "begin"): "transaction()'s opening statement: the default "
    "'BEGIN TRANSACTION' (the warehouse) or the SQLite ledger's literal 'BEGIN IMMEDIATE' / "
    "'BEGIN DEFERRED'",
    ("budget/postgres_ledger.py", "PG_SCHEMA"): "module constant 'rankings_budget'",
    ("budget/postgres_ledger.py", "SCHEMA"): "the module's own DDL (an f-string of PG_SCHEMA)",
    ("budget/postgres_ledger.py", "sql.replace('?', '%s')"): "the ledger's own statements with "
    "their ? placeholders turned into psycopg2's %s; values still travel as parameters",
}

#: Modules whose statements are all SQLAlchemy Core expressions (Dagster's own tables, values
#: bound as parameters by SQLAlchemy): the audit sees a variable passed to ``execute`` and
#: cannot tell. That they write no SQL text at all is checked, not assumed.
SQLALCHEMY_CORE_MODULES = {
    "event_storage/batches.py",
    "event_storage/sqlite.py",
    "event_storage/postgres.py",
}


def test_the_sqlalchemy_core_modules_write_no_sql_text():
    for module in sorted(SQLALCHEMY_CORE_MODULES):
        tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", None))
                assert name not in {"text", "exec_driver_sql"}, f"{module}:{node.lineno}"
            assert not isinstance(node, ast.JoinedStr) or not any(
                word in ast.unparse(node).upper() for word in ("SELECT ", "INSERT ", "UPDATE ")
            ), f"{module}:{node.lineno}: SQL in an f-string"


def test_no_sql_statement_text_is_built_from_anything_but_our_own_constants():
    findings = audit_package(PACKAGE)
    assert findings, "the audit found no dynamic SQL at all: is it still looking?"
    unexplained = [
        f"{f.module}:{f.line} in {f.function}(): {f.expression}"
        for f in findings
        if f.key not in JUSTIFIED and f.module not in SQLALCHEMY_CORE_MODULES
    ]
    assert unexplained == [], (
        "SQL text built from these expressions: bind values as parameters instead, or add the "
        "expression to JUSTIFIED with the reason it can never hold API data"
    )


def test_the_audit_catches_sql_built_from_data(tmp_path):
    (tmp_path / "leaky.py").write_text(
        "def store(con, row):\n"
        "    con.execute(f\"INSERT INTO t VALUES ('{row['model_permaslug']}')\")\n"
        "    sql = 'SELECT * FROM t WHERE slug = %s' % row['slug']\n"
        "    con.execute(sql)\n"
        "    con.execute('SELECT * FROM t WHERE slug = {}'.format(row['slug']))\n"
        "    con.execute('SELECT * FROM t WHERE slug = $1', [row['slug']])\n"
    )
    found = sorted((f.line, f.expression) for f in audit_package(tmp_path))
    assert found == [
        (2, "row['model_permaslug']"),
        (4, "row['slug']"),
        (5, "row['slug']"),
    ]


# --- command-line arguments --------------------------------------------------------------------

BAD_ARGUMENTS = [
    (["sandbox", "--today", "2026-02-30"], "is not a YYYY-MM-DD date"),
    (["sandbox", "--port", "70000"], "70000 is not in the range 0<=x<=65535"),
    (["sandbox", "--per-minute", "0"], "0 is not in the range x>=1"),
    (["sandbox", "--per-day", "-3"], "-3 is not in the range x>=1"),
    (["sandbox", "--as-of", "yesterday"], "is not an ISO date-time"),
    (["sandbox", "--fault", "gremlins"], "unknown fault kind 'gremlins'"),
    (["sandbox", "--fault", "status"], "a status fault needs `status`"),
    (["sandbox", "--fault", "status:status=700"], "must be an integer from 400 to 599"),
    (["sandbox", "--fault", "delay:seconds=-1"], "`seconds` must be between 0 and 600"),
    (["sandbox", "--fault", "{not json"], "is not valid JSON"),
    (["sandbox", "--revise", "2025-01-01:abc"], "is not DATE:FACTOR"),
    (["sandbox", "--keys", "/nonexistent/keys.txt"], "does not exist"),
    (["sandbox", "--replay", "/nonexistent/rows.csv"], "does not exist"),
    (["rebuild", "2025-13-01", "2025-01-02"], "'2025-13-01' is not a YYYY-MM-DD date"),
    (["rebuild", "2025-02-01", "2025-01-01"], "START 2025-02-01 is after END 2025-01-01"),
    (["rebuild", "2024-12-31", "2025-01-02"], "the partitions run from 2025-01-01"),
    (["rebuild", "2025-01-01", "2099-01-01"], "the partitions run from 2025-01-01"),
    (["rebuild", "2025-01-01"], "Missing argument 'END'"),
    (["rebuild", "2025-01-01", "2025-01-02", "2025-01-03"], "unexpected extra argument"),
    (["budget", "--per-minute", "0"], "0 is not in the range x>=1"),
    (["budget", "--per-day", "many"], "'many' is not a valid integer"),
    (["budget", "--recent", "-1"], "-1 is not in the range x>=0"),
    (["budget", "--bogus"], "No such option '--bogus'"),
    (["top", "--n", "0"], "0 is not in the range 1<=x<=50"),
    (["top", "--date", "2025-02-30"], "is not a YYYY-MM-DD date"),
    (["export", "--format", "xml"], "'xml' is not one of 'parquet', 'csv'"),
    (["no-such-command"], "No such command 'no-such-command'"),
]


@pytest.mark.parametrize(
    ("arguments", "message"), BAD_ARGUMENTS, ids=[" ".join(a) for a, _ in BAD_ARGUMENTS]
)
def test_bad_arguments_exit_2_with_a_message(tmp_path, arguments, message):
    env = {"RANKINGS_BUDGET_DB": str(tmp_path / "ledger.sqlite"), "OPENROUTER_API_KEY": ""}
    result = CliRunner().invoke(main, arguments, env=env)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "ledger.sqlite").exists()  # refused before doing anything


def test_a_bad_setting_in_the_environment_is_a_usage_error_too(tmp_path):
    result = CliRunner().invoke(
        main,
        ["budget"],
        env={"RANKINGS_BUDGET_DB": str(tmp_path / "l.sqlite"), "OPENROUTER_RATE_PER_DAY": "lots"},
    )
    assert result.exit_code == 2 and "'lots' is not a valid integer" in result.output


@pytest.mark.parametrize("url", ["mysql://db/budget", "http://example.com/ledger"])
def test_an_unusable_ledger_url_is_a_usage_error(tmp_path, url):
    result = CliRunner().invoke(main, ["budget", "--db", url])
    assert result.exit_code == 2, result.output
    assert "--db" in result.output


@pytest.mark.parametrize(
    "arguments",
    [
        ["sandbox", "--fault", "gremlins"],
        ["rebuild", "2025-02-01", "2025-01-01"],
        ["budget", "--per-day", "0"],
    ],
    ids=["sandbox", "rebuild", "budget"],
)
def test_the_installed_console_script_exits_2_on_bad_arguments(tmp_path, arguments):
    completed = subprocess.run(
        [str(BIN / "rankings-etl"), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert completed.returncode == 2
    assert "Error:" in completed.stderr and "Traceback" not in completed.stderr


# --- the sandbox's admin API -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"kind": "gremlins"}, "unknown fault kind"),
        ({"kind": "status"}, "needs `status`"),
        ({"kind": "status", "status": "500"}, "must be an integer from 400 to 599"),
        ({"kind": "delay", "seconds": 10_000}, "must be between 0 and 600"),
        ({"kind": "drop", "count": 0}, "`count` must be a positive integer or -1"),
        ({"kind": "drop", "colour": "red"}, "unknown parameter(s) colour"),
        ({"kind": "tailless", "date": "2025-02-30"}, "must be a YYYY-MM-DD date"),
        ({"kind": "hostile_slug", "variant": "worse"}, "must be one of"),
    ],
)
def test_the_sandbox_refuses_bad_faults_and_queues_nothing(sandbox, fault, message):
    with pytest.raises(SandboxAdminError) as refused:
        sandbox.inject(**fault)
    assert message in str(refused.value)
    assert sandbox.faults()["queue"] == []


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"per_minute": 0}, "per_minute must be a positive integer"),
        ({"per_day": "many"}, "per_day must be a positive integer"),
        ({"today": "2026-02-30"}, "is not a YYYY-MM-DD date"),
        ({"as_of": "soon"}, "is not an ISO date-time"),
        ({"colour": "red"}, "unknown setting(s) colour"),
    ],
)
def test_the_sandbox_refuses_bad_settings_and_changes_nothing(sandbox, settings, message):
    before = sandbox.config()
    with pytest.raises(SandboxAdminError) as refused:
        sandbox.configure(**settings)
    assert message in str(refused.value)
    assert sandbox.config() == before
