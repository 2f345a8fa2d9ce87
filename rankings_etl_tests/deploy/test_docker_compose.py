"""deploy/docker/docker-compose.yaml: valid Compose, and it wires what the runs need.

Validity is checked two ways when Debian's ``docker-compose`` package is installed
(``apt-get install -y --no-install-recommends docker-compose``; no Docker daemon comes with it):
against the Compose Specification JSON schema that package ships, and by ``docker-compose
config``, which resolves variables, anchors and merge keys offline. The semantic tests below
need neither.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from .support import (
    COMPOSE_FILE,
    DOCKER_INSTANCE,
    MODULE,
    SECRET_LIKE,
    env_vars_the_definitions_read,
    load_yaml,
)

#: The Compose Specification schema as shipped by Debian's docker-compose (1.29.2) package.
DEBIAN_COMPOSE_SPEC = Path("/usr/lib/python3/dist-packages/compose/config/compose_spec.json")
NO_COMPOSE = (
    "Debian's docker-compose package is not installed "
    "(apt-get install -y --no-install-recommends docker-compose)"
)
SECRETS = {"OPENROUTER_API_KEY": "sk-or-v1-test", "DAGSTER_PG_PASSWORD": "pg-test-password"}
SERVICES = {"postgres", "code-location", "webserver", "daemon"}


@pytest.fixture(scope="module")
def compose():
    return load_yaml(COMPOSE_FILE)


@pytest.fixture(scope="module")
def instance():
    return load_yaml(DOCKER_INSTANCE)


def test_compose_file_validates_against_the_compose_specification_schema(compose):
    if not DEBIAN_COMPOSE_SPEC.exists():
        pytest.skip(NO_COMPOSE)
    schema = json.loads(DEBIAN_COMPOSE_SPEC.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def _compose_config(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker-compose", "-f", str(COMPOSE_FILE), "config"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docker_compose_config_resolves_the_file_offline_with_the_secrets_from_the_env():
    if shutil.which("docker-compose") is None:
        pytest.skip(NO_COMPOSE)
    env = {k: v for k, v in os.environ.items() if k not in SECRETS} | SECRETS
    result = _compose_config(env)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == SERVICES
    daemon_env = resolved["services"]["daemon"]["environment"]
    assert daemon_env["OPENROUTER_API_KEY"] == SECRETS["OPENROUTER_API_KEY"]
    assert daemon_env["RANKINGS_BUDGET_DB"] == (
        f"postgresql://dagster:{SECRETS['DAGSTER_PG_PASSWORD']}@postgres:5432/dagster"
    )


def test_docker_compose_refuses_to_start_without_the_secrets():
    if shutil.which("docker-compose") is None:
        pytest.skip(NO_COMPOSE)
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    result = _compose_config(env)
    assert result.returncode != 0
    assert "DAGSTER_PG_PASSWORD" in result.stderr or "OPENROUTER_API_KEY" in result.stderr


def test_the_four_services_are_there(compose):
    assert set(compose["services"]) == SERVICES


def test_the_code_location_serves_the_definitions_over_grpc_and_names_its_image(compose):
    service = compose["services"]["code-location"]
    command = service["command"]
    assert command[:3] == ["dagster", "code-server", "start"]
    assert command[command.index("-m") + 1] == MODULE
    assert command[command.index("-h") + 1] == "0.0.0.0"
    # The DockerRunLauncher starts each run in the image the code server reports.
    assert service["environment"]["DAGSTER_CURRENT_IMAGE"] == service["image"]
    # ... and the webserver and the daemon run that same image.
    assert {compose["services"][name]["image"] for name in ("webserver", "daemon")} == {
        service["image"]
    }


def test_webserver_and_daemon_get_the_instance_and_the_workspace(compose):
    for name, program in [("webserver", "dagster-webserver"), ("daemon", "dagster-daemon")]:
        service = compose["services"][name]
        assert service["command"][0] == program
        mounts = service["volumes"]
        assert "./dagster.yaml:/opt/dagster/dagster_home/dagster.yaml:ro" in mounts
        workspace = service["command"][service["command"].index("-w") + 1]
        assert f"./workspace.yaml:{workspace}:ro" in mounts
    # The daemon launches run containers through the host's Docker.
    assert "/var/run/docker.sock:/var/run/docker.sock" in compose["services"]["daemon"]["volumes"]


def test_every_variable_the_code_reads_reaches_the_code_server_the_daemon_and_each_run(
    compose, instance
):
    needed = env_vars_the_definitions_read()
    assert {"OPENROUTER_API_KEY", "RANKINGS_BUDGET_DB", "RANKINGS_DUCKDB_PATH"} <= needed
    forwarded = set(instance["run_launcher"]["config"]["env_vars"])
    for name in ("code-location", "daemon", "webserver"):
        environment = compose["services"][name]["environment"]
        missing = needed - set(environment)
        assert not missing, f"{name} lacks {sorted(missing)}"
        # The launcher reads each forwarded name from the launching process: unset, it fails.
        if name != "code-location":
            unset = forwarded - set(environment)
            assert not unset, f"{name} lacks {sorted(unset)}, which runs are given"
    assert not needed - forwarded, f"runs would lack {sorted(needed - forwarded)}"


def test_the_budget_ledger_is_the_shared_postgres_database(compose):
    environment = compose["services"]["daemon"]["environment"]
    ledger = environment["RANKINGS_BUDGET_DB"]
    assert ledger.startswith("postgresql://")
    assert "@postgres:5432/" in ledger


def test_no_secret_value_is_written_in_the_file(compose):
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert not SECRET_LIKE.search(text), SECRET_LIKE.search(text)
    environment = compose["services"]["daemon"]["environment"]
    assert environment["OPENROUTER_API_KEY"].startswith("${OPENROUTER_API_KEY:?")
    assert environment["DAGSTER_PG_PASSWORD"].startswith("${DAGSTER_PG_PASSWORD:?")
    postgres = compose["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD"].startswith("${DAGSTER_PG_PASSWORD:?")


def test_runs_share_the_network_and_the_warehouse_volume_of_the_compose_project(compose, instance):
    launcher = instance["run_launcher"]["config"]
    network_names = {network.get("name") for network in compose["networks"].values()}
    assert launcher["network"] in network_names
    volume_names = {volume.get("name") for volume in compose["volumes"].values()}
    for mount in launcher["container_kwargs"]["volumes"]:
        volume = mount.split(":")[0]
        assert volume in volume_names, f"{volume} is not a fixed-name volume of the project"
    warehouse_dir = str(Path(compose["services"]["daemon"]["environment"]["RANKINGS_DUCKDB_PATH"]))
    run_mounts = dict(m.split(":")[1::-1] for m in launcher["container_kwargs"]["volumes"])
    assert any(warehouse_dir.startswith(path + "/") for path in run_mounts)
    # The code server mounts the same volume at the same place.
    assert "rankings_warehouse:/data" in compose["services"]["code-location"]["volumes"]
