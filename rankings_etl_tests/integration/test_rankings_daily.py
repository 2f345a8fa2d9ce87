"""rankings_daily against the sandbox over loopback, into a real DuckDB file."""

import dagster as dg
import pytest

from rankings_etl.datasets.rankings_daily.assets import rankings_daily
from rankings_etl.datasets.rankings_daily.checks import RANKINGS_CHECKS
from rankings_etl.resources.openrouter_client import OpenRouterClient

from .helpers import check_evaluations, materialize_range, run_tags, step_outcomes

DAY = "2025-06-15"


@dg.asset(
    partitions_def=rankings_daily.partitions_def,
    deps=[rankings_daily],
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def downstream_probe():
    """Stands in for the analytics tables: it must not run when a blocking check fails."""
    return dg.MaterializeResult()


def table_digest(query):
    return query(
        "SELECT count(*), coalesce(sum(hash(date, model_permaslug, rank, total_tokens, as_of)), 0)"
        " FROM rankings_daily"
    )[0]


def test_one_day_costs_one_request_and_writes_51_rows(sandbox, resources, instance, query):
    result = dg.materialize(
        [rankings_daily], partition_key=DAY, resources=resources, instance=instance
    )
    assert result.success
    assert sandbox.request_count() == 1
    assert query("SELECT count(*) FROM rankings_daily WHERE date = ?", [DAY]) == [(51,)]
    ranks = query(
        "SELECT rank FROM rankings_daily WHERE date = ? AND model_permaslug <> 'other' "
        "ORDER BY rank",
        [DAY],
    )
    assert [r[0] for r in ranks] == list(range(1, 51))
    assert query("SELECT rank FROM rankings_daily WHERE model_permaslug = 'other'") == [(None,)]
    materialization = result.asset_materializations_for_node("rankings_daily")[0]
    assert materialization.partition == DAY
    metadata = materialization.metadata
    assert run_tags(instance, result)["requests"] == "1"
    assert metadata["dagster/row_count"].value == 51
    assert metadata["citation"].value.startswith("Source: OpenRouter (openrouter.ai/rankings), as")
    assert query("SELECT count(*), max(row_count) FROM raw_responses") == [(1, 51)]


def test_rerunning_a_day_changes_nothing(sandbox, resources, instance, query):
    dg.materialize([rankings_daily], partition_key=DAY, resources=resources, instance=instance)
    first = query(
        "SELECT date, model_permaslug, rank, total_tokens FROM rankings_daily ORDER BY ALL"
    )
    result = dg.materialize(
        [rankings_daily], partition_key=DAY, resources=resources, instance=instance
    )
    assert result.success
    again = query(
        "SELECT date, model_permaslug, rank, total_tokens FROM rankings_daily ORDER BY ALL"
    )
    assert again == first and len(again) == 51
    assert query("SELECT count(*) FROM rankings_restatements") == [(0,)]


def test_a_range_run_replaces_only_its_own_dates(sandbox, resources, instance, query):
    materialize_range(
        [rankings_daily], "2025-03-01", "2025-03-10", resources=resources, instance=instance
    )
    materialize_range(
        [rankings_daily], "2025-03-05", "2025-03-12", resources=resources, instance=instance
    )
    assert query("SELECT count(*), count(DISTINCT date) FROM rankings_daily") == [(12 * 51, 12)]
    assert query(
        "SELECT count(*) FROM (SELECT date, model_permaslug FROM rankings_daily "
        "GROUP BY ALL HAVING count(*) > 1)"
    ) == [(0,)]


@pytest.mark.parametrize(
    ("fault", "failing_checks", "warning_checks"),
    [
        (
            "other_duplicated",
            {"one_other_per_date", "rows_per_date", "other_is_last", "no_duplicate_models"},
            # The second `other` adds its tokens again: the loaded day's total moves.
            {"restatements_plausible"},
        ),
        ("other_not_last", {"other_is_last"}, set()),
        ("rows_49", {"rows_per_date"}, set()),
        ("rows_52", {"rows_per_date", "ranks_unique_and_contiguous"}, set()),
    ],
)
def test_each_contract_fault_fails_its_checks_blocks_downstream_and_writes_nothing(
    sandbox, resources, instance, query, fault, failing_checks, warning_checks
):
    materialize_range(
        [rankings_daily], "2025-04-01", "2025-04-03", resources=resources, instance=instance
    )
    before = table_digest(query)
    sandbox.inject(fault, date="2025-04-02")
    result = materialize_range(
        [rankings_daily, downstream_probe],
        "2025-04-01",
        "2025-04-03",
        resources=resources,
        instance=instance,
    )
    assert not result.success
    evaluations = check_evaluations(result)
    failed = {(name, day) for (name, day), e in evaluations.items() if not e.passed}
    assert failed == {(name, "2025-04-02") for name in failing_checks | warning_checks}
    for name in warning_checks:
        assert evaluations[(name, "2025-04-02")].severity == dg.AssetCheckSeverity.WARN
    for name in failing_checks:
        evaluation = evaluations[(name, "2025-04-02")]
        assert evaluation.severity == dg.AssetCheckSeverity.ERROR
        assert evaluation.description.startswith("2025-04-02: ")
        assert evaluation.metadata["problem"].value in evaluation.description
    # Every check reports every day of the refused run: the other days pass, unwritten.
    assert len(evaluations) == 3 * len(RANKINGS_CHECKS)
    assert "nothing was written" in evaluations[("rows_per_date", "2025-04-01")].description
    assert step_outcomes(result).get("downstream_probe") != "success"
    assert table_digest(query) == before


@pytest.mark.parametrize("fault", ["tailless", "other_missing"])
def test_a_day_without_other_is_loaded_with_warnings(sandbox, resources, instance, query, fault):
    """50 ranked models and no `other` is legal; a dropped `other` looks exactly the same."""
    sandbox.inject(fault, date="2025-05-02")
    result = materialize_range(
        [rankings_daily, downstream_probe],
        "2025-05-01",
        "2025-05-03",
        resources=resources,
        instance=instance,
    )
    assert result.success
    evaluations = check_evaluations(result)
    for name in ("one_other_per_date", "other_is_last", "rows_per_date"):
        assert not evaluations[(name, "2025-05-02")].passed
        assert evaluations[(name, "2025-05-02")].severity == dg.AssetCheckSeverity.WARN
        assert evaluations[(name, "2025-05-01")].passed
    assert evaluations[("ranks_unique_and_contiguous", "2025-05-02")].passed
    assert step_outcomes(result)["downstream_probe"] == "success"
    assert query("SELECT count(*) FROM rankings_daily WHERE date = '2025-05-02'") == [(50,)]


def test_a_missing_date_fails_before_anything_is_written(sandbox, resources, instance, duckdb_path):
    sandbox.inject("missing_date", date="2025-05-02")
    result = materialize_range(
        [rankings_daily], "2025-05-01", "2025-05-03", resources=resources, instance=instance
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "no rows for 1 date(s)" in str(failure.event_specific_data.error)
    assert "2025-05-02" in str(failure.event_specific_data.error)
    assert not duckdb_path.exists()  # not even the schema: nothing was written
    # The missing day's checks read failed, naming why; the days that came pass, unwritten.
    evaluations = check_evaluations(result)
    missing = evaluations[("rows_per_date", "2025-05-02")]
    assert not missing.passed and "no rows" in missing.description
    assert evaluations[("rows_per_date", "2025-05-01")].passed


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("tokens_non_numeric", "not a non-negative decimal integer"),
        ("tokens_number", "must be a decimal string"),
        ("tokens_negative", "not a non-negative decimal integer"),
        ("tokens_overflow", "does not fit a 64-bit integer"),
    ],
)
def test_malformed_tokens_fail_the_run_naming_the_problem(
    sandbox, resources, instance, query, fault, message
):
    sandbox.inject(fault)
    result = dg.materialize(
        [rankings_daily],
        partition_key=DAY,
        resources=resources,
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert message in str(failure.event_specific_data.error)
    assert sandbox.request_count() == 1  # a malformed 200 is not retried


def test_a_refused_key_fails_the_run_in_one_readable_line(sandbox, resources, instance):
    """What the run's page shows first: what happened, in one line, not a library's trace."""
    refused = "not-an-openrouter-key-0123"  # the sandbox refuses keys not shaped sk-or-...
    resources = {
        **resources,
        "openrouter": OpenRouterClient(api_key=refused, base_url=sandbox.base_url),
    }
    result = dg.materialize(
        [rankings_daily],
        partition_key=DAY,
        resources=resources,
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    assert sandbox.request_count(status=401) == 1  # refused once, never retried
    events = {
        e.dagster_event.event_type_value: e.dagster_event.event_specific_data
        for e in instance.all_logs(result.run_id)
        if e.dagster_event and e.dagster_event.event_type_value.endswith("FAILURE")
    }
    step, run = events["STEP_FAILURE"], events["PIPELINE_FAILURE"]
    headline = run.error.message  # the run's failure repeats its first failed step's
    assert headline == step.error.message
    assert headline.count("\n") == 1
    assert headline.startswith(
        "dagster._core.definitions.events.Failure: OpenRouter refused the API key (HTTP 401); "
        f"nothing was written for {DAY}..{DAY}."
    )
    for noise in ("Traceback", "tenacity", "RetryError", "StepExecutionError", refused):
        assert noise not in headline
    assert step.user_failure_data.description in headline
    assert step.user_failure_data.metadata["http_status"].value == 401
