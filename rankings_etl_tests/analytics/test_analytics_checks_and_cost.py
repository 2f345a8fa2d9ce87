"""The analytics checks can fail (and then block and write nothing); one new day costs 8 days."""

import datetime as dt
import json

import duckdb

from rankings_etl import analytics
from rankings_etl.assets.analytics import GROWTH_ROWS as GROWTH
from rankings_etl.assets.analytics import SHARES_SUM as SHARES
from rankings_etl.warehouse import ensure_schema, load_sql
from rankings_etl.windows import Window

from ..integration.helpers import check_evaluations, step_outcomes


def test_one_new_day_of_growth_reads_only_eight_days_of_rankings(tmp_path):
    con = duckdb.connect()
    ensure_schema(con)
    con.execute(  # 700 days x 51 rows of history
        "INSERT INTO rankings_daily SELECT DATE '2025-01-01' + d::INT, 'a/m' || i, i, 1000 - i, "
        "now(), now() FROM range(700) t(d), range(1, 52) s(i)"
    )
    profile = tmp_path / "profile.json"
    con.execute("PRAGMA enable_profiling='json'")
    con.execute(f"PRAGMA profiling_output='{profile}'")
    day = dt.date(2026, 6, 1)
    con.execute(load_sql("select_model_growth_daily"), [day, day]).fetchall()
    con.execute("PRAGMA disable_profiling")

    scans = []

    def walk(node):
        if node.get("type") == "TABLE_SCAN" and "rankings_daily" in node["extra_info"]["Table"]:
            scans.append(node)
        for child in node.get("children", []):
            walk(child)

    for operator in json.loads(profile.read_text())["operator"]:
        walk(operator)
    assert scans, "the plan should scan rankings_daily"
    for scan in scans:
        # the date filter is pushed into the scan: exactly 8 days x 51 rows come out of it
        assert scan["intermediate_rows"] == 8 * 51
        assert "2026-05-25" in scan["extra_info"]["Filters"]
        assert "2026-06-01" in scan["extra_info"]["Filters"]


def test_a_duplicated_input_row_fails_every_model_once_blocks_and_writes_nothing(
    run_analytics, warehouse
):
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "INSERT INTO rankings_daily SELECT * FROM rankings_daily "
            "WHERE date = '2025-01-02' AND model_permaslug = 'c/z'"
        )
    result = run_analytics("2025-01-01", "2025-01-08")
    assert not result.success
    evaluation = check_evaluations(result)["every_model_once"]
    assert not evaluation.passed
    assert "2025-01-02" in str(evaluation.metadata["failing_dates"].value)
    outcomes = step_outcomes(result)
    assert outcomes["model_share_daily"] == "failure"
    assert outcomes.get("market_daily") != "success"  # blocked downstream
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM model_share_daily").fetchone() == (0,)


def test_shares_that_do_not_sum_to_one_are_refused_and_rolled_back(warehouse, monkeypatch):
    """A bug in the share SQL (simulated: every share 0.1 % low) cannot reach the table."""
    real = analytics.load_sql

    def corrupted(name):
        sql = real(name)
        if name == "select_model_share_daily":
            sql = sql.replace("AS share_of_day", "* 0.999 AS share_of_day")
        return sql

    window = Window(dt.date(2025, 1, 1), dt.date(2025, 1, 8))
    with duckdb.connect(str(warehouse)) as con:
        good = analytics.build_table(con, "model_share_daily", window, [SHARES])
        assert not good.blocked and good.rows_written == 16
        monkeypatch.setattr(analytics, "load_sql", corrupted)
        bad = analytics.build_table(con, "model_share_daily", window, [SHARES])
        assert bad.blocked and bad.rows_written == 0
        assert len(bad.blocked[0].errors) == 6  # every loaded day
        assert "shares sum to 0.999" in bad.blocked[0].summary()
        shares = con.execute(
            "SELECT sum(share_of_day) FROM model_share_daily GROUP BY date"
        ).fetchall()
        assert all(abs(total - 1) < 1e-12 for (total,) in shares)  # the good rows stayed


def test_a_growth_row_missing_for_a_ranked_model_is_caught(warehouse, monkeypatch):
    real = analytics.load_sql
    monkeypatch.setattr(
        analytics,
        "load_sql",
        lambda name: real(name).replace(
            "WHERE cur.date BETWEEN $1 AND $2", "WHERE cur.date BETWEEN $1 AND $2 AND cur.rank < 2"
        ),
    )
    window = Window(dt.date(2025, 1, 1), dt.date(2025, 1, 8))
    with duckdb.connect(str(warehouse)) as con:
        result = analytics.build_table(con, "model_growth_daily", window, [GROWTH])
    assert result.blocked and "has 0 growth row(s)" in result.blocked[0].summary()
