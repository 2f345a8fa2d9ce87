"""rankings_categories_weekly through the sandbox on loopback: real Dagster runs over weekly
partitions (a temporary DAGSTER_HOME), a real DuckDB file, requests counted per value."""

import datetime as dt

import dagster as dg
import pytest

from rankings_etl.core.api_facts import CATEGORIES, FIRST_WEEK, LANGUAGE_TYPES
from rankings_etl.core.dates import last_completed_day
from rankings_etl.core.windows import Window, complete_weeks
from rankings_etl.datasets.rankings_categories_weekly.assets import rankings_categories_weekly
from rankings_etl.datasets.rankings_categories_weekly.checks import CATEGORIES_CHECKS
from rankings_etl_tests.integration.helpers import check_evaluations, materialize_range

VALUES = [("category", c) for c in CATEGORIES] + [("language_type", t) for t in LANGUAGE_TYPES]
ENDPOINT = "rankings-daily"


def last_week() -> dt.date:
    """The Monday of the last complete ISO week: the newest weekly partition."""
    weeks = complete_weeks(Window(FIRST_WEEK, last_completed_day()))
    return weeks.end - dt.timedelta(days=6)


def value_requests(sandbox):
    return {
        (kind, value): sandbox.request_count(endpoint=ENDPOINT, period="week", **{kind: value})
        for kind, value in VALUES
    }


def digest(query):
    return query(
        "SELECT count(*), coalesce(sum(hash(week_start, dimension, value, model_permaslug, rank, "
        "total_tokens_estimate, as_of)), 0), (SELECT count(*) FROM raw_responses) "
        "FROM rankings_categories_weekly"
    )[0]


def run(start, end, resources, instance):
    return materialize_range(
        [rankings_categories_weekly], start, end, resources=resources, instance=instance
    )


def test_all_history_costs_two_requests_per_value(sandbox, resources, instance, query):
    newest = last_week()
    weeks = (newest - FIRST_WEEK).days // 7 + 1
    result = run(FIRST_WEEK, newest, resources, instance)
    assert result.success
    assert value_requests(sandbox) == dict.fromkeys(VALUES, 2)
    assert sandbox.request_count() == 28
    loaded = query(
        "SELECT count(DISTINCT week_start), min(week_start), max(week_start), "
        "count(DISTINCT dimension || value), bool_and(dayofweek(week_start) = 1) "
        "FROM rankings_categories_weekly"
    )
    assert loaded == [(weeks, FIRST_WEEK, newest, 14, True)]
    assert query(
        "SELECT count(*) FROM (SELECT 1 FROM rankings_categories_weekly "
        "GROUP BY week_start, dimension, value, model_permaslug HAVING count(*) > 1)"
    ) == [(0,)]
    materializations = result.asset_materializations_for_node("rankings_categories_weekly")
    assert {m.partition for m in materializations} == {
        (FIRST_WEEK + dt.timedelta(days=7 * i)).isoformat() for i in range(weeks)
    }
    assert (
        materializations[-1]
        .metadata["citation"]
        .value.startswith("Source: OpenRouter (openrouter.ai/rankings), as of ")
    )


def test_a_weekly_run_costs_one_request_per_value_and_reruns_change_nothing(
    sandbox, resources, instance, query
):
    newest = last_week()
    assert run(newest, newest, resources, instance).success
    assert value_requests(sandbox) == dict.fromkeys(VALUES, 1)
    rows = "SELECT * EXCLUDE (as_of, fetched_at) FROM rankings_categories_weekly ORDER BY ALL"
    first = query(rows)
    again = run(newest, newest, resources, instance)
    assert again.success
    assert query(rows) == first and len(first) > 14 * 10
    evaluations = check_evaluations(again)
    for spec in CATEGORIES_CHECKS:
        assert evaluations[(spec.name, newest.isoformat())].passed, spec.name


def test_the_asset_says_its_numbers_are_estimates():
    spec = rankings_categories_weekly.specs_by_key[rankings_categories_weekly.key]
    assert "estimate" in spec.tags
    assert spec.description.startswith("ESTIMATES:")
    columns = spec.metadata["dagster/column_schema"].columns
    (estimate,) = [c for c in columns if c.name == "total_tokens_estimate"]
    assert estimate.description.startswith("ESTIMATE")
    assert set(spec.kinds) == {"openrouter", "duckdb"}


#: fault kind -> the contract checks it must fail (at ERROR) on the broken week.
FAULTS = {
    "rows_52": {"rows_per_value_week", "ranks_unique_and_contiguous"},
    "tokens_order": {"tokens_non_increasing"},
    "other_not_last": {"other_at_most_once_and_last"},
    "other_duplicated": {
        "rows_per_value_week",
        "other_at_most_once_and_last",
        "no_duplicate_models",
    },
}
WEEKS = ("2025-03-03", "2025-03-10", "2025-03-17")
BROKEN_WEEK = "2025-03-10"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_contract_fault_fails_its_checks_and_writes_nothing(
    sandbox, resources, instance, query, fault
):
    assert run(WEEKS[0], WEEKS[-1], resources, instance).success
    before = digest(query)
    sandbox.inject(fault, date=BROKEN_WEEK, endpoint=ENDPOINT, match={"category": "marketing/seo"})
    result = run(WEEKS[0], WEEKS[-1], resources, instance)
    assert not result.success
    evaluations = check_evaluations(result)
    failed = {name for (name, week), e in evaluations.items() if not e.passed}
    assert failed == FAULTS[fault]
    for name in FAULTS[fault]:
        evaluation = evaluations[(name, BROKEN_WEEK)]
        assert evaluation.severity == dg.AssetCheckSeverity.ERROR
        assert evaluation.description.startswith(f"{BROKEN_WEEK}: category=marketing/seo: ")
        assert evaluations[(name, WEEKS[0])].passed
    assert len(evaluations) == 3 * len(CATEGORIES_CHECKS)
    assert digest(query) == before


def test_a_value_without_rows_in_a_week_is_loaded_with_a_warning(
    sandbox, resources, instance, query
):
    sandbox.inject(
        "missing_date", date=BROKEN_WEEK, endpoint=ENDPOINT, match={"language_type": "natural"}
    )
    result = run(WEEKS[0], WEEKS[-1], resources, instance)
    assert result.success
    evaluation = check_evaluations(result)[("value_weeks_present", BROKEN_WEEK)]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "language_type=natural" in evaluation.description
    assert query(
        "SELECT count(DISTINCT dimension || value) FROM rankings_categories_weekly "
        "WHERE week_start = ?",
        [BROKEN_WEEK],
    ) == [(13,)]
