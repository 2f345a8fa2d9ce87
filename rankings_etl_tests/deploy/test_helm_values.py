"""deploy/helm/values.yaml for the Dagster Helm chart (1.13.x), checked without a cluster.

- The values against the chart's schema for the sections we set (``chart_schema.py``), and, when
  ``DAGSTER_HELM_CHART_DIR`` points at the chart itself (``helm pull dagster/dagster --version
  1.13.x --untar``), merged over the chart's defaults against its own ``values.schema.json``, as
  Helm does.
- The instance the chart would render from them (its ``configmap-instance.yaml`` template, for
  the sections we set), through Dagster's own instance, K8sRunLauncher and run coordinator
  config validation, and the Kubernetes snippets through the Kubernetes client's models.
- The semantics: K8sRunLauncher, the module, the secrets, Postgres, the warehouse claim, and the
  project's instance settings.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest
import yaml
from dagster import DagsterInstance
from dagster._config import process_config, resolve_to_config_type
from dagster._core.instance.config import dagster_instance_config
from dagster._core.instance.ref import InstanceRef
from dagster._core.test_utils import environ

from .chart_schema import VALUES_SCHEMA
from .support import (
    HELM_README,
    HELM_VALUES,
    MODULE,
    ROOT_INSTANCE,
    SECRET_LIKE,
    WAREHOUSE_PVC,
    deep_merge,
    env_vars_the_definitions_read,
    load_yaml,
)

SECRET_NAME = "rankings-etl-secrets"
CHART_DIR_VARIABLE = "DAGSTER_HELM_CHART_DIR"
#: What the chart fills in itself (names derived from the release, fixed paths).
CHART_DEFAULTS = {
    "release": "rankings",
    "dagster_home": "/opt/dagster/dagster_home",
    "service_account_name": "rankings-dagster",
}


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    return load_yaml(HELM_VALUES)


@pytest.fixture(scope="module")
def deployment(values) -> dict[str, Any]:
    (only,) = values["dagster-user-deployments"]["deployments"]
    return only


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def render_instance(values: dict[str, Any]) -> dict[str, Any]:
    """The dagster.yaml the chart's instance ConfigMap holds, for the sections our file sets.

    Mirrors the chart's templates/configmap-instance.yaml (and its helpers) for: Postgres
    storage, K8sRunLauncher, the QueuedRunCoordinator, run monitoring, run retries, pools,
    telemetry. Keys our file does not set are left out, as the template leaves out empty ones.
    """
    pg = values["postgresql"]
    postgres_db = {
        "username": pg["postgresqlUsername"],
        "password": {"env": "DAGSTER_PG_PASSWORD"},
        "hostname": pg["postgresqlHost"],
        "db_name": pg["postgresqlDatabase"],
        "port": pg["service"]["port"],
        "params": pg.get("postgresqlParams", {}),
    }
    storage = {"config": {"postgres_db": postgres_db}}
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    launcher = {
        "load_incluster_config": k8s["loadInclusterConfig"],
        "image_pull_policy": k8s["imagePullPolicy"],
        "env_config_maps": [f"{CHART_DEFAULTS['release']}-dagster-pipeline-env"]
        + [ref["name"] for ref in k8s["envConfigMaps"]],
        "env_secrets": [ref["name"] for ref in k8s["envSecrets"]],
        "env_vars": k8s["envVars"],
        "volume_mounts": k8s["volumeMounts"],
        "volumes": k8s["volumes"],
        "service_account_name": CHART_DEFAULTS["service_account_name"],
        "instance_config_map": f"{CHART_DEFAULTS['release']}-dagster-instance",
        "postgres_password_secret": values["global"]["postgresqlSecretName"],
        "dagster_home": CHART_DEFAULTS["dagster_home"],
    }
    if k8s.get("runK8sConfig"):
        launcher["run_k8s_config"] = {snake(k): v for k, v in k8s["runK8sConfig"].items()}
    daemon = values["dagsterDaemon"]
    queued = daemon["runCoordinator"]["config"]["queuedRunCoordinator"]
    monitoring = daemon["runMonitoring"]
    retries = daemon["runRetries"]
    concurrency = values["concurrency"]
    instance = {
        "schedule_storage": {
            "module": "dagster_postgres.schedule_storage",
            "class": "PostgresScheduleStorage",
            **storage,
        },
        "run_storage": {
            "module": "dagster_postgres.run_storage",
            "class": "PostgresRunStorage",
            **storage,
        },
        "event_log_storage": {
            "module": "dagster_postgres.event_log",
            "class": "PostgresEventLogStorage",
            **storage,
        },
        "run_launcher": {"module": "dagster_k8s", "class": "K8sRunLauncher", "config": launcher},
        "run_coordinator": {
            "module": "dagster.core.run_coordinator",
            "class": "QueuedRunCoordinator",
            "config": {snake(k): v for k, v in queued.items() if v is not None},
        },
        "run_monitoring": {snake(k): v for k, v in monitoring.items() if v is not None},
        "run_retries": {snake(k): v for k, v in retries.items() if v is not None},
        "telemetry": {"enabled": values["telemetry"]["enabled"]},
    }
    # The template appends additionalInstanceConfig as it is.
    instance.update(values.get("additionalInstanceConfig") or {})
    if concurrency["enabled"]:
        instance["concurrency"] = {
            section: {snake(k): v for k, v in concurrency[section].items() if v is not None}
            for section in ("pools", "runs")
            if concurrency.get(section)
        }
    return instance


@pytest.fixture
def rendered_home(values, tmp_path):
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(render_instance(values)))
    with environ({"DAGSTER_PG_PASSWORD": "not-a-real-password"}):
        yield tmp_path


class AnySchema(dict):
    """An empty schema (anything is valid) at every JSON pointer into it."""

    def __missing__(self, key):
        return AnySchema()


def validate_class_config(data) -> None:
    cls = getattr(importlib.import_module(data.module_name), data.class_name)
    result = process_config(resolve_to_config_type(cls.config_type()), data.config_dict)
    assert result.success, f"{data.class_name}: {[e.message for e in result.errors]}"


# --- The chart's schema ----------------------------------------------------------------------


def test_values_pass_the_charts_schema_for_the_sections_they_set(values):
    validator = jsonschema.Draft7Validator(VALUES_SCHEMA)
    errors = sorted(validator.iter_errors(values), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.mark.parametrize(
    "path, bad",
    [
        (("runLauncher", "type"), "K8sLauncher"),
        (("dagsterDaemon", "runCoordinator", "config", "queuedRunCoordinator"), {"maxRuns": 4}),
        (("concurrency", "pools", "granularity"), "step"),
        (("dagster-user-deployments", "deployments", 0, "port"), "3030"),
    ],
)
def test_the_schema_check_is_real_a_broken_value_fails(values, path, bad):
    broken = json.loads(json.dumps(values))
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    assert list(jsonschema.Draft7Validator(VALUES_SCHEMA).iter_errors(broken))


def test_values_merged_over_the_charts_defaults_pass_the_charts_own_schema(values):
    chart_dir = os.environ.get(CHART_DIR_VARIABLE)
    if not chart_dir:
        pytest.skip(
            f"{CHART_DIR_VARIABLE} is not set; to run this check against the official chart: "
            "helm pull dagster/dagster --version 1.13.x --untar, then point it at dagster/"
        )
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    chart = Path(chart_dir)
    schema = json.loads((chart / "values.schema.json").read_text(encoding="utf-8"))
    merged = deep_merge(load_yaml(chart / "values.yaml"), values)
    # The chart's schema refers to Kubernetes definitions on the web; without a network they
    # are taken as "any object", so this checks the chart's own structure.
    registry = Registry(
        retrieve=lambda uri: Resource.from_contents(AnySchema(), default_specification=DRAFT7)
    )
    validator = jsonschema.validators.validator_for(schema)(schema, registry=registry)
    errors = sorted(validator.iter_errors(merged), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


# --- The instance the chart renders, through Dagster's own validation ---------------------------


def test_the_rendered_instance_passes_dagsters_instance_config_validation(rendered_home):
    config, instance_class = dagster_instance_config(str(rendered_home))
    assert instance_class is not None and instance_class.__name__ == "BatchingDagsterInstance"
    assert config["run_launcher"]["class"] == "K8sRunLauncher"
    ref = InstanceRef.from_dir(str(rendered_home))
    validate_class_config(ref.run_coordinator_data)
    validate_class_config(ref.run_storage_data)
    validate_class_config(ref.event_storage_data)
    validate_class_config(ref.schedule_storage_data)


def test_the_rendered_instance_batches_into_the_charts_postgres_storage(
    values, tmp_path, postgres_server
):
    """The chart names PostgresEventLogStorage itself; the instance class batches into it."""
    from rankings_etl.event_storage.postgres import BatchedPostgresEventLogStorage

    url = urlparse(postgres_server.new_database())
    rendered = render_instance(values)
    del rendered["run_launcher"]  # building a K8sRunLauncher needs no cluster, but loading does
    for section in ("run_storage", "event_log_storage", "schedule_storage"):
        rendered[section]["config"]["postgres_db"].update(
            hostname=url.hostname,
            port=url.port,
            username=url.username,
            db_name=url.path.lstrip("/"),
        )
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(rendered))
    with environ({"DAGSTER_PG_PASSWORD": ""}), DagsterInstance.from_config(str(tmp_path)) as inst:
        assert type(inst).__name__ == "BatchingDagsterInstance"
        assert isinstance(inst.event_log_storage, BatchedPostgresEventLogStorage)


def test_the_k8s_run_launcher_config_is_valid_for_dagster_k8s(rendered_home):
    pytest.importorskip("dagster_k8s", reason="dagster-k8s (the deploy extra) not installed")
    ref = InstanceRef.from_dir(str(rendered_home))
    assert ref.run_launcher_data.module_name == "dagster_k8s"
    validate_class_config(ref.run_launcher_data)


def test_the_kubernetes_snippets_are_valid_kubernetes_objects(values, deployment):
    pytest.importorskip("dagster_k8s", reason="dagster-k8s (the deploy extra) not installed")
    from dagster_k8s.models import k8s_model_from_dict, k8s_snake_case_dict
    from kubernetes.client import models

    def check(model, data):
        k8s_model_from_dict(model, k8s_snake_case_dict(model, data))

    def check_partial(model, data):
        """A fragment Dagster merges into a full object: known fields, valid field values."""
        fields = set(model.attribute_map) | set(model.attribute_map.values())
        assert set(data) <= fields, f"not {model.__name__} fields: {set(data) - fields}"

    run_config = values["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]
    check_partial(models.V1PodSpec, run_config["podSpecConfig"])
    check(models.V1PodSecurityContext, run_config["podSpecConfig"]["securityContext"])
    check_partial(models.V1Container, run_config["containerConfig"])
    check(models.V1ResourceRequirements, run_config["containerConfig"]["resources"])
    check_partial(models.V1JobSpec, run_config["jobSpecConfig"])
    assert isinstance(run_config["jobSpecConfig"]["activeDeadlineSeconds"], int)
    check(models.V1PodSecurityContext, deployment["podSecurityContext"])
    check(models.V1ResourceRequirements, deployment["resources"])
    for volume in deployment["volumes"]:
        check(models.V1Volume, volume)
    for mount in deployment["volumeMounts"]:
        check(models.V1VolumeMount, mount)
    check(models.V1PersistentVolumeClaim, load_yaml(WAREHOUSE_PVC))
    with pytest.raises(Exception, match="Unexpected keys"):
        check(models.V1PodSecurityContext, {"fsGroupe": 10001})


def test_the_rendered_instance_keeps_the_projects_settings(values):
    root = load_yaml(ROOT_INSTANCE)
    rendered = render_instance(values)
    assert rendered["concurrency"] == root["concurrency"]
    # Dagster refuses a run coordinator limit next to a `concurrency` block, so the values
    # remove the chart's defaults for it; the dequeue interval is the root file's run_queue's.
    assert rendered["run_coordinator"]["config"] == root["run_queue"]
    assert rendered["run_retries"] == root["run_retries"]
    monitoring = rendered["run_monitoring"]
    assert monitoring["enabled"] is root["run_monitoring"]["enabled"] is True
    assert (
        monitoring["free_slots_after_run_end_seconds"]
        == root["run_monitoring"]["free_slots_after_run_end_seconds"]
    )
    # max_runtime_seconds, which the chart's runMonitoring does not render, as a Job deadline.
    job_spec = values["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]["jobSpecConfig"]
    assert job_spec["activeDeadlineSeconds"] == root["run_monitoring"]["max_runtime_seconds"]
    assert rendered["telemetry"] == root["telemetry"]
    assert rendered["instance_class"] == root["instance_class"]
    assert rendered["backfill_daemon_interval_seconds"] == root["backfill_daemon_interval_seconds"]


def test_every_process_that_loads_the_instance_can_import_its_instance_class(values, deployment):
    """The webserver and the daemon build the instance too: they run the project's image."""
    for section in ("dagsterWebserver", "dagsterDaemon"):
        image = values[section]["image"]
        assert (image["repository"], image["tag"]) == (
            deployment["image"]["repository"],
            deployment["image"]["tag"],
        ), section
    instance_class = values["additionalInstanceConfig"]["instance_class"]
    cls = getattr(importlib.import_module(instance_class["module"]), instance_class["class"])
    assert cls.__name__ == "BatchingDagsterInstance"


# --- Semantics -------------------------------------------------------------------------------


def test_runs_are_kubernetes_jobs(values):
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["dagsterDaemon"]["enabled"] is True
    assert values["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"


def test_the_user_deployment_serves_the_definitions_module(deployment):
    args = deployment.get("codeServerArgs") or deployment["dagsterApiGrpcArgs"]
    assert args[args.index("-m") + 1] == MODULE
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    assert deployment["image"]["repository"] and deployment["image"]["tag"]


def test_the_key_and_the_ledger_url_come_from_a_secret_created_by_hand(values, deployment):
    assert {"name": SECRET_NAME} in deployment["envSecrets"]
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert {"name": SECRET_NAME} in launcher["envSecrets"]
    readme = HELM_README.read_text(encoding="utf-8")
    secret_keys = set(
        re.findall(r"--from-literal=([A-Z_]+)=", readme.split(f"secret generic {SECRET_NAME}")[1])
    )
    assert {"OPENROUTER_API_KEY", "RANKINGS_BUDGET_DB"} <= secret_keys
    # Every variable the code reads is set on the deployment (and so on its runs) or in the secret.
    missing = env_vars_the_definitions_read() - set(deployment["env"]) - secret_keys
    assert not missing, f"no value for {sorted(missing)} on the code location or its runs"
    assert "OPENROUTER_API_KEY" not in deployment["env"]
    assert "RANKINGS_BUDGET_DB" not in deployment["env"]


def test_postgres_is_external_and_its_password_is_not_in_the_values(values):
    pg = values["postgresql"]
    assert pg["enabled"] is False and pg["postgresqlHost"]
    assert "postgresqlPassword" not in pg
    assert values["generatePostgresqlPasswordSecret"] is False
    readme = HELM_README.read_text(encoding="utf-8")
    secret = values["global"]["postgresqlSecretName"]
    assert f"secret generic {secret}" in readme and "postgresql-password" in readme


def test_no_secret_value_is_written_in_the_values():
    text = HELM_VALUES.read_text(encoding="utf-8")
    assert not SECRET_LIKE.search(text)
    assert not re.search(r"(?i)^\s*[a-z]*password\s*:", text, re.MULTILINE)


def test_the_warehouse_is_a_read_write_many_claim_mounted_where_the_code_looks(deployment):
    pvc = load_yaml(WAREHOUSE_PVC)
    assert pvc["kind"] == "PersistentVolumeClaim"
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    (volume,) = deployment["volumes"]
    assert volume["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    (mount,) = deployment["volumeMounts"]
    assert mount["name"] == volume["name"]
    for variable in ("RANKINGS_DUCKDB_PATH", "RANKINGS_EXPORT_DIR"):
        assert deployment["env"][variable].startswith(mount["mountPath"].rstrip("/") + "/")
