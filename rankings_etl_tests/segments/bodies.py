"""Hand-built rankings-daily bodies and responses for the pure tests of the filtered datasets
(the acceptance tests go through the sandbox instead)."""

from __future__ import annotations

import datetime as dt
import json

from rankings_etl.core.windows import Window
from rankings_etl.data_api.request import ApiRequest

FETCHED = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)
AS_OF = "2026-11-30T02:00:00.000Z"


def ranked_list(day, ranked=5, other=True, top=10_000, prefix="lab"):
    """One bucket's rows in API order: ``ranked`` models with decreasing tokens, then
    ``other`` (when asked), as the API sends them."""
    rows = [
        {
            "date": day.isoformat(),
            "model_permaslug": f"{prefix}{i % 3}/m-{i:02d}",
            "total_tokens": str(top - 7 * i),
        }
        for i in range(ranked)
    ]
    if other:
        rows.append({"date": day.isoformat(), "model_permaslug": "other", "total_tokens": "77"})
    return rows


def body(window: Window, rows, *, as_of=AS_OF) -> str:
    meta = {
        "as_of": as_of,
        "version": "v1",
        "start_date": window.start.isoformat(),
        "end_date": window.end.isoformat(),
    }
    return json.dumps({"data": rows, "meta": meta})


def request(dataset, window: Window, **filters) -> ApiRequest:
    return ApiRequest(
        dataset=dataset,
        path="/datasets/rankings-daily",
        params={
            "start_date": window.start.isoformat(),
            "end_date": window.end.isoformat(),
            **filters,
        },
        window=window,
        label=f"{filters} {window}",
    )
