"""Everything the project defines, assembled in one place: read this file top to bottom.

Settings with documented defaults (URLs, paths) are read here, where the resources are built;
the API key is only ever referenced through ``EnvVar`` so its value never reaches the UI,
run config or logs.
"""

from __future__ import annotations

import os

import dagster as dg
from dagster_duckdb import DuckDBResource

from rankings_etl.assets.rankings import rankings_daily
from rankings_etl.contract import DEFAULT_BASE_URL
from rankings_etl.resources.openrouter_client import OpenRouterClient

DEFAULT_DUCKDB_PATH = "data/rankings.duckdb"

defs = dg.Definitions(
    assets=[rankings_daily],
    resources={
        "openrouter": OpenRouterClient(
            api_key=dg.EnvVar("OPENROUTER_API_KEY"),
            base_url=os.getenv("OPENROUTER_BASE_URL") or DEFAULT_BASE_URL,
        ),
        "duckdb": DuckDBResource(database=os.getenv("RANKINGS_DUCKDB_PATH") or DEFAULT_DUCKDB_PATH),
    },
    # Our steps are cheap and share one DuckDB file: a subprocess per step (~1.5 s each)
    # would cost more than the work, and in-process steps never contend for the file lock.
    executor=dg.in_process_executor,
)
