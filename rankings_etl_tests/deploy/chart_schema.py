"""The part of the Dagster Helm chart's values schema that deploy/helm/values.yaml uses.

Written for this project from the chart's pydantic models (``helm/dagster/schema`` in the
dagster-io/dagster repository, the source of the chart's ``values.schema.json``), for chart
1.13.x: the keys and types of every section our values file sets. It is checked against the
values file alone (not merged with the chart's defaults), so it states types and allowed keys
but not the chart's required keys. Sections the chart forbids extra keys in
(``extra="forbid"``) forbid them here too; a few open ones are closed here on purpose, so a
misspelt key in our file fails instead of being ignored by Helm.

For the complete official schema, see ``test_helm_values.py``'s
``test_values_merged_over_the_charts_defaults_pass_the_charts_own_schema`` (it needs the chart).
"""

from __future__ import annotations

from typing import Any

STRING = {"type": "string"}
BOOL = {"type": "boolean"}
INT = {"type": "integer"}
OPT_INT = {"type": ["integer", "null"]}
OBJECT = {"type": "object"}
STRINGS = {"type": "array", "items": STRING}
OBJECTS = {"type": "array", "items": OBJECT}
NAMED_REFS = {
    "type": "array",
    "items": {"type": "object", "properties": {"name": STRING}, "required": ["name"]},
}
ENV = {
    "anyOf": [
        {"type": "object", "additionalProperties": STRING},
        {"type": "array", "items": OBJECT},
    ]
}
PULL_POLICY = {"enum": ["Always", "IfNotPresent", "Never"]}


def closed(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


IMAGE = closed(
    {
        "repository": STRING,
        "tag": {"type": ["string", "integer", "null"]},
        "pullPolicy": PULL_POLICY,
    },
    ("repository", "pullPolicy"),
)

USER_DEPLOYMENT = closed(
    {
        "name": STRING,
        "image": IMAGE,
        "dagsterApiGrpcArgs": STRINGS,
        "codeServerArgs": STRINGS,
        "includeConfigInLaunchedRuns": closed({"enabled": BOOL}, ("enabled",)),
        "deploymentNamespace": STRING,
        "port": INT,
        "env": ENV,
        "envConfigMaps": NAMED_REFS,
        "envSecrets": NAMED_REFS,
        "annotations": OBJECT,
        "nodeSelector": OBJECT,
        "affinity": OBJECT,
        "tolerations": OBJECTS,
        "podSecurityContext": OBJECT,
        "securityContext": OBJECT,
        "resources": OBJECT,
        "livenessProbe": OBJECT,
        "readinessProbe": OBJECT,
        "startupProbe": OBJECT,
        "labels": {"type": "object", "additionalProperties": STRING},
        "volumeMounts": OBJECTS,
        "volumes": OBJECTS,
        "schedulerName": STRING,
        "initContainers": OBJECTS,
        "sidecarContainers": OBJECTS,
    },
    ("name", "image", "port"),
)

RUN_K8S_CONFIG = closed(
    {
        "containerConfig": OBJECT,
        "podSpecConfig": OBJECT,
        "podTemplateSpecMetadata": OBJECT,
        "jobSpecConfig": OBJECT,
        "jobMetadata": OBJECT,
    }
)

K8S_RUN_LAUNCHER = closed(
    {
        "image": {"anyOf": [IMAGE, {"type": "null"}]},
        "imagePullPolicy": PULL_POLICY,
        "jobNamespace": {"type": ["string", "null"]},
        "loadInclusterConfig": BOOL,
        "kubeconfigFile": {"type": ["string", "null"]},
        "envConfigMaps": NAMED_REFS,
        "envSecrets": NAMED_REFS,
        "envVars": STRINGS,
        "volumeMounts": OBJECTS,
        "volumes": OBJECTS,
        "labels": {"type": ["object", "null"]},
        "failPodOnRunFailure": {"type": ["boolean", "null"]},
        "resources": {"type": ["object", "null"]},
        "schedulerName": {"type": ["string", "null"]},
        "securityContext": {"type": ["object", "null"]},
        "runK8sConfig": {"anyOf": [RUN_K8S_CONFIG, {"type": "null"}]},
    }
)

QUEUED_RUN_COORDINATOR = closed(
    {
        "maxConcurrentRuns": OPT_INT,
        "tagConcurrencyLimits": {"type": ["array", "null"]},
        "dequeueIntervalSeconds": OPT_INT,
        "dequeueNumWorkers": OPT_INT,
        "dequeueUseThreads": {"type": ["boolean", "null"]},
        "blockOpConcurrencyLimitedRuns": {"type": ["object", "null"]},
    }
)

DAEMON = closed(
    {
        "enabled": BOOL,
        "image": IMAGE,
        "runCoordinator": closed(
            {
                "enabled": BOOL,
                "type": {"enum": ["QueuedRunCoordinator", "CustomRunCoordinator"]},
                "config": closed(
                    {"queuedRunCoordinator": QUEUED_RUN_COORDINATOR, "customRunCoordinator": OBJECT}
                ),
            }
        ),
        # Free-form in the chart; these are the keys its instance template renders.
        "runMonitoring": closed(
            {
                "enabled": BOOL,
                "startTimeoutSeconds": INT,
                "cancelTimeoutSeconds": OPT_INT,
                "maxResumeRunAttempts": OPT_INT,
                "pollIntervalSeconds": INT,
                "freeSlotsAfterRunEndSeconds": INT,
            }
        ),
        "runRetries": closed(
            {
                "enabled": BOOL,
                "maxRetries": OPT_INT,
                "retryOnAssetOrOpFailure": {"type": ["boolean", "null"]},
            },
            ("enabled",),
        ),
        "heartbeatTolerance": INT,
        "env": ENV,
        "envConfigMaps": NAMED_REFS,
        "envSecrets": NAMED_REFS,
        "resources": OBJECT,
    }
)

CONCURRENCY = closed(
    {
        "enabled": BOOL,
        "pools": closed(
            {
                "defaultLimit": OPT_INT,
                "granularity": {"enum": ["run", "op", None]},
                "opGranularityRunBuffer": OPT_INT,
            }
        ),
        "runs": closed({"maxConcurrentRuns": OPT_INT, "tagConcurrencyLimits": OBJECTS}),
    }
)

POSTGRESQL = closed(
    {
        "image": OBJECT,
        "enabled": BOOL,
        "postgresqlHost": STRING,
        "postgresqlUsername": STRING,
        "postgresqlPassword": STRING,
        "postgresqlDatabase": STRING,
        "postgresqlParams": OBJECT,
        "postgresqlScheme": STRING,
        "service": closed({"port": INT}, ("port",)),
    }
)

#: The chart's top-level keys (its DagsterHelmValues model); ours must be among them.
CHART_TOP_LEVEL = {
    "dagsterWebserver": OBJECT,
    "dagster-user-deployments": closed(
        {
            "enabled": BOOL,
            "enableSubchart": BOOL,
            "imagePullSecrets": NAMED_REFS,
            "deployments": {"type": "array", "items": USER_DEPLOYMENT, "minItems": 1},
        }
    ),
    "postgresql": POSTGRESQL,
    "generatePostgresqlPasswordSecret": BOOL,
    "generateCeleryConfigSecret": BOOL,
    "rabbitmq": OBJECT,
    "redis": OBJECT,
    "flower": OBJECT,
    "ingress": OBJECT,
    "imagePullSecrets": NAMED_REFS,
    "computeLogManager": OBJECT,
    "scheduler": OBJECT,
    "runLauncher": closed(
        {
            "type": {"enum": ["CeleryK8sRunLauncher", "K8sRunLauncher", "CustomRunLauncher"]},
            "config": closed(
                {
                    "k8sRunLauncher": K8S_RUN_LAUNCHER,
                    "celeryK8sRunLauncher": OBJECT,
                    "customRunLauncher": OBJECT,
                }
            ),
        },
        ("type", "config"),
    ),
    "pythonLogs": OBJECT,
    "dagsterDaemon": DAEMON,
    "busybox": OBJECT,
    "migrate": OBJECT,
    "telemetry": closed({"enabled": BOOL}, ("enabled",)),
    "serviceAccount": OBJECT,
    "global": closed(
        {
            "postgresqlSecretName": STRING,
            "dagsterHome": STRING,
            "serviceAccountName": STRING,
            "celeryConfigSecretName": STRING,
        }
    ),
    "retention": OBJECT,
    "concurrency": CONCURRENCY,
    "additionalInstanceConfig": {"type": ["object", "null"]},
}

VALUES_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "rankings_etl's use of the Dagster chart's values (chart 1.13.x)",
    **closed(CHART_TOP_LEVEL),
}
