"""Talking to a sandbox over HTTP the way a client does."""

import httpx

from rankings_etl.core.api_facts import APP_RANKINGS_PATH, OTHER, RANKINGS_DAILY_PATH

KEY = "sk-or-v1-sandbox-test-key-0123456789"


def get(server, key=KEY, timeout=30, **params):
    """GET rankings-daily with ``Authorization: Bearer <key>`` (no header when key is None)."""
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return httpx.get(
        f"{server.base_url}{RANKINGS_DAILY_PATH}", params=params, headers=headers, timeout=timeout
    )


def get_apps(server, key=KEY, timeout=30, **params):
    """GET app-rankings, as :func:`get`."""
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return httpx.get(
        f"{server.base_url}{APP_RANKINGS_PATH}", params=params, headers=headers, timeout=timeout
    )


def error_of(response):
    """The error message, after checking the body is exactly OpenRouter's error shape."""
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == response.status_code
    return body["error"]["message"]


def by_date(data):
    """{date: rows in API order}."""
    days = {}
    for row in data:
        days.setdefault(row["date"], []).append(row)
    return days


def assert_day_in_contract_order(rows):
    """Ranked rows by tokens descending, ties by permaslug; at most one `other`, last."""
    slugs = [row["model_permaslug"] for row in rows]
    if OTHER in slugs:
        assert slugs.count(OTHER) == 1 and slugs[-1] == OTHER
    ranked = [
        (-int(r["total_tokens"]), r["model_permaslug"])
        for r in rows
        if r["model_permaslug"] != OTHER
    ]
    assert ranked == sorted(ranked)
