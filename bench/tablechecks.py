"""The analytics assets' checks, handed to the plain scripts without importing Dagster there."""

from __future__ import annotations

from rankings_etl.core.check_outcomes import CheckSpec
from rankings_etl.warehouse.table_spec import TableCheck


def analytics_checks() -> dict[str, list[dict[str, str]]]:
    """Each analytics table's checks, read from the asset definitions' check specs, in the
    order of ``analytics_assets`` (an upstream-first order).

    Called by the benchmark process (which imports Dagster anyway); the floor process gets the
    result as JSON, so it never imports Dagster itself.
    """
    from rankings_etl.assets import analytics as assets_module

    by_name = {
        value.spec.name: value
        for value in vars(assets_module).values()
        if isinstance(value, TableCheck)
    }
    checks = {}
    for asset in assets_module.analytics_assets:
        (key,) = asset.keys
        checks[key.to_user_string()] = [
            {
                "name": spec.name,
                "description": by_name[spec.name].spec.description,
                "sql_name": by_name[spec.name].sql_name,
            }
            for spec in asset.check_specs
        ]
    return checks


def table_checks(described: dict[str, list[dict[str, str]]]) -> dict[str, list[TableCheck]]:
    return {
        table: [TableCheck(CheckSpec(c["name"], c["description"]), c["sql_name"]) for c in checks]
        for table, checks in described.items()
    }
