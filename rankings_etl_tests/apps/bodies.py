"""Hand-built app-rankings bodies for the parser, check and load tests (no server needed)."""

import datetime as dt
import json

from rankings_etl.core.windows import Window

WEEK = Window(dt.date(2025, 3, 10), dt.date(2025, 3, 16))
FETCHED = dt.datetime(2025, 3, 17, 1, 0, tzinfo=dt.UTC)
AS_OF = "2025-03-17T00:30:00.000Z"


def rows(n=3, *, start_rank=1, tokens=None):
    """``n`` well-formed rows, tokens falling down the ranking."""
    tokens = tokens or [str(1_000_000 - 1000 * i) for i in range(n)]
    return [
        {
            "app_id": 100 + i,
            "app_name": f"App {i}",
            "rank": start_rank + i,
            "total_requests": 5000 - i,
            "total_tokens": tokens[i],
        }
        for i in range(n)
    ]


def body(data=None, *, week=WEEK, **meta):
    full = {
        "as_of": AS_OF,
        "version": "v1",
        "start_date": week.start.isoformat(),
        "end_date": week.end.isoformat(),
    }
    full.update(meta)
    return json.dumps({"data": rows() if data is None else data, "meta": full})
