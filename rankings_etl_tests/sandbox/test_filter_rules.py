"""The filter rules the Data API refuses with a 400, each naming the problem, over real HTTP.

A 400 is counted by the limiter like every authenticated request (the request was made).
"""

import pytest

from rankings_etl.core.api_facts import (
    APP_CATEGORIES,
    CATEGORIES,
    CONTEXT_BUCKETS,
    MODALITIES,
    PERIODS,
)

from .helpers import error_of, get, get_apps

WINDOW = {"start_date": "2025-06-01", "end_date": "2025-06-30"}

RANKINGS_400 = [
    pytest.param(
        {"category": "programming", "language_type": "natural"},
        "category and language_type cannot be combined",
        id="category_with_language_type",
    ),
    pytest.param(
        {"category": "legal", "modality": "text"},
        "category (sampled, weekly estimates) cannot be combined with modality",
        id="category_with_modality",
    ),
    pytest.param(
        {"category": "legal", "context_bucket": "1M"},
        "cannot be combined with context_bucket",
        id="category_with_context_bucket",
    ),
    pytest.param(
        {"language_type": "programming", "modality": "audio"},
        "language_type (sampled, weekly estimates) cannot be combined with modality",
        id="language_type_with_modality",
    ),
    pytest.param(
        {"language_type": "natural", "context_bucket": "10K", "modality": "text"},
        "cannot be combined with modality or context_bucket",
        id="language_type_with_both_exact_filters",
    ),
    pytest.param(
        {"category": "finance", "period": "day"},
        "period=day is not available with category",
        id="category_with_period_day",
    ),
    pytest.param(
        {"language_type": "natural", "period": "day"},
        "period=day is not available with language_type",
        id="language_type_with_period_day",
    ),
    pytest.param(
        {"modality": "video"},
        f"modality must be one of {', '.join(MODALITIES)}; got 'video'",
        id="unknown_modality",
    ),
    pytest.param(
        {"context_bucket": "1k"},
        f"context_bucket must be one of {', '.join(CONTEXT_BUCKETS)}; got '1k'",
        id="unknown_context_bucket",
    ),
    pytest.param(
        {"category": "cooking"},
        f"category must be one of {', '.join(CATEGORIES)}; got 'cooking'",
        id="unknown_category",
    ),
    pytest.param(
        {"language_type": "klingon"},
        "language_type must be one of natural, programming; got 'klingon'",
        id="unknown_language_type",
    ),
    pytest.param(
        {"period": "year"},
        f"period must be one of {', '.join(PERIODS)}; got 'year'",
        id="unknown_period",
    ),
    pytest.param({"modality": ""}, "modality must be one of", id="empty_modality"),
]


@pytest.mark.parametrize(("params", "message"), RANKINGS_400)
def test_each_forbidden_rankings_request_gets_400_naming_the_problem(sandbox, params, message):
    response = get(sandbox, **WINDOW, **params)
    assert response.status_code == 400
    assert message in error_of(response)
    assert sandbox.request_count(status=400) == 1


def test_the_allowed_combinations_are_served(sandbox):
    for params in (
        {"modality": "text", "context_bucket": "100K"},
        {"modality": "text", "period": "week"},
        {"category": "programming", "period": "month"},
        {"language_type": "programming", "period": "week"},
        {"category": "marketing/seo"},
    ):
        response = get(sandbox, **WINDOW, **params)
        assert response.status_code == 200, (params, response.text)


def test_a_400_is_counted_by_the_limiter(sandbox_factory):
    limited = sandbox_factory(per_minute=2)
    assert get(limited, category="legal", period="day").status_code == 400
    assert get(limited, **WINDOW, modality="text").status_code == 200
    assert get(limited, **WINDOW).status_code == 429


# --- app-rankings ------------------------------------------------------------------------------

APPS_400 = [
    pytest.param(
        {"sort": "newest"}, "sort must be one of popular, trending; got 'newest'", id="sort"
    ),
    pytest.param({"limit": "0"}, "limit must be an integer from 1 to 100; got '0'", id="limit_0"),
    pytest.param(
        {"limit": "101"}, "limit must be an integer from 1 to 100; got '101'", id="limit_101"
    ),
    pytest.param({"limit": "ten"}, "limit must be an integer from 1 to 100", id="limit_text"),
    pytest.param({"limit": "-1"}, "limit must be an integer from 1 to 100", id="limit_negative"),
    pytest.param({"limit": "5.0"}, "limit must be an integer from 1 to 100", id="limit_decimal"),
    pytest.param(
        {"offset": "101"}, "offset must be an integer from 0 to 100; got '101'", id="offset_101"
    ),
    pytest.param({"offset": "-1"}, "offset must be an integer from 0 to 100", id="offset_negative"),
    pytest.param({"offset": ""}, "offset must be an integer from 0 to 100", id="offset_empty"),
    pytest.param(
        {"category": "games"},
        f"category must be one of {', '.join(APP_CATEGORIES)}; got 'games'",
        id="unknown_category",
    ),
    pytest.param(
        {"subcategory": "chatbot"}, "subcategory must be one of cli-agent", id="unknown_subcategory"
    ),
    pytest.param(
        {"category": "creative", "subcategory": "cli-agent"},
        "subcategory 'cli-agent' is not in category 'creative' (it belongs to 'coding')",
        id="subcategory_outside_its_category",
    ),
    pytest.param({"end_date": "2026-02-30"}, "not a valid calendar date", id="window_rules_too"),
]


@pytest.mark.parametrize(("params", "message"), APPS_400)
def test_each_invalid_app_rankings_request_gets_400_naming_the_problem(sandbox, params, message):
    response = get_apps(sandbox, **params)
    assert response.status_code == 400
    assert message in error_of(response)
    assert sandbox.request_count(status=400, endpoint="app-rankings") == 1


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "1"},
        {"limit": "100", "offset": "100"},
        {"offset": "0"},
        {"sort": "trending", "category": "coding", "subcategory": "cli-agent"},
        {"modality": "text"},  # rankings-daily's filters mean nothing here: ignored
    ],
)
def test_the_bounds_themselves_are_served(sandbox, params):
    assert get_apps(sandbox, **params).status_code == 200


def test_an_app_rankings_400_is_counted_by_the_shared_limiter(sandbox_factory):
    limited = sandbox_factory(per_minute=2)
    assert get_apps(limited, limit="101").status_code == 400
    assert get(limited, category="legal", period="day").status_code == 400
    assert get_apps(limited).status_code == 429
