"""The analytics assets as Dagster sees them: contract columns, partitions, checks, automation."""

import datetime as dt

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from rankings_etl.datasets import published_tables, warehouse_specs
from rankings_etl.datasets import table as table_spec
from rankings_etl.datasets.rankings_daily.assets import analytics_assets, rankings_daily
from rankings_etl.definitions import defs
from rankings_etl.orchestration.partitions import daily_partitions
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.warehouse.schema import ensure_schema

#: The public column names, in order: users' SQL depends on them (renaming one breaks it).
CONTRACT_COLUMNS = {
    "model_share_daily": (
        "date model_permaslug author variant rank total_tokens share_of_day share_of_top50"
    ),
    "market_daily": (
        "date total_tokens top50_tokens other_tokens top50_share models_ranked hhi top_model "
        "top_model_share as_of"
    ),
    "author_share_daily": "date author models total_tokens share_of_day rank",
    "model_growth_daily": (
        "date model_permaslug rank total_tokens prev_day_tokens dod_growth tokens_7d_ago "
        "wow_growth avg_7d_tokens rank_prev_day rank_change share_change_pp is_new_entry"
    ),
}
DESCRIBED = {name: table_spec(name).columns for name in CONTRACT_COLUMNS}
CHECKS = {
    "model_share_daily": {"shares_sum_to_one", "every_model_once"},
    "market_daily": {"one_row_per_day"},
    "author_share_daily": {"authors_sum_to_top50_share"},
    "model_growth_daily": {"growth_rows_for_every_ranked_model"},
}


@pytest.mark.parametrize("table", sorted(CONTRACT_COLUMNS))
def test_the_ddl_the_descriptions_and_the_contract_agree_column_for_column(table):
    con = duckdb.connect()
    ensure_schema(con, warehouse_specs())
    ddl = [
        (name, type_.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"))
        for name, type_, *_ in con.execute(f"DESCRIBE {table}").fetchall()
    ]
    assert ddl == [(name, type_) for name, type_, _ in DESCRIBED[table]]
    assert [name for name, _ in ddl] == CONTRACT_COLUMNS[table].split()
    assert published_tables()[table].columns is DESCRIBED[table]


def test_each_asset_is_a_daily_single_run_duckdb_table_with_blocking_checks_of_its_own():
    graph = defs.resolve_asset_graph()
    for asset in analytics_assets:
        node = graph.get(asset.key)
        name = asset.key.to_user_string()
        assert node.partitions_def == daily_partitions
        assert node.backfill_policy == dg.BackfillPolicy.single_run()
        assert node.group_name == "openrouter"
        assert node.owners == ["team:data-engineering"]
        assert "dagster/kind/duckdb" in node.tags
        assert node.automation_condition is not None
        assert asset.descriptions_by_key[asset.key]  # the docstring says why
        schema = node.metadata["dagster/column_schema"]
        assert [(c.name, c.type) for c in schema.columns] == [(n, t) for n, t, _ in DESCRIBED[name]]
        specs = list(asset.check_specs)
        assert {spec.name for spec in specs} == CHECKS[name]
        assert all(spec.blocking for spec in specs)


def test_growth_depends_on_its_own_day_and_the_seven_before_it():
    graph = defs.resolve_asset_graph()
    growth = dg.AssetKey("model_growth_daily")
    mapping = graph.get_partition_mapping(growth, rankings_daily.key)
    upstream = mapping.get_upstream_mapped_partitions_result_for_partitions(
        daily_partitions.subset_with_partition_keys(["2025-03-10"]),
        daily_partitions,
        daily_partitions,
        current_time=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
    ).partitions_subset.get_partition_keys()
    assert list(upstream) == [f"2025-03-{day:02d}" for day in range(3, 11)]
    # at the start of history the days that do not exist are simply left out
    first = mapping.get_upstream_mapped_partitions_result_for_partitions(
        daily_partitions.subset_with_partition_keys(["2025-01-02"]),
        daily_partitions,
        daily_partitions,
        current_time=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
    )
    assert list(first.partitions_subset.get_partition_keys()) == ["2025-01-01", "2025-01-02"]


def automation_defs():
    return dg.Definitions(
        assets=[rankings_daily, *analytics_assets],
        resources={
            "duckdb": DuckDBResource(database=":memory:"),
            "openrouter": OpenRouterClient(api_key="unused"),
        },
    )


def requested(result):
    return {
        asset.key.to_user_string(): result.get_requested_partitions(asset.key)
        for asset in analytics_assets
        if result.get_requested_partitions(asset.key)
    }


def test_the_newest_day_follows_rankings_daily_even_with_an_unloaded_day_before_it():
    """Feb 23 was never loaded; growth's Feb 28 treats it as unknown, so it must still run."""
    instance = dg.DagsterInstance.ephemeral()
    definitions = automation_defs()
    now = dt.datetime(2025, 3, 1, 6, tzinfo=dt.UTC)  # Feb 28 is the newest complete day

    def tick(cursor=None):
        return dg.evaluate_automation_conditions(
            defs=definitions, instance=instance, evaluation_time=now, cursor=cursor
        )

    for day in range(20, 28):
        if day != 23:
            instance.report_runless_asset_event(
                dg.AssetMaterialization("rankings_daily", partition=f"2025-02-{day}")
            )
    result = tick()
    assert requested(result) == {}  # the newest day's rankings are not there yet
    instance.report_runless_asset_event(
        dg.AssetMaterialization("rankings_daily", partition="2025-02-28")
    )
    result = tick(result.cursor)
    assert requested(result) == {asset.key.path[-1]: {"2025-02-28"} for asset in analytics_assets}
    assert requested(tick(result.cursor)) == {}  # requested once, not on every tick
