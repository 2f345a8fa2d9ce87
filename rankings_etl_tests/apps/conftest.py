"""The integration fixtures (a warehouse file, resources pointed at the session's sandbox, a
read-only query), shared with the app-rankings tests."""

from rankings_etl_tests.integration import conftest as integration

duckdb_path = integration.duckdb_path
resources = integration.resources
query = integration.query
