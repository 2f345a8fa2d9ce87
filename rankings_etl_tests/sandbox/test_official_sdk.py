"""The official OpenRouter Python SDK talks to the sandbox: proof it speaks the real contract."""

import pytest
from openrouter import OpenRouter, errors

from rankings_etl.core.api_facts import CONTEXT_BUCKETS, MODALITIES

from .helpers import KEY


@pytest.fixture
def client():
    with OpenRouter(api_key=KEY) as sdk:
        yield sdk


def fetch(client, sandbox, **params):
    # retries=None: the SDK's default retries 5XX with backoff; we want each answer as it is.
    return client.datasets.get_rankings_daily(server_url=sandbox.base_url, retries=None, **params)


def test_the_sdk_parses_a_multi_day_response(client, sandbox):
    response = fetch(client, sandbox, start_date="2025-07-01", end_date="2025-07-05")
    assert response.meta.version == "v1"
    assert (response.meta.start_date, response.meta.end_date) == ("2025-07-01", "2025-07-05")
    assert len(response.data) == 5 * 51
    assert [row.date_ for row in response.data[::51]] == [f"2025-07-0{d}" for d in range(1, 6)]
    assert response.data[50].model_permaslug == "other"
    assert int(response.data[0].total_tokens) >= int(response.data[1].total_tokens)


def test_the_sdk_raises_its_typed_error_for_400(client, sandbox):
    with pytest.raises(errors.BadRequestResponseError) as raised:
        fetch(client, sandbox, start_date="2026-02-30", end_date="2026-03-01")
    assert "not a valid calendar date" in raised.value.data.error.message


def test_the_sdk_raises_its_typed_error_for_401(sandbox):
    with OpenRouter(api_key="not-a-key") as sdk, pytest.raises(errors.UnauthorizedResponseError):
        fetch(sdk, sandbox)


def test_the_sdk_raises_its_typed_error_for_429_from_the_real_limiter(client, sandbox):
    sandbox.configure(per_minute=1)
    fetch(client, sandbox, start_date="2025-07-01", end_date="2025-07-01")
    with pytest.raises(errors.TooManyRequestsResponseError) as raised:
        fetch(client, sandbox, start_date="2025-07-01", end_date="2025-07-01")
    assert "per minute per key" in raised.value.data.error.message
    assert int(raised.value.headers["retry-after"]) >= 1
    assert sandbox.request_count(status=429) == 1  # raised at once, not retried


def test_the_sdk_raises_its_typed_error_for_an_injected_500(client, sandbox):
    sandbox.inject("status", status=500)
    with pytest.raises(errors.InternalServerResponseError):
        fetch(client, sandbox)


# --- issue 18: every filtered answer, the app rankings, and each 400 rule --------------------

WINDOW = {"start_date": "2025-07-01", "end_date": "2025-07-20"}
WEEK = {"start_date": "2026-11-09", "end_date": "2026-11-15"}


def apps(client, sandbox, **params):
    return client.datasets.get_app_rankings(server_url=sandbox.base_url, retries=None, **params)


def assert_rankings(response, dates):
    assert response.meta.version == "v1"
    assert (response.meta.start_date, response.meta.end_date) == (
        WINDOW["start_date"],
        WINDOW["end_date"],
    )
    assert sorted({row.date_ for row in response.data}) == dates
    for date in dates:
        rows = [row for row in response.data if row.date_ == date]
        assert 0 < len(rows) <= 51
        ranked = [int(r.total_tokens) for r in rows if r.model_permaslug != "other"]
        assert ranked == sorted(ranked, reverse=True)


DAYS = [f"2025-07-{d:02d}" for d in range(1, 21)]
MONDAYS = ["2025-06-30", "2025-07-07", "2025-07-14"]


@pytest.mark.parametrize("modality", MODALITIES)
def test_the_sdk_parses_every_modality(client, sandbox, modality):
    assert_rankings(fetch(client, sandbox, **WINDOW, modality=modality), DAYS)


@pytest.mark.parametrize("bucket", CONTEXT_BUCKETS)
def test_the_sdk_parses_every_context_bucket(client, sandbox, bucket):
    assert_rankings(fetch(client, sandbox, **WINDOW, context_bucket=bucket), DAYS)


@pytest.mark.parametrize(
    ("params", "dates"),
    [
        ({"modality": "tool_calling", "period": "week"}, MONDAYS),
        ({"context_bucket": "1M", "period": "month"}, ["2025-07-01"]),
        ({"period": "week"}, MONDAYS),
        ({"category": "programming"}, MONDAYS),  # the default period: week
        ({"category": "marketing/seo", "period": "week"}, MONDAYS),
        ({"category": "roleplay", "period": "month"}, ["2025-06-01", "2025-07-01"]),
        ({"language_type": "natural"}, MONDAYS),
        ({"language_type": "programming", "period": "month"}, ["2025-06-01", "2025-07-01"]),
    ],
)
def test_the_sdk_parses_weeks_months_and_estimates(client, sandbox, params, dates):
    assert_rankings(fetch(client, sandbox, **WINDOW, **params), dates)


@pytest.mark.parametrize("sort", ["popular", "trending"])
def test_the_sdk_parses_app_rankings(client, sandbox, sort):
    response = apps(client, sandbox, **WEEK, sort=sort, limit=100)
    result = response.result
    assert (result.meta.start_date, result.meta.end_date) == (
        WEEK["start_date"],
        WEEK["end_date"],
    )
    assert [row.rank for row in result.data] == list(range(1, len(result.data) + 1))
    assert all(isinstance(row.app_id, int) and row.app_name for row in result.data)
    assert all(int(row.total_tokens) > 0 and row.total_requests > 0 for row in result.data)
    assert (len(result.data) == 100) if sort == "popular" else (0 < len(result.data) < 100)


def test_the_sdk_pages_app_rankings_with_next_keeping_absolute_ranks(client, sandbox):
    first = apps(client, sandbox, **WEEK)
    assert [row.rank for row in first.result.data] == list(range(1, 51))
    second = first.next()
    assert [row.rank for row in second.result.data] == list(range(51, 101))
    third = second.next()
    assert [row.rank for row in third.result.data] == list(range(101, 151))
    offsets = [r["params"]["offset"] for r in sandbox.requests("app-rankings")]
    assert offsets == ["0", "50", "100"]
    # A full third page makes the SDK ask for offset 150, beyond the documented 0-100.
    with pytest.raises(errors.BadRequestResponseError) as raised:
        third.next()
    assert "offset must be an integer from 0 to 100; got '150'" in raised.value.data.error.message
    coding = apps(client, sandbox, **WEEK, category="coding", offset=100)
    assert coding.result.data[0].rank == 101 and len(coding.result.data) < 50
    assert coding.next() is None  # a short page is the last
    trending = apps(client, sandbox, **WEEK, sort="trending", limit=100)
    assert trending.next() is None  # fewer rows than the limit: the last page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"category": "programming", "language_type": "natural"}, "cannot be combined"),
        ({"category": "legal", "modality": "text"}, "cannot be combined with modality"),
        ({"language_type": "natural", "context_bucket": "1K"}, "cannot be combined with"),
        ({"category": "legal", "period": "day"}, "period=day is not available"),
        ({"language_type": "programming", "period": "day"}, "period=day is not available"),
        ({"modality": "video"}, "modality must be one of"),
        ({"period": "year"}, "period must be one of"),
    ],
)
def test_each_rankings_400_rule_is_the_sdks_bad_request_error(client, sandbox, params, message):
    with pytest.raises(errors.BadRequestResponseError) as raised:
        fetch(client, sandbox, **WINDOW, **params)
    assert message in raised.value.data.error.message


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 101}, "limit must be an integer from 1 to 100"),
        ({"limit": 0}, "limit must be an integer from 1 to 100"),
        ({"offset": 101}, "offset must be an integer from 0 to 100"),
        ({"sort": "newest"}, "sort must be one of popular, trending"),
        ({"category": "games"}, "category must be one of"),
        ({"category": "creative", "subcategory": "cli-agent"}, "is not in category 'creative'"),
    ],
)
def test_each_app_rankings_400_rule_is_the_sdks_bad_request_error(client, sandbox, params, message):
    with pytest.raises(errors.BadRequestResponseError) as raised:
        apps(client, sandbox, **params)
    assert message in raised.value.data.error.message
