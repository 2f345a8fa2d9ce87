"""The analytics tables against values computed by hand from the fixture in conftest.py."""

import duckdb
import pytest

APPROX = {"rel": 1e-12, "abs": 1e-15}


@pytest.fixture
def loaded(run_analytics):
    result = run_analytics("2025-01-01", "2025-01-08")
    assert result.success
    return result


def test_model_shares(loaded, table):
    rows = table("model_share_daily")
    a = rows[("2025-01-01", "a/x")]
    assert a["share_of_day"] == pytest.approx(0.6, **APPROX)
    assert a["share_of_top50"] == pytest.approx(60 / 90, **APPROX)
    assert (a["author"], a["variant"], a["rank"]) == ("a", None, 1)
    b = rows[("2025-01-01", "b/y:free")]
    assert (b["author"], b["variant"]) == ("b", "free")
    other = rows[("2025-01-01", "other")]
    assert other["share_of_day"] == pytest.approx(0.1, **APPROX)
    assert (other["author"], other["share_of_top50"], other["rank"]) == (None, None, None)
    # a day without `other`: share of the top 50 equals share of the day
    tailless = rows[("2025-01-04", "a/x")]
    assert tailless["share_of_top50"] == tailless["share_of_day"] == pytest.approx(0.8)
    assert len(rows) == sum(1 for _ in rows)  # one row per (date, model)
    assert len(rows) == 16


def test_shares_are_one_exact_division(loaded, warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        mismatches = con.execute(
            "SELECT count(*) FROM model_share_daily s JOIN ("
            "  SELECT date, sum(total_tokens)::HUGEINT AS day FROM rankings_daily GROUP BY date"
            ") d USING (date) WHERE s.share_of_day <> s.total_tokens::DOUBLE / d.day::DOUBLE"
        ).fetchone()[0]
    assert mismatches == 0


def test_market(loaded, table):
    rows = table("market_daily", key="date")
    day1 = (
        rows[("2025-01-01", "2025-01-01")]
        if False
        else next(r for (d, _), r in rows.items() if d == "2025-01-01")
    )
    assert (day1["total_tokens"], day1["top50_tokens"], day1["other_tokens"]) == (100, 90, 10)
    assert day1["top50_share"] == pytest.approx(0.9, **APPROX)
    assert day1["models_ranked"] == 2
    assert day1["hhi"] == pytest.approx(0.6**2 + 0.3**2, **APPROX)
    assert (day1["top_model"], day1["top_model_share"]) == ("a/x", pytest.approx(0.6))
    day4 = next(r for (d, _), r in rows.items() if d == "2025-01-04")
    assert (day4["other_tokens"], day4["top50_share"]) == (0, 1.0)
    tie = next(r for (d, _), r in rows.items() if d == "2025-01-05")
    assert tie["top_model"] == "a/x"  # rank 1 of a tie is the alphabetically first
    assert len(rows) == 6  # one row per loaded day, none for Jan 3 and Jan 7


def test_author_rollup(loaded, table):
    rows = table("author_share_daily", key="author")
    a, c = rows[("2025-01-02", "a")], rows[("2025-01-02", "c")]
    assert (a["rank"], a["models"], a["total_tokens"]) == (1, 1, 50)
    assert a["share_of_day"] == pytest.approx(0.5, **APPROX)
    assert (c["rank"], c["share_of_day"]) == (2, pytest.approx(0.4, **APPROX))
    assert ("2025-01-02", "other") not in rows
    # a tie in tokens is ranked by author name
    assert (rows[("2025-01-05", "a")]["rank"], rows[("2025-01-05", "b")]["rank"]) == (1, 2)
    # authors sum to the day's top-50 share
    day1 = [r["share_of_day"] for (d, _), r in rows.items() if d == "2025-01-01"]
    assert sum(day1) == pytest.approx(0.9, **APPROX)


def test_growth_day_over_day_rank_and_share_change(loaded, table):
    rows = table("model_growth_daily")
    a = rows[("2025-01-02", "a/x")]
    assert (a["prev_day_tokens"], a["rank_prev_day"], a["rank_change"]) == (60, 1, 0)
    assert a["dod_growth"] == pytest.approx(50 / 60 - 1, **APPROX)
    assert a["share_change_pp"] == pytest.approx((0.5 - 0.6) * 100, **APPROX)
    assert a["is_new_entry"] is False
    c = rows[("2025-01-02", "c/z")]  # absent the day before: new entry, no comparisons
    assert c["is_new_entry"] is True
    assert (c["prev_day_tokens"], c["dod_growth"], c["rank_prev_day"], c["rank_change"]) == (
        None,
        None,
        None,
        None,
    )
    b5 = rows[("2025-01-05", "b/y:free")]  # 20 -> 45, rank 2 -> 2
    assert b5["dod_growth"] == pytest.approx(45 / 20 - 1) and b5["rank_change"] == 0
    assert rows[("2025-01-05", "a/x")]["share_change_pp"] == pytest.approx((0.45 - 0.8) * 100)


def test_rank_change_sign_is_positive_when_climbing(run_analytics, warehouse, table):
    with duckdb.connect(str(warehouse)) as con:  # c/z overtakes a/x on Jan 6
        con.execute(
            "UPDATE rankings_daily SET total_tokens = 5 WHERE date = '2025-01-06' "
            "AND model_permaslug = 'a/x'"
        )
        con.execute(
            "UPDATE rankings_daily SET rank = CASE model_permaslug WHEN 'c/z' THEN 1 "
            "ELSE 2 END WHERE date = '2025-01-06' AND model_permaslug <> 'other'"
        )
        con.execute(
            "INSERT INTO rankings_daily SELECT DATE '2025-01-07', model_permaslug, "
            "CASE model_permaslug WHEN 'a/x' THEN 1 WHEN 'c/z' THEN 2 END, total_tokens, "
            "as_of, fetched_at FROM rankings_daily WHERE date = '2025-01-01' "
            "AND model_permaslug <> 'b/y:free'"
        )
        con.execute(
            "UPDATE rankings_daily SET total_tokens = 1 WHERE date = '2025-01-07' "
            "AND model_permaslug = 'c/z'"
        )
    assert run_analytics("2025-01-01", "2025-01-08").success
    rows = table("model_growth_daily")
    # Jan 7 holds a/x only (c/z got no row: a model not in rankings_daily that day)
    assert rows[("2025-01-07", "a/x")]["rank_change"] == 2 - 1  # climbed from 2 to 1
    assert rows[("2025-01-07", "a/x")]["rank_change"] > 0


def test_gaps_and_reentries(loaded, table):
    rows = table("model_growth_daily")
    # Jan 3 is not loaded: Jan 4 compares with nothing, and "new entry" is unknown
    a4 = rows[("2025-01-04", "a/x")]
    assert (a4["prev_day_tokens"], a4["dod_growth"], a4["is_new_entry"]) == (None, None, None)
    # a 7-day average over the days it was ranked in [Dec 29, Jan 4]: 60, 50, 80
    assert a4["avg_7d_tokens"] == pytest.approx((60 + 50 + 80) / 3)
    # c/z re-enters on Jan 6 after missing the loaded Jan 5
    c6 = rows[("2025-01-06", "c/z")]
    assert c6["is_new_entry"] is True and c6["prev_day_tokens"] is None
    # week over week: Jan 8 vs Jan 1 (Jan 7 not loaded, so no day-over-day)
    a8 = rows[("2025-01-08", "a/x")]
    assert (a8["tokens_7d_ago"], a8["wow_growth"]) == (60, pytest.approx(1.0))
    assert (a8["dod_growth"], a8["is_new_entry"]) == (None, None)
    assert a8["avg_7d_tokens"] == pytest.approx((50 + 80 + 45 + 70 + 120) / 5)


def test_the_first_days_of_2025_have_nothing_to_compare_with(loaded, table):
    a1 = table("model_growth_daily")[("2025-01-01", "a/x")]
    assert (a1["dod_growth"], a1["wow_growth"], a1["is_new_entry"]) == (None, None, None)
    assert a1["avg_7d_tokens"] == 60


def test_growth_rows_exist_for_every_ranked_model_and_not_for_other(loaded, table):
    rows = table("model_growth_daily")
    assert len(rows) == 16 - 5  # 16 rows, 5 of them `other`
    assert not any(slug == "other" for _, slug in rows)


def test_rematerializing_a_day_changes_nothing(loaded, run_analytics, warehouse):
    def digest():
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return [
                con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {name}").fetchall()
                for name in (
                    "model_share_daily",
                    "market_daily",
                    "author_share_daily",
                    "model_growth_daily",
                )
            ]

    before = digest()
    assert run_analytics("2025-01-05", "2025-01-05").success
    assert run_analytics("2025-01-01", "2025-01-08").success
    assert digest() == before
