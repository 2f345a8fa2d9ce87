"""What one request to the Data API asks: a dataset's path and query parameters, for a window.

A dataset describes its runs as a list of :class:`ApiRequest` (``DatasetSpec.requests``); the
client sends them and ``raw_responses`` records each body's ``dataset``, ``endpoint`` and
``params`` from them, so a stored body always says which question it answered.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

from rankings_etl.core.windows import Window


@dataclasses.dataclass(frozen=True)
class ApiRequest:
    #: The registry dataset whose request it is, e.g. "rankings_daily".
    dataset: str
    #: The path under the API root, e.g. "/datasets/rankings-daily".
    path: str
    #: Every query parameter sent, as strings.
    params: Mapping[str, str]
    #: The dates the request covers.
    window: Window
    #: How messages and the rate-budget ledger name it, e.g. "2025-06-15..2025-06-15".
    label: str

    def params_json(self) -> str:
        """The parameters as canonical JSON (sorted keys, no spaces), as ``raw_responses``
        stores them: equal requests give equal strings."""
        return json.dumps(dict(self.params), sort_keys=True, separators=(",", ":"))
