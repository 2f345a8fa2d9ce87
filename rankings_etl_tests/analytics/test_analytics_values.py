"""The analytics tables against values computed by hand from FIXTURE (see conftest.py)."""

import datetime as dt
import math
import random

import duckdb
import pytest

from rankings_etl.core.windows import Window
from rankings_etl.datasets.rankings_daily.checks import SHARES_SUM
from rankings_etl.datasets.rankings_daily.tables import MODEL_SHARE_DAILY
from rankings_etl.warehouse.build import build_table

from .conftest import (
    AS_OF,
    AS_OF_TEXT,
    FIRST,
    LAST,
    create_warehouse,
    digest,
    fixture_rows,
    materialize,
    read_rows,
)


def close(value):
    return pytest.approx(value, rel=1e-12, abs=1e-15)


@pytest.fixture(scope="module")
def path(built_once):
    return built_once[0]


def test_every_check_of_the_run_passed_and_every_day_was_materialized(built_once):
    _, result = built_once
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == {
        "shares_sum_to_one",
        "every_model_once",
        "one_row_per_day",
        "authors_sum_to_top50_share",
        "growth_rows_for_every_ranked_model",
    }
    assert all(e.passed for e in evaluations)
    # one single run covers the 8 partitions of every asset, Jan 3 and Jan 7 included
    partitions = {m.partition for m in result.asset_materializations_for_node("market_daily")}
    assert partitions == {f"2025-01-0{day}" for day in range(1, 9)}


def test_model_share_splits_author_and_variant_and_divides_by_the_whole_day(path):
    rows = read_rows(path, "model_share_daily")
    assert len(rows) == 18  # every row of rankings_daily, `other` included
    a1 = rows[("2025-01-01", "a/x")]
    assert (a1["author"], a1["variant"], a1["rank"], a1["total_tokens"]) == ("a", None, 1, 60)
    assert (a1["share_of_day"], a1["share_of_top50"]) == (close(0.6), close(60 / 90))
    b1 = rows[("2025-01-01", "b/y:free")]
    assert (b1["author"], b1["variant"], b1["rank"]) == ("b", "free", 2)
    assert (b1["share_of_day"], b1["share_of_top50"]) == (close(0.3), close(30 / 90))
    other = rows[("2025-01-01", "other")]
    assert (other["author"], other["variant"], other["rank"], other["share_of_top50"]) == (
        None,
        None,
        None,
        None,
    )
    assert other["share_of_day"] == close(0.1)
    # Jan 8's total is 200 (a/x 120, c/z 40, other 40) and its top 50 hold 160
    a8 = rows[("2025-01-08", "a/x")]
    assert (a8["share_of_day"], a8["share_of_top50"]) == (close(0.6), close(0.75))
    assert rows[("2025-01-08", "other")]["share_of_day"] == close(0.2)
    # a day with no `other` row: share of the top 50 is share of the day
    for slug, share in (("a/x", 0.8), ("b/y:free", 0.2)):
        row = rows[("2025-01-04", slug)]
        assert row["share_of_top50"] == row["share_of_day"] == close(share)
    for day in ("2025-01-01", "2025-01-02", "2025-01-05", "2025-01-06", "2025-01-08"):
        shares = [r["share_of_day"] for (d, _), r in rows.items() if d == day]
        assert math.fsum(shares) == close(1.0)


def test_market_daily(path):
    rows = {day: row for (day, _), row in read_rows(path, "market_daily", key="date").items()}
    assert sorted(rows) == [
        "2025-01-01",
        "2025-01-02",
        "2025-01-04",
        "2025-01-05",
        "2025-01-06",
        "2025-01-08",
    ]  # one row per loaded day; none for Jan 3 and Jan 7
    expected = {
        # day: total, top50, other, top50_share, models_ranked, hhi, top model, its share
        "2025-01-01": (100, 90, 10, 0.9, 2, 0.6**2 + 0.3**2, "a/x", 0.6),
        "2025-01-02": (100, 90, 10, 0.9, 3, 0.5**2 + 0.3**2 + 0.1**2, "a/x", 0.5),
        "2025-01-04": (100, 100, 0, 1.0, 2, 0.8**2 + 0.2**2, "a/x", 0.8),
        "2025-01-05": (100, 90, 10, 0.9, 2, 0.5**2 + 0.4**2, "b/y:free", 0.5),
        "2025-01-06": (100, 90, 10, 0.9, 2, 2 * 0.45**2, "a/x", 0.45),  # tie: a/x by name
        "2025-01-08": (200, 160, 40, 0.8, 2, 0.6**2 + 0.2**2, "a/x", 0.6),
    }
    for day, (total, top50, other, top50_share, ranked, hhi, top, top_share) in expected.items():
        row = rows[day]
        assert (row["total_tokens"], row["top50_tokens"], row["other_tokens"]) == (
            total,
            top50,
            other,
        ), day
        assert row["top50_share"] == close(top50_share), day
        assert (row["models_ranked"], row["top_model"]) == (ranked, top), day
        assert (row["hhi"], row["top_model_share"]) == (close(hhi), close(top_share)), day
        assert row["as_of"] == AS_OF


def test_each_market_day_carries_its_own_figures_and_citation(built_once):
    """What the asset's Plots tab draws: one point per day, that day's own numbers."""
    _, result = built_once
    by_day = {
        m.partition: {key: value.value for key, value in m.metadata.items()}
        for m in result.asset_materializations_for_node("market_daily")
    }
    last = by_day[LAST]
    assert (last["total_tokens"], last["models_ranked"], last["dagster/row_count"]) == (200, 2, 1)
    assert last["top_model_share"] == close(0.6)
    assert last["hhi"] == close(0.40)
    assert last["citation"] == f"Source: OpenRouter (openrouter.ai/rankings), as of {AS_OF_TEXT}."
    assert last["as_of"] == AS_OF_TEXT
    first = by_day[FIRST]
    assert (first["total_tokens"], first["hhi"]) == (100, close(0.36 + 0.09))
    # A day rankings_daily does not hold has no figures to show (nor a citation to make).
    assert not {"total_tokens", "citation"} & by_day["2025-01-03"].keys()
    # The week's table describes the newest day, so only that day carries it.
    assert "preview" in last and "preview" not in first


def test_author_rollup_counts_ranked_models_only_and_ranks_ties_by_name(path):
    rows = read_rows(path, "author_share_daily", key="author")
    assert len(rows) == 12 and not any(author == "other" for _, author in rows)
    expected = {
        # (day, author): models, tokens, share_of_day, rank
        ("2025-01-01", "a"): (1, 60, 0.6, 1),
        ("2025-01-01", "b"): (1, 30, 0.3, 2),
        ("2025-01-02", "a"): (2, 60, 0.6, 1),  # a/x 50 + a/w:free 10
        ("2025-01-02", "c"): (1, 30, 0.3, 2),
        ("2025-01-04", "a"): (1, 80, 0.8, 1),
        ("2025-01-04", "b"): (1, 20, 0.2, 2),
        ("2025-01-05", "b"): (1, 50, 0.5, 1),
        ("2025-01-05", "a"): (1, 40, 0.4, 2),
        ("2025-01-06", "a"): (1, 45, 0.45, 1),  # a tie in tokens is ranked by author name
        ("2025-01-06", "c"): (1, 45, 0.45, 2),
        ("2025-01-08", "a"): (1, 120, 0.6, 1),
        ("2025-01-08", "c"): (1, 40, 0.2, 2),
    }
    for key, (models, tokens, share, rank) in expected.items():
        row = rows[key]
        assert (row["models"], row["total_tokens"], row["rank"]) == (models, tokens, rank), key
        assert row["share_of_day"] == close(share), key
    # a day's authors add up to its top-50 share (`other` is nobody's)
    market = read_rows(path, "market_daily", key="date")
    for (day, _), row in market.items():
        authors = math.fsum(r["share_of_day"] for (d, _), r in rows.items() if d == day)
        assert authors == close(row["top50_share"]), day


#: (day, model): rank, tokens, prev_day_tokens, dod_growth, tokens_7d_ago, wow_growth,
#: avg_7d_tokens, rank_prev_day, rank_change, share_change_pp, is_new_entry
GROWTH = {
    # Jan 1: the first day of the dataset; nothing before it is loaded (or exists)
    ("2025-01-01", "a/x"): (1, 60, None, None, None, None, 60, None, None, None, None),
    ("2025-01-01", "b/y:free"): (2, 30, None, None, None, None, 30, None, None, None, None),
    ("2025-01-02", "a/x"): (1, 50, 60, 50 / 60 - 1, None, None, 55, 1, 0, -10.0, False),
    # absent the day before (a loaded day): a new entry with nothing to compare
    ("2025-01-02", "c/z"): (2, 30, None, None, None, None, 30, None, None, None, True),
    ("2025-01-02", "a/w:free"): (3, 10, None, None, None, None, 10, None, None, None, True),
    # Jan 3 is not loaded: no day-over-day, and whether it is new is unknown
    ("2025-01-04", "a/x"): (1, 80, None, None, None, None, 190 / 3, None, None, None, None),
    ("2025-01-04", "b/y:free"): (2, 20, None, None, None, None, 25, None, None, None, None),
    # b/y:free climbs 2 -> 1 (positive), a/x falls 1 -> 2 (negative)
    ("2025-01-05", "b/y:free"): (1, 50, 20, 1.5, None, None, 100 / 3, 2, 1, 30.0, False),
    ("2025-01-05", "a/x"): (2, 40, 80, -0.5, None, None, 57.5, 1, -1, -40.0, False),
    ("2025-01-06", "a/x"): (1, 45, 40, 0.125, None, None, 55, 2, 1, 5.0, False),
    # c/z re-enters: it missed the loaded Jan 5, so it is new again; its average skips Jan 5
    ("2025-01-06", "c/z"): (2, 45, None, None, None, None, 37.5, None, None, None, True),
    # Jan 7 is not loaded; Jan 1 is, so a/x has a week-over-week growth and c/z (unranked on
    # Jan 1) has none
    ("2025-01-08", "a/x"): (1, 120, None, None, 60, 1.0, 67, None, None, None, None),
    ("2025-01-08", "c/z"): (2, 40, None, None, None, None, 115 / 3, None, None, None, None),
}
GROWTH_COLUMNS = (
    "rank",
    "total_tokens",
    "prev_day_tokens",
    "dod_growth",
    "tokens_7d_ago",
    "wow_growth",
    "avg_7d_tokens",
    "rank_prev_day",
    "rank_change",
    "share_change_pp",
    "is_new_entry",
)


def as_expected(values):
    return tuple(close(v) if isinstance(v, float) else v for v in values)


def test_growth_of_every_ranked_model_against_hand_computed_values(path):
    rows = read_rows(path, "model_growth_daily")
    assert set(rows) == set(GROWTH)  # every ranked model, every loaded day, never `other`
    for key, values in GROWTH.items():
        got = tuple(rows[key][column] for column in GROWTH_COLUMNS)
        assert got == as_expected(values), key


def test_one_day_runs_at_the_start_of_history_read_the_days_that_exist(warehouse):
    """Partitions before 2025-01-01 do not exist; the growth partition's mapping allows it."""
    for day in ("2025-01-01", "2025-01-02"):
        result = materialize(warehouse, partition=day, selection=["model_growth_daily"])
        assert result.success, day
    rows = read_rows(warehouse, "model_growth_daily")
    assert set(rows) == {key for key in GROWTH if key[0] <= "2025-01-02"}
    for key in rows:
        assert tuple(rows[key][c] for c in GROWTH_COLUMNS) == as_expected(GROWTH[key]), key


def test_a_one_day_run_computes_the_same_growth_as_the_full_range(warehouse):
    assert materialize(warehouse, partition="2025-01-08", selection=["model_growth_daily"]).success
    rows = read_rows(warehouse, "model_growth_daily")
    assert set(rows) == {("2025-01-08", "a/x"), ("2025-01-08", "c/z")}
    for key in rows:
        assert tuple(rows[key][c] for c in GROWTH_COLUMNS) == as_expected(GROWTH[key]), key


def test_rematerializing_changes_nothing(built):
    before = digest(built)
    assert all(count > 0 for count, _ in before.values())
    assert materialize(built, partition="2025-01-05").success
    assert digest(built) == before
    assert materialize(built, "2025-01-02", "2025-01-06").success
    assert digest(built) == before
    assert materialize(built, FIRST, LAST).success
    assert digest(built) == before


def test_a_restated_day_replaces_its_rows_and_leaves_other_days_alone(built):
    before = read_rows(built, "model_share_daily")
    with duckdb.connect(str(built)) as con:
        con.execute(
            "UPDATE rankings_daily SET total_tokens = 70 "
            "WHERE date = '2025-01-05' AND model_permaslug = 'other'"
        )
    assert materialize(built, partition="2025-01-05").success
    after = read_rows(built, "model_share_daily")
    assert after.keys() == before.keys()
    assert after[("2025-01-05", "other")]["share_of_day"] == close(70 / 160)
    assert after[("2025-01-05", "b/y:free")]["share_of_day"] == close(50 / 160)
    assert after[("2025-01-05", "b/y:free")]["share_of_top50"] == close(50 / 90)
    assert {k: v for k, v in after.items() if k[0] != "2025-01-05"} == {
        k: v for k, v in before.items() if k[0] != "2025-01-05"
    }


def test_shares_are_one_division_of_exact_day_totals_at_real_magnitudes(tmp_path):
    """Autumn-2026 magnitudes: models up to 7.5e12 a day, days of about 2.6e13 tokens."""
    rng = random.Random(7)
    days = [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(5)]
    rows, expected = [], {}
    for day in days:
        tokens = sorted((rng.randrange(10**9, 75 * 10**11) for _ in range(50)), reverse=True)
        other = rng.randrange(10**12, 2 * 10**12)
        total = sum(tokens) + other
        for rank, count in enumerate(tokens, start=1):
            rows.append((day, f"lab{rank % 7}/model-{rank}", rank, count, AS_OF, AS_OF))
            expected[(day.isoformat(), f"lab{rank % 7}/model-{rank}")] = count / total
        rows.append((day, "other", None, other, AS_OF, AS_OF))
        expected[(day.isoformat(), "other")] = other / total  # Python: correctly rounded
    path = create_warehouse(tmp_path / "big.duckdb", rows)
    with duckdb.connect(str(path)) as con:
        result = build_table(con, MODEL_SHARE_DAILY, Window(days[0], days[-1]), [SHARES_SUM])
    assert not result.blocked and result.rows_written == 255
    got = read_rows(path, "model_share_daily")
    assert {key: row["share_of_day"] for key, row in got.items()} == expected  # bit for bit
    for day in days:
        total = math.fsum(v for (d, _), v in expected.items() if d == day.isoformat())
        assert abs(total - 1) < 1e-12


def test_fixture_rows_follow_the_api_order():
    """The hand-made input obeys the contract the analytics rely on (ranks by tokens)."""
    by_day = {}
    for day, slug, rank, tokens, _, _ in fixture_rows():
        by_day.setdefault(day, []).append((slug, rank, tokens))
    for entries in by_day.values():
        ranked = [(slug, tokens) for slug, rank, tokens in entries if rank is not None]
        assert ranked == sorted(ranked, key=lambda entry: (-entry[1], entry[0]))
