"""The official OpenRouter Python SDK talks to the sandbox: proof it speaks the real contract."""

import pytest
from openrouter import OpenRouter, errors

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
