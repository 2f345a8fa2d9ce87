"""app_rankings_weekly against the sandbox over loopback, run by Dagster for real, into a real
DuckDB file: what all of history costs, that every check fails on a broken response (the run
fails, nothing is written), that a re-run changes nothing, and that what is published cites
openrouter.ai/apps."""

import datetime as dt

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from rankings_etl.datasets import TABLES
from rankings_etl.datasets.app_rankings_weekly.assets import app_rankings_weekly
from rankings_etl.datasets.app_rankings_weekly.checks import APP_CHECKS
from rankings_etl.orchestration.partitions import weekly_partitions
from rankings_etl.publishing.exports import export_tables
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.warehouse.connection import open_warehouse

from ..conftest import SUITE_LIMITS
from ..integration.conftest import TEST_KEY
from ..integration.helpers import check_evaluations, materialize_range, step_outcomes

#: Every complete ISO week since 2025-01-06, as Dagster partitions them today.
WEEKS = weekly_partitions.get_partition_keys()
W1, W2 = "2025-09-08", "2025-09-15"
APPS_CITATION = "Source: OpenRouter (openrouter.ai/apps), as of "
CHECK_NAMES = {spec.name for spec in APP_CHECKS}


def run(resources, instance, start, end):
    return materialize_range(
        [app_rankings_weekly], start, end, resources=resources, instance=instance
    )


def digest(query):
    """The table's rows (timestamps aside) and the bodies stored: what a refused run must not
    change and a re-run must reproduce."""
    columns = ", ".join(TABLES["app_rankings_weekly"].digest_columns())
    rows = query(f"SELECT count(*), coalesce(sum(hash({columns})), 0) FROM app_rankings_weekly")
    return rows[0], query("SELECT count(*) FROM raw_responses")[0]


def sunday(monday: str) -> str:
    return (dt.date.fromisoformat(monday) + dt.timedelta(days=6)).isoformat()


def test_all_history_costs_one_request_per_week_per_sort(
    sandbox_factory, instance, duckdb_path, query, tmp_path
):
    # A server of its own: its ~200 log lines stay out of the session sandbox's log, which
    # other tests read.
    sandbox = sandbox_factory(**SUITE_LIMITS)
    resources = {
        "openrouter": OpenRouterClient(api_key=TEST_KEY, base_url=sandbox.base_url),
        "duckdb": DuckDBResource(database=str(duckdb_path)),
    }
    assert WEEKS[0] == "2025-01-06" and len(WEEKS) >= 98
    result = run(resources, instance, WEEKS[0], WEEKS[-1])
    assert result.success
    weeks = len(WEEKS)
    assert sandbox.request_count(endpoint="app-rankings", sort="popular") == weeks
    assert sandbox.request_count(endpoint="app-rankings", sort="trending") == weeks
    assert sandbox.request_count() == 2 * weeks  # nothing else was asked
    sent = sorted(
        (r["params"]["start_date"], r["params"]["sort"])
        for r in sandbox.requests(endpoint="app-rankings")
    )
    assert sent == sorted((week, sort) for week in WEEKS for sort in ("popular", "trending"))
    for record in sandbox.requests(endpoint="app-rankings"):
        params = record["params"]
        assert params["end_date"] == sunday(params["start_date"])
        assert (params["limit"], params["offset"]) == ("100", "0")

    assert query("SELECT count(DISTINCT week_start) FROM app_rankings_weekly") == [(weeks,)]
    shapes = query(
        "SELECT sort, max(n), bool_and(ranks_ok) FROM (SELECT week_start, sort, count(*) AS n, "
        "list(rank ORDER BY rank) = range(1, count(*) + 1) AS ranks_ok "
        "FROM app_rankings_weekly GROUP BY ALL) GROUP BY sort ORDER BY sort"
    )
    assert shapes == [("popular", 100, True), ("trending", shapes[1][1], True)]
    assert shapes[1][1] <= 100
    assert query("SELECT count(*) FROM raw_responses WHERE dataset = 'app_rankings_weekly'") == [
        (2 * weeks,)
    ]

    # Every (check, week) was evaluated, none failed at ERROR.
    evaluations = check_evaluations(result)
    assert set(evaluations) == {(name, week) for name in CHECK_NAMES for week in WEEKS}
    assert all(e.passed or e.severity == dg.AssetCheckSeverity.WARN for e in evaluations.values())

    # Each week's materialization carries that week's figures and cites openrouter.ai/apps.
    materializations = result.asset_materializations_for_node("app_rankings_weekly")
    by_week = {m.partition: m.metadata for m in materializations}
    assert set(by_week) == set(WEEKS)
    metadata = by_week[W1]
    assert metadata["citation"].value == APPS_CITATION + metadata["as_of"].value + "."
    rows = query("SELECT count(*) FROM app_rankings_weekly WHERE week_start = ?", [W1])[0][0]
    assert metadata["dagster/row_count"].value == rows
    assert metadata["popular_rows"].value == 100
    top = query(
        "SELECT app_name FROM app_rankings_weekly WHERE week_start = ? AND sort = 'popular' "
        "AND rank = 1",
        [W1],
    )
    assert metadata["top_popular_app"].value == top[0][0]

    # The exports carry the app rankings and their citation with the newest as_of.
    out = tmp_path / "exports"
    with open_warehouse(resources["duckdb"], TABLES.values()) as con:
        files = export_tables(con, out, ["csv"])
    assert out / "app_rankings_weekly.csv" in files
    newest = max(m["as_of"].value for m in by_week.values())
    assert APPS_CITATION + newest + "." in (out / "CITATION.txt").read_text().splitlines()


def test_a_rerun_changes_nothing_and_replaces_only_its_weeks(sandbox, resources, instance, query):
    assert run(resources, instance, W1, W2).success
    first = digest(query)
    assert run(resources, instance, W1, W2).success
    again = digest(query)
    assert again[0] == first[0]  # the same rows, nothing duplicated
    assert again[1][0] == 2 * first[1][0]  # every body is kept, as received
    assert sandbox.request_count(endpoint="app-rankings") == 8
    assert run(resources, instance, W2, W2).success
    weeks = query("SELECT week_start, count(*) FROM app_rankings_weekly GROUP BY ALL ORDER BY 1")
    assert [str(week) for week, _ in weeks] == [W1, W2]


@pytest.mark.parametrize(
    ("fault", "sort", "failing"),
    [
        ("app_rank_gap", "popular", "ranks_are_1_to_n"),
        ("app_rank_gap", "trending", "ranks_are_1_to_n"),
        ("app_duplicate_app", "popular", "no_duplicate_apps"),
        ("app_duplicate_app", "trending", "no_duplicate_apps"),
        ("app_tokens_order", "popular", "popular_tokens_non_increasing"),
        ("app_rows_over_limit", "popular", "rows_at_most_limit"),
        ("app_rows_over_limit", "trending", "rows_at_most_limit"),
    ],
)
def test_each_check_fails_on_a_broken_response_and_nothing_is_written(
    sandbox, resources, instance, query, fault, sort, failing
):
    assert run(resources, instance, W1, W2).success
    before = digest(query)
    sandbox.inject(fault, endpoint="app-rankings", match={"sort": sort, "start_date": W2})
    result = run(resources, instance, W1, W2)
    assert not result.success
    assert sandbox.faults()["queue"] == []  # the fault was served
    evaluations = check_evaluations(result)
    failed = {key for key, evaluation in evaluations.items() if not evaluation.passed}
    assert failed == {(failing, W2)}
    assert evaluations[(failing, W2)].description.startswith(f"{W2}: {sort}: ")
    assert set(evaluations) == {(name, week) for name in CHECK_NAMES for week in (W1, W2)}
    assert digest(query) == before
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.error.message
    assert "app-rankings response" in message and W2 in message and "nothing was written" in message


def test_trending_out_of_token_order_is_legal(sandbox, resources, instance, query):
    """Trending is ordered by excess growth, not tokens: swapped tokens there are not a fault."""
    top_two = (
        "SELECT app_id, total_tokens FROM app_rankings_weekly WHERE sort = 'trending' "
        "ORDER BY rank LIMIT 2"
    )
    assert run(resources, instance, W1, W1).success
    (first_app, first), (second_app, second) = query(top_two)
    assert first != second
    sandbox.inject("app_tokens_order", endpoint="app-rankings", match={"sort": "trending"})
    result = run(resources, instance, W1, W1)
    assert result.success
    assert sandbox.faults()["queue"] == []
    assert query(top_two) == [(first_app, second), (second_app, first)]  # loaded as served


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("app_tokens_number", "total_tokens must be a decimal string, got a JSON number"),
        ("app_name_empty", "app_name is missing or empty"),
    ],
)
def test_a_response_the_table_cannot_hold_fails_the_run_and_writes_nothing(
    sandbox, resources, instance, query, fault, problem
):
    assert run(resources, instance, W1, W2).success
    before = digest(query)
    sandbox.inject(fault, endpoint="app-rankings", match={"sort": "trending", "start_date": W2})
    result = run(resources, instance, W1, W2)
    assert not result.success
    assert step_outcomes(result) == {"app_rankings_weekly": "failure"}
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.error.message
    assert problem in message
    assert f"app-rankings response (trending) for {W2}..{sunday(W2)}" in message
    assert "nothing was written" in message
    assert digest(query) == before
