"""Non-200 answers as the project's errors (``data_api/responses.py``): each message names the
endpoint its request went to, and never the key."""

import datetime as dt

import httpx
import pytest

from rankings_etl.core.api_facts import APP_RANKINGS_PATH
from rankings_etl.core.errors import (
    OpenRouterAPIError,
    OpenRouterAuthError,
    OpenRouterBadRequestError,
    OpenRouterRateLimitedError,
    OpenRouterServerError,
)
from rankings_etl.core.keys import key_fingerprint
from rankings_etl.core.windows import Window
from rankings_etl.data_api.request import ApiRequest
from rankings_etl.data_api.responses import Answer, endpoint_name, error_for, request_name
from rankings_etl.datasets.rankings_daily.dataset import request_for

from .conftest import API_KEY

WEEK = Window(dt.date(2025, 3, 10), dt.date(2025, 3, 16))
APPS = ApiRequest(
    dataset="app_rankings_weekly",
    path=APP_RANKINGS_PATH,
    params={
        "sort": "popular",
        "limit": "100",
        "start_date": "2025-03-10",
        "end_date": "2025-03-16",
    },
    window=WEEK,
    label=f"popular {WEEK}",
)
RANKINGS = request_for(Window(dt.date(2025, 6, 15), dt.date(2025, 6, 15)))


def answer(status, headers=None, **kwargs):
    sent = httpx.Response(status, headers=headers or {}, **kwargs)
    return Answer(sent.status_code, sent.headers, sent.read())


def test_a_request_is_named_by_its_own_endpoint():
    assert endpoint_name(RANKINGS) == "rankings-daily"
    assert request_name(RANKINGS) == "rankings-daily 2025-06-15..2025-06-15"
    assert endpoint_name(APPS) == "app-rankings"
    assert request_name(APPS) == "app-rankings popular 2025-03-10..2025-03-16"


@pytest.mark.parametrize(
    ("status", "kind", "says"),
    [
        (400, OpenRouterBadRequestError, "bad request: "),
        (401, OpenRouterAuthError, "the OpenRouter API key was refused"),
        (429, OpenRouterRateLimitedError, "rate limited (Retry-After 3 s). "),
        (503, OpenRouterServerError, "server error: "),
        (418, OpenRouterAPIError, "unexpected status: "),
    ],
)
def test_each_status_is_its_error_naming_the_endpoint_and_what_the_server_said(status, kind, says):
    body = {"error": {"message": f"no such thing for {API_KEY}"}}
    for request in (APPS, RANKINGS):
        error = error_for(answer(status, {"Retry-After": "3"}, json=body), request, API_KEY)
        assert type(error) is kind and error.status == status
        text = str(error)
        assert text.startswith(f"{request_name(request)}: HTTP {status}: {says}")
        assert text.endswith("no such thing for [redacted key]")
        assert API_KEY not in text
    assert "app-rankings popular" not in str(error_for(answer(500), RANKINGS, API_KEY))


def test_a_refused_key_is_named_by_its_fingerprint_only():
    error = error_for(answer(401, text=""), APPS, API_KEY)
    assert f"key {key_fingerprint(API_KEY)}" in str(error)
    assert str(error).endswith("Server said: (empty body)")
