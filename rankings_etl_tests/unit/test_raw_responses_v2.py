"""``raw_responses`` v2: a warehouse file written before it gains the request columns, exactly
filled, on the normal open path; opening twice is the same as once; a migration stopped between
its two transactions is finished by the next connection."""

import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from rankings_etl.datasets import warehouse_specs
from rankings_etl.warehouse.connection import open_warehouse
from rankings_etl.warehouse.schema import RAW_RESPONSES_V2
from rankings_etl.warehouse.sql import load_sql

from ..v1_warehouse import write_v1_warehouse

V1_ROWS = [
    (
        "2025-01-01",
        "2025-01-31",
        "2025-01-01",
        "2025-01-31",
        "2025-02-01T00:00:00Z",
        "v1",
        3,
        "2025-02-01 01:00:00+00",
        "run-a",
        '{"data": []}',
    ),
    (
        "2025-06-15",
        "2025-06-15",
        "2025-06-15",
        "2025-06-15",
        "2025-06-16T00:00:00Z",
        "v1",
        51,
        "2025-06-16 01:00:00+00",
        None,
        '{"data": [1]}',
    ),
]
REQUEST_COLUMNS = [
    (
        "rankings_daily",
        "/datasets/rankings-daily",
        '{"end_date":"2025-01-31","start_date":"2025-01-01"}',
    ),
    (
        "rankings_daily",
        "/datasets/rankings-daily",
        '{"end_date":"2025-06-15","start_date":"2025-06-15"}',
    ),
]


def v1_file(path):
    return write_v1_warehouse(path, V1_ROWS)


def request_columns(con):
    return con.execute(
        "SELECT dataset, endpoint, params FROM raw_responses ORDER BY requested_start"
    ).fetchall()


def layout(con):
    return con.execute(
        "SELECT column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_name = 'raw_responses' "
        "ORDER BY ordinal_position"
    ).fetchall()


def fresh_layout(tmp_path):
    with open_warehouse(
        DuckDBResource(database=str(tmp_path / "fresh.duckdb")), warehouse_specs()
    ) as con:
        return layout(con)


def test_a_v1_file_gains_the_request_columns_exactly_filled(tmp_path):
    database = v1_file(tmp_path / "v1.duckdb")
    with open_warehouse(DuckDBResource(database=str(database)), warehouse_specs()) as con:
        assert request_columns(con) == REQUEST_COLUMNS
        migrated = layout(con)
        # the same columns, order, types, nullability and (no) defaults as a fresh file
        assert migrated == fresh_layout(tmp_path)
        assert [name for name, *_ in migrated][-3:] == ["dataset", "endpoint", "params"]
        with pytest.raises(duckdb.ConstraintException, match="raw_responses.params"):
            con.execute(
                "INSERT INTO raw_responses (requested_start, requested_end, meta_start_date, "
                "meta_end_date, as_of, version, row_count, fetched_at, body, dataset, endpoint) "
                "VALUES ('2025-07-01', '2025-07-01', '2025-07-01', '2025-07-01', 'x', 'v1', 0, "
                "now(), '{}', 'rankings_daily', '/datasets/rankings-daily')"
            )
        with pytest.raises(duckdb.ConstraintException, match="raw_responses.dataset"):
            con.execute(
                "INSERT INTO raw_responses (requested_start, requested_end, meta_start_date, "
                "meta_end_date, as_of, version, row_count, fetched_at, body, endpoint, params) "
                "VALUES ('2025-07-01', '2025-07-01', '2025-07-01', '2025-07-01', 'x', 'v1', 0, "
                "now(), '{}', '/datasets/rankings-daily', '{}')"
            )


def test_opening_a_migrated_file_again_changes_nothing(tmp_path):
    database = v1_file(tmp_path / "v1.duckdb")
    resource = DuckDBResource(database=str(database))
    with open_warehouse(resource, warehouse_specs()) as con:
        once = (
            layout(con),
            request_columns(con),
            con.execute("SELECT * FROM raw_responses").fetchall(),
        )
    with open_warehouse(resource, warehouse_specs()) as con:
        twice = (
            layout(con),
            request_columns(con),
            con.execute("SELECT * FROM raw_responses").fetchall(),
        )
    assert twice == once
    assert len(once[2]) == len(V1_ROWS)


def test_a_migration_stopped_between_its_transactions_is_finished_by_the_next_open(tmp_path):
    database = v1_file(tmp_path / "v1.duckdb")
    with duckdb.connect(str(database)) as con:  # transaction 1 committed, then the process died
        con.execute("BEGIN TRANSACTION")
        con.execute(load_sql("rankings_etl.data_api", RAW_RESPONSES_V2[0]))
        con.execute("COMMIT")
        assert ("params", "VARCHAR", "YES", None) in layout(con)
    with open_warehouse(DuckDBResource(database=str(database)), warehouse_specs()) as con:
        assert request_columns(con) == REQUEST_COLUMNS
        assert layout(con) == fresh_layout(tmp_path)
