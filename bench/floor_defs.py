"""Code location of the Dagster floor: ``dagster ... -m bench.floor_defs``.

Reads the pickled graph spec named by ``$BENCH_FLOOR_SPEC`` (written by ``python -m bench``
from ``rankings_etl.definitions.defs``), so this process imports Dagster but not the project.
Without the variable it mirrors the project's definitions directly (handy by hand; that path
pays the project's imports too).
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.mirror import build_floor_definitions, graph_spec, load_spec

_SPEC = os.environ.get("BENCH_FLOOR_SPEC")
if _SPEC:
    spec = load_spec(Path(_SPEC))
else:  # pragma: no cover - manual use
    from rankings_etl.definitions import defs as _real_defs

    spec = graph_spec(_real_defs)

defs = build_floor_definitions(spec)
