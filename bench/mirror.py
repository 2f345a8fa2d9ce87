"""The Dagster floor: the project's asset graph, decorator for decorator, with no-op bodies.

:func:`graph_spec` reads every asset, check and asset job out of a loaded ``Definitions`` (the
real ``rankings_etl.definitions.defs``): asset specs (keys, deps with their partition mappings,
metadata, automation conditions), check specs (blocking included), partitions definitions,
backfill policies, pools, subsettability, the asset jobs' selections and the executor.
:func:`build_floor_definitions` turns that back into ``Definitions`` whose ops only emit what
the real ops emit (one materialization per asset, one passing result per check), so the
floor cannot drift from the graph it mirrors.

The spec is pickled by the benchmark process and unpickled by the floor's run process
(:mod:`bench.floor_defs`), so that process imports Dagster and nothing of the project: the
project's own import cost (pandas, httpx, matplotlib, ...) is ours, not Dagster's.
"""

from __future__ import annotations

import copyreg
import pickle
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

SPEC_VERSION = 1


def _asset_dep(asset_key: dg.AssetKey, partition_mapping: Any) -> dg.AssetDep:
    return dg.AssetDep(asset_key, partition_mapping=partition_mapping)


# AssetDep's __new__ takes keyword arguments that its NamedTuple fields do not map onto, so the
# default pickling cannot rebuild it.
copyreg.pickle(dg.AssetDep, lambda dep: (_asset_dep, (dep.asset_key, dep.partition_mapping)))

_EXECUTORS = {
    "in_process": dg.in_process_executor,
    "multiprocess": dg.multiprocess_executor,
}


def graph_spec(defs: dg.Definitions) -> dict[str, Any]:
    """Everything about ``defs``' asset graph that shapes a run, as plain picklable values."""
    graph = defs.resolve_asset_graph()
    nodes = []
    for assets_def in graph.assets_defs:
        if not assets_def.is_executable:
            continue
        nodes.append(
            {
                "name": assets_def.node_def.name,
                "specs": list(assets_def.specs),
                "check_specs": list(assets_def.check_specs),
                "partitions_def": assets_def.partitions_def,
                "backfill_policy": assets_def.backfill_policy,
                "pool": assets_def.op.pool,
                "can_subset": assets_def.can_subset,
            }
        )
    jobs = []
    for job in defs.jobs or []:
        if not isinstance(job, UnresolvedAssetJobDefinition):
            raise ValueError(f"job {job.name!r} is not an asset job; the floor cannot mirror it")
        resolved = defs.resolve_job_def(job.name)
        jobs.append(
            {
                "name": job.name,
                "asset_keys": sorted(resolved.asset_layer.selected_asset_keys),
                "partitions_def": resolved.partitions_def,
                "description": job.description,
            }
        )
    executor = defs.executor.name if defs.executor is not None else "default"
    if executor not in _EXECUTORS:
        raise ValueError(f"executor {executor!r}: the floor mirrors in_process/multiprocess only")
    return {"version": SPEC_VERSION, "nodes": nodes, "jobs": jobs, "executor": executor}


def dump_spec(defs: dg.Definitions, path: Path) -> dict[str, Any]:
    spec = graph_spec(defs)
    path.write_bytes(pickle.dumps(spec))
    return spec


def load_spec(path: Path) -> dict[str, Any]:
    spec = pickle.loads(Path(path).read_bytes())
    if spec.get("version") != SPEC_VERSION:
        raise ValueError(f"{path}: floor spec version {spec.get('version')}, want {SPEC_VERSION}")
    return spec


def _noop_assets(node: dict[str, Any]) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=node["name"],
        specs=node["specs"],
        check_specs=node["check_specs"] or None,
        partitions_def=node["partitions_def"],
        backfill_policy=node["backfill_policy"],
        pool=node["pool"],
        can_subset=node["can_subset"],
    )
    def _noop(context):
        checks = context.selected_asset_check_keys
        for key in sorted(context.selected_asset_keys):
            yield dg.MaterializeResult(
                asset_key=key,
                check_results=[
                    dg.AssetCheckResult(asset_key=key, check_name=check.name, passed=True)
                    for check in sorted(checks, key=str)
                    if check.asset_key == key
                ],
            )

    return _noop


def _noop_checks(node: dict[str, Any]) -> dg.AssetChecksDefinition:
    @dg.multi_asset_check(
        name=node["name"],
        specs=node["check_specs"],
        can_subset=node["can_subset"],
        pool=node["pool"],
    )
    def _noop(context):
        for check in sorted(context.selected_asset_check_keys, key=str):
            yield dg.AssetCheckResult(asset_key=check.asset_key, check_name=check.name, passed=True)

    return _noop


def build_floor_definitions(spec: dict[str, Any]) -> dg.Definitions:
    """``Definitions`` with the same graph, jobs and executor as the spec, and no-op bodies."""
    assets = []
    checks = []
    for node in spec["nodes"]:
        if node["specs"]:
            assets.append(_noop_assets(node))
        else:
            checks.append(_noop_checks(node))
    jobs = [
        dg.define_asset_job(
            job["name"],
            selection=dg.AssetSelection.assets(*job["asset_keys"]),
            partitions_def=job["partitions_def"],
            description=job["description"],
        )
        for job in spec["jobs"]
    ]
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=jobs,
        executor=_EXECUTORS[spec["executor"]],
    )


def describe(spec: dict[str, Any]) -> dict[str, Any]:
    """Counts a reader can compare with the real graph (in results.md)."""
    # The model rankings' group: what the bench's full-history runs select (the other
    # datasets have their own groups, partitions and costs).
    partitioned = [
        n
        for n in spec["nodes"]
        if n["specs"]
        and n["partitions_def"] is not None
        and all(s.group_name == "openrouter" for s in n["specs"])
    ]
    return {
        "assets": sum(len(n["specs"]) for n in spec["nodes"]),
        "partitioned_assets": sorted(
            s.key.to_user_string() for n in partitioned for s in n["specs"]
        ),
        "checks": sum(len(n["check_specs"]) for n in spec["nodes"]),
        "jobs": [j["name"] for j in spec["jobs"]],
        "executor": spec["executor"],
    }


def graph_fingerprint(defs: dg.Definitions) -> dict[str, Any]:
    """What must agree between the real graph and its floor, in comparable form."""
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "partitions": str(node.partitions_def),
            "backfill_policy": str(node.backfill_policy),
            "pools": sorted(node.pools or []),
            "deps": {
                parent.to_user_string(): repr(graph.get_partition_mapping(key, parent))
                for parent in sorted(node.parent_keys)
            },
            "checks": sorted(
                (check.name, graph.get_check_spec(check).blocking) for check in node.check_keys
            ),
        }
    jobs = {
        job.name: sorted(
            key.to_user_string()
            for key in defs.resolve_job_def(job.name).asset_layer.selected_asset_keys
        )
        for job in defs.jobs or []
    }
    executor = defs.executor.name if defs.executor is not None else "default"
    return {"assets": assets, "jobs": jobs, "executor": executor}
