"""rankings_segments_daily and model_segment_share_daily through the sandbox on loopback: real
Dagster runs (a temporary DAGSTER_HOME), a real DuckDB file, requests counted per segment."""

import datetime as dt
import math

import dagster as dg
import pytest

from rankings_etl.core.api_facts import CONTEXT_BUCKETS, FIRST_DATE, MODALITIES
from rankings_etl.core.dates import last_completed_day
from rankings_etl.datasets.rankings_daily.assets import rankings_daily
from rankings_etl.datasets.rankings_segments_daily.assets import (
    model_segment_share_daily,
    rankings_segments_daily,
)
from rankings_etl.datasets.rankings_segments_daily.checks import SEGMENTS_CHECKS
from rankings_etl_tests.integration.helpers import check_evaluations, materialize_range

ASSETS = [rankings_daily, rankings_segments_daily, model_segment_share_daily]
#: A re-run of the segments over days whose rankings_daily is loaded.
SEGMENT_ASSETS = [rankings_segments_daily, model_segment_share_daily]
SEGMENTS = [("modality", m) for m in MODALITIES] + [("context_bucket", c) for c in CONTEXT_BUCKETS]
ENDPOINT = "rankings-daily"


def segment_requests(sandbox):
    """{(segment_type, segment): requests the sandbox received for it}."""
    return {
        (kind, value): sandbox.request_count(endpoint=ENDPOINT, **{kind: value})
        for kind, value in SEGMENTS
    }


def digest(query):
    """Row counts and an order-independent checksum of both tables."""
    return query(
        "SELECT (SELECT count(*) FROM rankings_segments_daily), "
        "(SELECT coalesce(sum(hash(date, segment_type, segment, model_permaslug, rank, "
        "total_tokens, as_of)), 0) FROM rankings_segments_daily), "
        "(SELECT count(*) FROM model_segment_share_daily), "
        "(SELECT count(*) FROM raw_responses WHERE dataset = 'rankings_segments_daily')"
    )[0]


def assert_shares_sum_to_one(query):
    groups = query(
        "SELECT date, segment_type, segment, list(share_of_segment) "
        "FROM model_segment_share_daily GROUP BY ALL"
    )
    assert groups
    worst = max(abs(math.fsum(shares) - 1) for *_, shares in groups)
    assert worst < 1e-12, worst
    return len(groups)


def test_all_history_of_segments_costs_20_requests(sandbox, resources, instance, query):
    last = last_completed_day()
    days = (last - FIRST_DATE).days + 1
    result = materialize_range(ASSETS, FIRST_DATE, last, resources=resources, instance=instance)
    assert result.success
    assert segment_requests(sandbox) == dict.fromkeys(SEGMENTS, 2)
    assert sandbox.request_count(endpoint=ENDPOINT, unfiltered=True) == 2  # rankings_daily
    assert sandbox.request_count() == 22
    loaded = query(
        "SELECT count(DISTINCT date), count(DISTINCT segment_type || segment) "
        "FROM rankings_segments_daily"
    )
    assert loaded == [(days, 10)]
    assert query(
        "SELECT count(*) FROM (SELECT 1 FROM rankings_segments_daily "
        "GROUP BY date, segment_type, segment, model_permaslug HAVING count(*) > 1)"
    ) == [(0,)]
    assert (
        assert_shares_sum_to_one(query)
        == query(
            "SELECT count(*) FROM (SELECT DISTINCT date, segment_type, segment "
            "FROM rankings_segments_daily)"
        )[0][0]
    )
    # No segment-day above its day, and every segment's share of its day is known.
    assert (
        query(
            "SELECT count(*), count(*) FILTER (WHERE segment_share_of_day > 1 OR "
            "segment_share_of_day IS NULL) FROM (SELECT DISTINCT date, segment_type, segment, "
            "segment_share_of_day FROM model_segment_share_daily)"
        )[0][1]
        == 0
    )
    materialization = result.asset_materializations_for_node("rankings_segments_daily")[-1]
    assert materialization.metadata["dagster/row_count"].value > 0
    assert materialization.metadata["citation"].value.startswith(
        "Source: OpenRouter (openrouter.ai/rankings), as of "
    )


def test_the_daily_run_costs_one_request_per_segment(sandbox, resources, instance, query):
    last = last_completed_day()
    start = last - dt.timedelta(days=2)
    result = materialize_range(ASSETS, start, last, resources=resources, instance=instance)
    assert result.success
    assert segment_requests(sandbox) == dict.fromkeys(SEGMENTS, 1)
    assert sandbox.request_count(endpoint=ENDPOINT, unfiltered=True) == 1
    assert sandbox.request_count() == 11
    assert_shares_sum_to_one(query)
    evaluations = check_evaluations(result)
    names = {spec.name for spec in SEGMENTS_CHECKS} - {"segment_total_within_day_total"}
    for day in (start, last):
        for name in names:
            assert evaluations[(name, day.isoformat())].passed, name
        for name in ("segment_shares_sum_to_one", "every_segment_row_once"):
            assert evaluations[(name, day.isoformat())].passed, name


def test_a_rerun_replaces_its_days_without_duplicates(sandbox, resources, instance, query):
    materialize_range(ASSETS, "2025-09-01", "2025-09-05", resources=resources, instance=instance)
    first = query(
        "SELECT date, segment_type, segment, model_permaslug, rank, total_tokens "
        "FROM rankings_segments_daily ORDER BY ALL"
    )
    shares = query("SELECT * FROM model_segment_share_daily ORDER BY ALL")
    again = materialize_range(
        ASSETS, "2025-09-01", "2025-09-05", resources=resources, instance=instance
    )
    assert again.success
    assert (
        query(
            "SELECT date, segment_type, segment, model_permaslug, rank, total_tokens "
            "FROM rankings_segments_daily ORDER BY ALL"
        )
        == first
    )
    assert query("SELECT * FROM model_segment_share_daily ORDER BY ALL") == shares
    assert len(first) > 5 * 10 * 10
    assert segment_requests(sandbox) == dict.fromkeys(SEGMENTS, 2)


#: fault kind -> the contract checks it must fail (at ERROR) on the broken day.
FAULTS = {
    "rows_52": {"rows_per_segment_day", "ranks_unique_and_contiguous"},
    "tokens_order": {"tokens_non_increasing"},
    "other_not_last": {"other_at_most_once_and_last"},
    "other_duplicated": {
        "rows_per_segment_day",
        "other_at_most_once_and_last",
        "no_duplicate_models",
    },
}
BROKEN_DAY = "2025-04-02"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_contract_fault_fails_its_checks_and_writes_nothing(
    sandbox, resources, instance, query, fault
):
    materialize_range(ASSETS, "2025-04-01", "2025-04-03", resources=resources, instance=instance)
    before = digest(query)
    sandbox.inject(fault, date=BROKEN_DAY, endpoint=ENDPOINT, match={"modality": "tool_calling"})
    result = materialize_range(
        SEGMENT_ASSETS, "2025-04-01", "2025-04-03", resources=resources, instance=instance
    )
    assert not result.success
    evaluations = check_evaluations(result)
    failed = {
        name
        for (name, day), e in evaluations.items()
        if not e.passed and e.asset_key == rankings_segments_daily.key
    }
    assert failed == FAULTS[fault]
    for name in FAULTS[fault]:
        evaluation = evaluations[(name, BROKEN_DAY)]
        assert evaluation.severity == dg.AssetCheckSeverity.ERROR
        assert evaluation.description.startswith(f"{BROKEN_DAY}: modality=tool_calling: ")
        assert evaluations[(name, "2025-04-01")].passed
    assert digest(query) == before
    assert sandbox.faults()["queue"] == []  # the fault was consumed by the tool_calling request
    assert not result.asset_materializations_for_node("model_segment_share_daily")


def test_a_segment_above_its_day_total_fails_the_run_and_writes_nothing(
    sandbox, resources, instance, query
):
    materialize_range(ASSETS, "2025-04-01", "2025-04-03", resources=resources, instance=instance)
    before = digest(query)
    sandbox.inject(
        "tokens_sum_overflow", date=BROKEN_DAY, endpoint=ENDPOINT, match={"context_bucket": "1M"}
    )
    result = materialize_range(
        SEGMENT_ASSETS, "2025-04-01", "2025-04-03", resources=resources, instance=instance
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data.error)
    assert "segment_total_within_day_total" in message and BROKEN_DAY in message
    assert "context_bucket=1M:" in message and "in rankings_daily" in message
    # The bound is judged inside the write, and reported per day like the contract's checks.
    evaluations = check_evaluations(result)
    assert not evaluations[("segment_total_within_day_total", BROKEN_DAY)].passed
    assert evaluations[("segment_total_within_day_total", "2025-04-01")].passed
    assert digest(query) == before


def test_a_segment_without_rows_on_a_day_is_loaded_with_a_warning(
    sandbox, resources, instance, query
):
    sandbox.inject("missing_date", date=BROKEN_DAY, endpoint=ENDPOINT, match={"modality": "audio"})
    result = materialize_range(
        ASSETS, "2025-04-01", "2025-04-03", resources=resources, instance=instance
    )
    assert result.success
    evaluation = check_evaluations(result)[("segment_days_present", BROKEN_DAY)]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "modality=audio" in evaluation.description
    assert query(
        "SELECT count(*) FROM rankings_segments_daily WHERE date = ? AND segment = 'audio'",
        [BROKEN_DAY],
    ) == [(0,)]
    assert query(
        "SELECT count(DISTINCT segment) FROM rankings_segments_daily WHERE date = ?", [BROKEN_DAY]
    ) == [(9,)]
