"""How a request goes on the wire: its URL and headers, written once for the client and the
bench's data floor (which sends the same requests without retries or a budget)."""

from __future__ import annotations

from rankings_etl.data_api.request import ApiRequest

USER_AGENT = "rankings-etl/0.1 (+dagster)"


def request_url(base_url: str, request: ApiRequest) -> str:
    """The URL of ``request`` under the API root ``base_url`` (query parameters apart)."""
    return base_url.rstrip("/") + request.path


def request_headers(api_key: str) -> dict[str, str]:
    """The headers of every request: the key as a bearer token (only ever here), JSON wanted."""
    return {
        "Authorization": f"Bearer {api_key.strip()}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
