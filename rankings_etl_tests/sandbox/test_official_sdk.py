"""The official OpenRouter Python SDK talks to the sandbox: proof it speaks the real contract."""

import pytest
from openrouter import OpenRouter, errors

KEY = "sk-or-v1-sandbox-sdk-key"


@pytest.fixture
def client():
    with OpenRouter(api_key=KEY) as sdk:
        yield sdk


def fetch(client, sandbox, **params):
    return client.datasets.get_rankings_daily(server_url=sandbox.base_url, retries=None, **params)


def test_the_sdk_parses_a_multi_day_response(client, sandbox):
    response = fetch(client, sandbox, start_date="2025-07-01", end_date="2025-07-05")
    assert response.meta.version == "v1"
    assert (response.meta.start_date, response.meta.end_date) == ("2025-07-01", "2025-07-05")
    assert len(response.data) == 5 * 51
    assert response.data[50].model_permaslug == "other"
    assert int(response.data[0].total_tokens) >= int(response.data[1].total_tokens)


def test_the_sdk_raises_its_typed_error_for_400(client, sandbox):
    with pytest.raises(errors.BadRequestResponseError):
        fetch(client, sandbox, start_date="2026-02-30", end_date="2026-03-01")


def test_the_sdk_raises_its_typed_error_for_401(sandbox):
    with OpenRouter(api_key="not-a-key") as sdk, pytest.raises(errors.UnauthorizedResponseError):
        fetch(sdk, sandbox)


def test_the_sdk_raises_its_typed_error_for_429(client, sandbox):
    sandbox.inject("status", status=429, retry_after=30)
    with pytest.raises(errors.TooManyRequestsResponseError):
        fetch(client, sandbox)
