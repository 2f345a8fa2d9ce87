"""rankings_categories_weekly without the network: whole-week requests, the weekly parser (only
complete weeks), every contract check on hand-built bodies, the write on a real DuckDB file."""

import datetime as dt

import duckdb
import pytest

from rankings_etl.core.errors import RankingsResponseError
from rankings_etl.core.windows import Window
from rankings_etl.data_api.rankings_body import parse_rankings_body
from rankings_etl.datasets import warehouse_specs
from rankings_etl.datasets.rankings_categories_weekly import dataset as categories
from rankings_etl.datasets.rankings_categories_weekly.checks import CATEGORIES_CHECKS
from rankings_etl.datasets.rankings_categories_weekly.load import store_categories
from rankings_etl.datasets.rankings_categories_weekly.tables import RANKINGS_CATEGORIES_WEEKLY
from rankings_etl.warehouse.schema import ensure_schema
from rankings_etl_tests.segments.bodies import FETCHED, body, ranked_list, request

W1, W2 = dt.date(2026, 11, 9), dt.date(2026, 11, 16)  # Mondays
WINDOW = Window(W1, dt.date(2026, 11, 22))


def response(rows_by_week, window=WINDOW, **filters):
    filters = filters or {"category": "programming"}
    rows = [row for week in rows_by_week for row in week]
    ask = request(categories.NAME, window, period="week", **filters)
    return categories.parse(body(window, rows), ask, FETCHED, None)


def good(**filters):
    return response([ranked_list(W1), ranked_list(W2, ranked=50)], **filters)


def outcomes(*responses):
    return {o.spec.name: o for o in categories.evaluate(list(responses), WINDOW)}


def test_all_history_is_two_requests_per_value_of_whole_weeks():
    history = categories.requests(Window(dt.date(2025, 1, 6), dt.date(2026, 11, 29)))
    assert len(history) == 28 == 2 * (12 + 2)
    for each in history:
        assert each.params["period"] == "week"
        assert each.window.start.weekday() == 0 and each.window.end.weekday() == 6
        assert each.window.days <= 52 * 7
    values = [(r.params.get("category"), r.params.get("language_type")) for r in history]
    assert len(set(values)) == 14 and all(values.count(v) == 2 for v in values)
    assert categories.DATASET.requests_for(Window(W2, dt.date(2026, 11, 22))) == 14


def test_a_weekly_body_is_read_with_its_monday_buckets():
    parsed = good()
    assert sorted(parsed.dates_returned()) == [W1, W2]
    assert parsed.ranks()[:2] == [1, 2]


@pytest.mark.parametrize(
    ("bucket", "problem"),
    [
        (dt.date(2026, 11, 2), "weekly bucket 2026-11-02 is outside the requested weeks"),
        (dt.date(2026, 11, 23), "weekly bucket 2026-11-23 is outside the requested weeks"),
        (dt.date(2026, 11, 10), "weekly bucket 2026-11-10 is not a Monday"),
    ],
)
def test_a_bucket_outside_the_requested_mondays_is_refused(bucket, problem):
    with pytest.raises(RankingsResponseError) as refused:
        response([ranked_list(W1), ranked_list(bucket)])
    message = str(refused.value)
    assert message.startswith(
        "rankings-daily response (period=week, category=programming) for "
        "2026-11-09..2026-11-22, row 6: "
    )
    assert problem in message and "only complete weeks are loaded" in message
    if "outside" in problem:
        assert "(the Mondays 2026-11-09..2026-11-16)" in message


def test_a_window_without_a_complete_week_refuses_every_bucket():
    window = Window(dt.date(2026, 11, 10), dt.date(2026, 11, 15))
    with pytest.raises(RankingsResponseError, match="requested weeks \\(no complete week\\)"):
        parse_rankings_body(body(window, ranked_list(W1)), window, FETCHED, bucket="week")


def test_the_day_bucket_still_refuses_dates_outside_the_window_as_before():
    window = Window(W1, W1)
    rows = ranked_list(W1) + ranked_list(W2)
    with pytest.raises(RankingsResponseError) as refused:
        parse_rankings_body(body(window, rows), window, FETCHED)
    assert str(refused.value) == (
        "rankings-daily response for 2026-11-09..2026-11-09, row 6: date 2026-11-16 is outside "
        "the window 2026-11-09..2026-11-09"
    )
    with pytest.raises(ValueError, match="bucket must be 'day' or 'week'"):
        parse_rankings_body(body(window, []), window, FETCHED, bucket="month")


def test_a_good_run_passes_every_check_on_every_week():
    found = outcomes(good(), good(language_type="natural"))
    assert set(found) == {spec.name for spec in CATEGORIES_CHECKS}
    for outcome in found.values():
        assert outcome.passed, outcome.summary()
        assert outcome.dates == (W1, W2)


@pytest.mark.parametrize(
    ("name", "break_list", "expected"),
    [
        (
            "rows_per_value_week",
            lambda rows: rows.insert(-1, {**rows[0], "model_permaslug": "lab9/extra"}),
            "52 rows (51 ranked + 1 `other`)",
        ),
        (
            "ranks_unique_and_contiguous",
            lambda rows: rows.insert(-1, {**rows[0], "model_permaslug": "lab9/extra"}),
            "ranks run to 51, beyond the top 50",
        ),
        (
            "other_at_most_once_and_last",
            lambda rows: rows.insert(5, rows.pop()),
            "`other` at position 6 of 51",
        ),
        (
            "tokens_non_increasing",
            lambda rows: rows.__setitem__(
                3,
                {**rows[3], "model_permaslug": "a/first", "total_tokens": rows[2]["total_tokens"]},
            ),
            "tie at rank 3 is not in permaslug order",
        ),
        (
            "no_duplicate_models",
            lambda rows: rows.__setitem__(2, {**rows[1]}),
            "appears more than once",
        ),
    ],
)
def test_each_list_check_fails_on_its_broken_week_naming_the_value(name, break_list, expected):
    rows = ranked_list(W2, ranked=50)
    break_list(rows)
    found = outcomes(good(), response([ranked_list(W1), rows], category="marketing/seo"))
    assert found[name].blocks
    assert list(found[name].errors) == [W2]
    assert found[name].errors[W2].startswith("category=marketing/seo: ")
    assert expected in found[name].errors[W2]


def test_a_value_with_no_rows_in_a_week_warns():
    found = outcomes(good(), response([ranked_list(W2)], category="legal"))
    present = found["value_weeks_present"]
    assert not present.blocks and present.warnings == {
        W1: "no rows for category=legal (1 of 2 lists)"
    }


def test_every_description_says_estimate():
    estimate = RANKINGS_CATEGORIES_WEEKLY.columns[5]
    assert estimate.name == "total_tokens_estimate" and estimate.description.startswith("ESTIMATE")
    assert "not an exact count" in estimate.description
    assert RANKINGS_CATEGORIES_WEEKLY.description.startswith("ESTIMATES:")


def test_the_write_replaces_exactly_its_weeks_and_a_rerun_changes_nothing(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_schema(con, warehouse_specs())
        responses = [good(), good(language_type="programming")]
        assert store_categories(con, responses, WINDOW, "run-1") == 2 * (6 + 51)
        first = con.execute(
            "SELECT * EXCLUDE (fetched_at) FROM rankings_categories_weekly ORDER BY ALL"
        ).fetchall()
        assert store_categories(con, responses, WINDOW, "run-2") == 114
        again = con.execute(
            "SELECT * EXCLUDE (fetched_at) FROM rankings_categories_weekly ORDER BY ALL"
        ).fetchall()
        assert again == first
        assert {row[0] for row in first} == {W1, W2}
        assert con.execute(
            "SELECT DISTINCT dimension, value FROM rankings_categories_weekly ORDER BY ALL"
        ).fetchall() == [("category", "programming"), ("language_type", "programming")]
        assert con.execute("SELECT count(*) FROM raw_responses").fetchone() == (4,)
