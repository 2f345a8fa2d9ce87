"""What a run over weeks sends, and how its responses land in a real DuckDB file: one
transaction per run, exactly its weeks replaced, the bodies kept with the request they
answered."""

import dataclasses
import datetime as dt
import json

import duckdb
import pytest

from rankings_etl.core.windows import Window
from rankings_etl.datasets import TABLES, warehouse_specs
from rankings_etl.datasets.app_rankings_weekly.dataset import (
    DATASET,
    evaluate,
    parse,
    request_for,
    requests,
    weeks,
)
from rankings_etl.datasets.app_rankings_weekly.load import store_app_rankings
from rankings_etl.warehouse.schema import ensure_schema

from .bodies import WEEK, body, rows

D = dt.date


def test_one_request_per_week_per_sort_each_over_its_whole_week():
    sent = requests(Window(D(2025, 1, 6), D(2025, 1, 19)))
    assert [r.label for r in sent] == [
        "popular 2025-01-06..2025-01-12",
        "trending 2025-01-06..2025-01-12",
        "popular 2025-01-13..2025-01-19",
        "trending 2025-01-13..2025-01-19",
    ]
    assert dict(sent[3].params) == {
        "start_date": "2025-01-13",
        "end_date": "2025-01-19",
        "sort": "trending",
        "limit": "100",
        "offset": "0",
    }
    assert {(r.dataset, r.path) for r in sent} == {
        ("app_rankings_weekly", "/datasets/app-rankings")
    }
    assert sent[0].window == Window(D(2025, 1, 6), D(2025, 1, 12))


def test_all_history_is_two_requests_a_week():
    history = Window(D(2025, 1, 6), D(2026, 11, 29))  # 99 ISO weeks
    assert len(weeks(history)) == 99
    assert DATASET.requests_for(history) == 198
    assert DATASET.grain == "week" and DATASET.endpoint_name == "app-rankings"
    assert DATASET.citation_page == "apps" == DATASET.fetched_table.citation_page


@pytest.mark.parametrize(
    "window",
    [Window(D(2025, 1, 7), D(2025, 1, 12)), Window(D(2025, 1, 6), D(2025, 1, 11))],
)
def test_a_window_that_is_not_whole_iso_weeks_is_refused(window):
    with pytest.raises(ValueError, match="is not whole ISO weeks"):
        requests(window)


def response(week=WEEK, sort="popular", data=None):
    """A parsed response for ``week``, generated and fetched the Monday after it."""
    after = dt.datetime.combine(week.end + dt.timedelta(days=1), dt.time(0, 30), tzinfo=dt.UTC)
    text = body(data, week=week, as_of=after.isoformat())
    return parse(text, request_for(week, sort), after + dt.timedelta(minutes=30), None)


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con, warehouse_specs())
    yield con
    con.close()


def table(con):
    return con.execute(
        "SELECT week_start, sort, rank, app_id, app_name, total_requests, total_tokens "
        "FROM app_rankings_weekly ORDER BY ALL"
    ).fetchall()


def test_a_run_writes_its_rows_and_bodies_and_a_rerun_changes_nothing(con):
    two = [response(sort="popular"), response(sort="trending", data=rows(2))]
    assert store_app_rankings(con, two, WEEK, "run-1") == 5
    first = table(con)
    assert first[0] == (WEEK.start, "popular", 1, 100, "App 0", 5000, 1_000_000)
    assert [r[1] for r in first].count("trending") == 2
    raw = con.execute("SELECT dataset, endpoint, params, row_count FROM raw_responses").fetchall()
    assert sorted(raw) == sorted(
        [
            ("app_rankings_weekly", "/datasets/app-rankings", r.request.params_json(), r.row_count)
            for r in two
        ]
    )
    assert json.loads(raw[0][2])["limit"] == "100"
    assert store_app_rankings(con, two, WEEK, "run-2") == 5
    assert table(con) == first
    assert con.execute("SELECT count(*) FROM raw_responses").fetchone() == (4,)


def test_a_run_replaces_only_its_own_weeks(con):
    later = Window(D(2025, 3, 17), D(2025, 3, 23))
    store_app_rankings(con, [response()], WEEK, "r1")
    store_app_rankings(con, [response(week=later)], later, "r2")
    store_app_rankings(con, [response(data=rows(1))], WEEK, "r3")
    counts = con.execute(
        "SELECT week_start, count(*) FROM app_rankings_weekly GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert counts == [(WEEK.start, 1), (later.start, 3)]


def test_a_failed_write_leaves_the_warehouse_as_it_was(con):
    store_app_rankings(con, [response()], WEEK, "r1")
    before = table(con), con.execute("SELECT count(*) FROM raw_responses").fetchone()
    broken = dataclasses.replace(response(), app_names=["App 0", None, "App 2"])  # NOT NULL
    with pytest.raises(duckdb.ConstraintException):
        store_app_rankings(con, [broken], WEEK, "r2")
    assert (table(con), con.execute("SELECT count(*) FROM raw_responses").fetchone()) == before


def test_a_response_for_another_week_is_refused_before_writing(con):
    other = response(week=Window(D(2025, 3, 17), D(2025, 3, 23)))
    with pytest.raises(ValueError, match="outside the run's 2025-03-10..2025-03-16"):
        store_app_rankings(con, [other], WEEK, "r1")
    assert table(con) == []


def test_evaluate_reports_every_week_of_the_window():
    window = Window(D(2025, 3, 10), D(2025, 3, 23))
    outcomes = evaluate([response(data=rows(100)), response(sort="trending")], window)
    assert {o.dates for o in outcomes} == {(D(2025, 3, 10), D(2025, 3, 17))}
    assert all(o.passed for o in outcomes)


def test_the_table_spec_is_the_ddl():
    spec = TABLES["app_rankings_weekly"]
    assert spec.time_column == "week_start" and spec.written_by == "fetch"
    assert [c.name for c in spec.columns] == [
        "week_start", "sort", "rank", "app_id", "app_name",
        "total_requests", "total_tokens", "as_of", "fetched_at",
    ]  # fmt: skip
