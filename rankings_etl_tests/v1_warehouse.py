"""A warehouse file as every release before ``raw_responses`` v2 wrote it: the migration's input,
kept verbatim so the tests can make one without an old checkout."""

from pathlib import Path

import duckdb

#: raw_responses before v2: no dataset, endpoint or params.
V1_RAW_RESPONSES_DDL = """
CREATE TABLE IF NOT EXISTS raw_responses (
    requested_start DATE        NOT NULL,
    requested_end   DATE        NOT NULL,
    meta_start_date DATE        NOT NULL,
    meta_end_date   DATE        NOT NULL,
    as_of           VARCHAR     NOT NULL,
    version         VARCHAR     NOT NULL,
    row_count       INTEGER     NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR,
    body            VARCHAR     NOT NULL
);
"""

#: The ten v1 columns, in order.
V1_COLUMNS = (
    "requested_start, requested_end, meta_start_date, meta_end_date, as_of, version, row_count, "
    "fetched_at, run_id, body"
)


def write_v1_warehouse(path: Path, rows: list[tuple]) -> Path:
    """A DuckDB file holding only a v1 ``raw_responses`` with ``rows`` (ten values each)."""
    with duckdb.connect(str(path)) as con:
        con.execute(V1_RAW_RESPONSES_DDL)
        con.executemany(
            "INSERT INTO raw_responses VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", rows
        )
    return path
