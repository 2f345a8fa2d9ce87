"""The integration fixtures (a warehouse file, resources on the sandbox, a read-only query)."""

from rankings_etl_tests.integration.conftest import duckdb_path, query, resources  # noqa: F401
