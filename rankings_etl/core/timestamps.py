"""``as_of`` instants: reading the API's ISO-8601 text, and writing it back the API's way.

OpenRouter writes ``meta.as_of`` as ``2026-05-12T02:00:00.000Z`` (UTC, milliseconds). Everything
this project shows or publishes (the citation in metadata, exports, the chart and ``top``; the
sandbox's answers) formats an instant with :func:`format_as_of`, so the same data is always cited
the same way.
"""

from __future__ import annotations

import datetime as dt


def parse_as_of(text: str) -> dt.datetime:
    """An ISO-8601 ``as_of`` as an aware UTC datetime (one without an offset is taken as UTC);
    ValueError or OverflowError if it is none."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def format_as_of(moment: dt.datetime) -> str:
    """The API's form: ``2026-05-12T02:00:00.000Z`` (UTC, milliseconds)."""
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
