"""The cheapest test that catches the most breakage: the definitions load and resolve."""

import dagster as dg

from rankings_etl.datasets.rankings_daily.checks import RANKINGS_CHECKS
from rankings_etl.definitions import defs


def test_definitions_load_and_resolve_every_job_schedule_and_check():
    repository = defs.get_repository_def()
    jobs = repository.get_all_jobs()
    assert jobs
    for job in jobs:
        assert job.execute_in_process is not None and job.graph.node_defs
    for schedule in repository.schedule_defs:
        assert repository.get_job(schedule.job_name)
    for sensor in repository.sensor_defs:
        assert sensor.name
    checks = defs.resolve_asset_graph().asset_check_keys
    names = {key.name for key in checks if key.asset_key == dg.AssetKey("rankings_daily")}
    assert names >= {spec.name for spec in RANKINGS_CHECKS}
    # The contract asks for a check named *fresh* or a FreshnessPolicy: this is the policy.
    policy = defs.resolve_asset_graph().get(dg.AssetKey("rankings_daily")).freshness_policy
    assert policy is not None, "the contract requires freshness on rankings_daily"


def test_every_asset_is_in_the_openrouter_group_and_partitioned_from_2025():
    """Daily assets start on the dataset's first day, weekly ones on its first Monday."""
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name == "openrouter"
        if isinstance(node.partitions_def, dg.WeeklyPartitionsDefinition):
            assert node.partitions_def.get_first_partition_key() == "2025-01-06"
        elif node.partitions_def is not None:
            assert node.partitions_def.get_first_partition_key() == "2025-01-01"
        if node.partitions_def is not None:
            assert node.backfill_policy == dg.BackfillPolicy.single_run()


def test_the_api_key_is_an_env_var_reference_never_a_value():
    api_key = defs.resources["openrouter"]._get_non_default_public_field_values()["api_key"]
    assert isinstance(api_key, dg.EnvVar)
    assert api_key.env_var_name == "OPENROUTER_API_KEY"


def test_loading_the_definitions_imports_neither_pandas_nor_matplotlib():
    """Every run worker, code server and daemon loads them: the heavy libraries stay out
    until a step needs them (the chart, exports), which make bench shows in startup time."""
    import subprocess
    import sys

    code = (
        "import sys, rankings_etl.definitions; "
        "print(sorted(m for m in ('pandas', 'numpy', 'matplotlib') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"
