"""Each analytics check fails when it should, blocks, and leaves the table as it was; and one
new day costs 8 days of rankings_daily however long the history."""

import contextlib
import datetime as dt
import json

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from rankings_etl.core.windows import Window
from rankings_etl.datasets import warehouse_specs
from rankings_etl.datasets.rankings_daily.checks import EVERY_MODEL_ONCE, SHARES_SUM
from rankings_etl.datasets.rankings_daily.tables import MODEL_SHARE_DAILY, PACKAGE
from rankings_etl.warehouse import build
from rankings_etl.warehouse.schema import ensure_schema
from rankings_etl.warehouse.sql import load_sql
from rankings_etl_tests.integration.helpers import step_outcomes

from .conftest import AS_OF, FIRST, LAST, digest, materialize


def evaluations(result):
    """{check name: {day: AssetCheckEvaluation}}: each check reports each day it judged."""
    found = {}
    for evaluation in result.get_asset_check_evaluations():
        found.setdefault(evaluation.check_name, {})[evaluation.partition] = evaluation
    return found


def corrupt_sql(monkeypatch, name, old, new):
    """Make ``load_sql(package, name)`` (as the build module sees it) return a broken
    statement."""
    real = build.load_sql

    def load(*args):
        sql = real(*args)
        if args[-1] == name:
            assert old in sql, f"{old!r} is not in {name}.sql any more: update this test"
            sql = sql.replace(old, new)
        return sql

    monkeypatch.setattr(build, "load_sql", load)


def assert_blocked(result, asset, check, dates):
    """The check failed at ERROR on exactly ``dates`` (its other days passed, unwritten), the
    step failed and wrote nothing; returns the first failing day's evaluation."""
    assert not result.success
    by_day = evaluations(result)[check]
    assert sorted(day for day, e in by_day.items() if not e.passed) == dates
    for day in dates:
        assert by_day[day].severity == dg.AssetCheckSeverity.ERROR
        assert by_day[day].description.startswith(f"{day}: ")
        assert by_day[day].metadata["problem"].value in by_day[day].description
    assert step_outcomes(result)[asset] == "failure"
    assert not result.asset_materializations_for_node(asset)
    return by_day[dates[0]]


def assert_never_ran(result, asset):
    """Dagster did not start ``asset``'s step (an upstream step failed), so it wrote nothing."""
    assert step_outcomes(result).get(asset, "skipped") == "skipped"
    assert not result.asset_materializations_for_node(asset)


LOADED = ["2025-01-01", "2025-01-02", "2025-01-04", "2025-01-05", "2025-01-06", "2025-01-08"]


def test_shares_that_do_not_sum_to_one_are_refused_and_block_market_and_authors(built, monkeypatch):
    """No input makes exact shares miss 1, so the bug is simulated: every share 0.1 % low."""
    before = digest(built)
    corrupt_sql(
        monkeypatch, "select_model_share_daily", "AS share_of_day,", "* 0.999 AS share_of_day,"
    )
    result = materialize(built, FIRST, LAST)
    evaluation = assert_blocked(result, "model_share_daily", "shares_sum_to_one", LOADED)
    assert "shares sum to 0.99" in evaluation.description
    assert all(e.passed for e in evaluations(result)["every_model_once"].values())
    assert_never_ran(result, "market_daily")
    assert_never_ran(result, "author_share_daily")
    # growth reads rankings_daily, not model_share_daily: it is not blocked
    assert step_outcomes(result)["model_growth_daily"] == "success"
    assert digest(built) == before  # the bad rows were rolled back, the good ones stayed


def test_a_duplicated_input_row_fails_every_model_once(built):
    with duckdb.connect(str(built)) as con:
        con.execute(
            "INSERT INTO rankings_daily SELECT * FROM rankings_daily "
            "WHERE date = '2025-01-02' AND model_permaslug = 'c/z'"
        )
    before = digest(built)
    result = materialize(built, FIRST, LAST)
    evaluation = assert_blocked(result, "model_share_daily", "every_model_once", ["2025-01-02"])
    assert "c/z appears 2 time(s)" in evaluation.description
    # the growth table counts its rows per ranked model the same way
    assert_blocked(
        result, "model_growth_daily", "growth_rows_for_every_ranked_model", ["2025-01-02"]
    )
    assert_never_ran(result, "market_daily")
    assert_never_ran(result, "author_share_daily")
    assert digest(built) == before


def test_a_ranked_model_without_a_growth_row_is_refused(built, monkeypatch):
    before = digest(built)
    corrupt_sql(  # simulated bug: the leader of each day goes missing
        monkeypatch,
        "select_model_growth_daily",
        "WHERE cur.date BETWEEN $1 AND $2",
        "WHERE cur.date BETWEEN $1 AND $2 AND cur.rank > 1",
    )
    result = materialize(built, FIRST, LAST)
    evaluation = assert_blocked(
        result, "model_growth_daily", "growth_rows_for_every_ranked_model", LOADED
    )
    assert "has 0 growth row(s)" in evaluation.description
    assert step_outcomes(result)["market_daily"] == "success"  # unrelated assets carry on
    assert digest(built) == before


def test_market_refuses_a_loaded_day_whose_model_shares_are_not_built(built):
    """Jan 9 arrives in rankings_daily, but only market_daily is run: it cannot cover Jan 9."""
    with duckdb.connect(str(built)) as con:
        con.execute(
            "INSERT INTO rankings_daily VALUES ('2025-01-09', 'a/x', 1, 90, $1, $1), "
            "('2025-01-09', 'other', NULL, 10, $1, $1)",
            [AS_OF],
        )
    before = digest(built)
    result = materialize(built, LAST, "2025-01-09", selection=["market_daily"])
    evaluation = assert_blocked(result, "market_daily", "one_row_per_day", ["2025-01-09"])
    assert "0 market row(s)" in evaluation.description
    assert digest(built) == before  # Jan 8's row was put back by the rollback


def test_authors_that_do_not_add_up_to_the_top_50_are_refused(built):
    """A model_share_daily row whose share no longer matches its tokens (edited by hand)."""
    with duckdb.connect(str(built)) as con:
        con.execute(
            "UPDATE model_share_daily SET share_of_day = share_of_day + 0.01 "
            "WHERE date = '2025-01-05' AND model_permaslug = 'a/x'"
        )
    before = digest(built)
    result = materialize(built, FIRST, LAST, selection=["author_share_daily"])
    evaluation = assert_blocked(
        result, "author_share_daily", "authors_sum_to_top50_share", ["2025-01-05"]
    )
    assert "authors sum to 0.9" in evaluation.description
    assert digest(built) == before


def test_build_table_checks_the_rows_as_written_and_rolls_them_back(warehouse, monkeypatch):
    """Without Dagster: an ERROR found in the written rows leaves the table exactly as it was."""
    window = Window(dt.date(2025, 1, 1), dt.date(2025, 1, 8))
    checks = [SHARES_SUM, EVERY_MODEL_ONCE]
    with duckdb.connect(str(warehouse)) as con:
        good = build.build_table(con, MODEL_SHARE_DAILY, window, checks)
        assert not good.blocked and good.rows_written == good.table_rows == 18
        snapshot = con.execute("SELECT * FROM model_share_daily ORDER BY ALL").fetchall()
        corrupt_sql(
            monkeypatch, "select_model_share_daily", "AS share_of_day,", "* 2 AS share_of_day,"
        )
        bad = build.build_table(con, MODEL_SHARE_DAILY, window, checks)
        assert [o.spec.name for o in bad.blocked] == ["shares_sum_to_one"]
        assert (bad.rows_written, bad.table_rows) == (0, 18)
        assert con.execute("SELECT * FROM model_share_daily ORDER BY ALL").fetchall() == snapshot
        # nothing of the attempt is left behind on the connection
        temp = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()
        assert temp == (0,)


# --- cost -------------------------------------------------------------------------------------


class ScanRecorder:
    """A DuckDB connection that notes, for every statement, each scan of rankings_daily."""

    def __init__(self, con, log):
        self._con = con
        self._log = log
        con.execute("PRAGMA enable_profiling = 'no_output'")

    def execute(self, sql, *args, **kwargs):
        result = self._con.execute(sql, *args, **kwargs)
        profile = json.loads(self._con.get_profiling_information())
        scans = []
        stack = list(profile.get("operator", []))
        while stack:
            node = stack.pop()
            stack.extend(node.get("children", []))
            info = node.get("extra_info", {})
            if node["type"] == "TABLE_SCAN" and info.get("Table", "").endswith(".rankings_daily"):
                filters = f"{info.get('Filters', '')} {info.get('Dynamic Filters', '')}"
                scans.append({"rows": node["intermediate_rows"], "filters": filters})
        if scans:
            with open(self._log, "a") as log:
                log.write(json.dumps({"sql": sql, "scans": scans}) + "\n")
        return result

    def __getattr__(self, name):
        return getattr(self._con, name)


class ProfiledDuckDB(DuckDBResource):
    """The project's DuckDB resource, with every scan of rankings_daily written to ``log``."""

    log: str

    @contextlib.contextmanager
    def get_connection(self):
        with super().get_connection() as con:
            yield ScanRecorder(con, self.log)


def history(path, first, last, models=50):
    """``models`` ranked models plus `other` for every day of ``[first, last]``."""
    with duckdb.connect(str(path)) as con:
        ensure_schema(con, warehouse_specs())
        con.execute(
            "INSERT INTO rankings_daily "
            "SELECT d::DATE, CASE WHEN i > $3 THEN 'other' ELSE 'lab' || i % 9 || '/m' || i END, "
            "CASE WHEN i <= $3 THEN i END, 1000000000000 // i + (hash(d, i) % 1000)::BIGINT, "
            "$4, $4 "
            "FROM range($1::TIMESTAMP, $2::TIMESTAMP + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d), "
            "range(1, $3 + 2) s(i) ORDER BY 1, 3",
            [first, last, models, AS_OF],
        )
    return path


def test_one_new_day_of_the_whole_graph_reads_eight_days_of_rankings(tmp_path):
    new_day = dt.date(2026, 6, 1)  # after 517 days of history
    path = history(tmp_path / "w.duckdb", dt.date(2025, 1, 1), new_day)
    log = tmp_path / "scans.jsonl"
    result = materialize(
        path,
        partition=new_day.isoformat(),
        duckdb_resource=ProfiledDuckDB(database=str(path), log=str(log)),
    )
    assert result.success
    statements = [json.loads(line) for line in log.read_text().splitlines()]
    scans = [scan for statement in statements for scan in statement["scans"]]
    assert scans, "the profiler saw no scan of rankings_daily"
    # every scan of rankings_daily is cut down to the run's days inside the scan itself (the
    # optimizer may drop a bound the table's statistics already guarantee, so look for any)
    assert max(scan["rows"] for scan in scans) == 8 * 51
    assert all("date" in scan["filters"] for scan in scans)
    # the eight days are the growth table's: the new day and the seven before it
    growth_sql = load_sql(PACKAGE, "select_model_growth_daily")
    growth = [s for s in statements if growth_sql in s["sql"]]
    assert growth and all(scan["rows"] == 8 * 51 for s in growth for scan in s["scans"])
    assert all("2026-05-25" in scan["filters"] for s in growth for scan in s["scans"])
    # and everything else reads the new day alone
    others = [scan for s in statements if s not in growth for scan in s["scans"]]
    assert others and all(scan["rows"] <= 51 for scan in others)


@pytest.mark.parametrize("years", [1, 16])
def test_the_growth_of_one_day_reads_the_same_rows_however_long_the_history(tmp_path, years):
    """The date filter reaches the storage: row groups of other days are skipped unread."""
    day = dt.date(2026, 6, 1)
    path = history(tmp_path / "w.duckdb", day - dt.timedelta(days=365 * years), day)
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("PRAGMA enable_profiling = 'no_output'")
        con.execute(load_sql(PACKAGE, "select_model_growth_daily"), [day, day]).fetchall()
        profile = json.loads(con.get_profiling_information())
        row_groups = con.execute(
            "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('rankings_daily')"
        ).fetchone()[0]
    scans, stack = [], list(profile["operator"])
    while stack:
        node = stack.pop()
        stack.extend(node.get("children", []))
        if node["type"] == "TABLE_SCAN":
            scans.append(node)
    assert scans
    for scan in scans:
        assert scan["intermediate_rows"] == 8 * 51
        assert scan["row_groups_scanned"] == 1  # of `row_groups`
        assert scan["rows_scanned"] <= 122_880  # at most one row group's worth
    if years == 16:
        assert row_groups > 2
