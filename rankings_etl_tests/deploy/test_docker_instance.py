"""deploy/docker/dagster.yaml and workspace.yaml, checked by Dagster's own config validation."""

from __future__ import annotations

import importlib
import shutil
from urllib.parse import urlparse

import pytest
from dagster import DagsterInstance
from dagster._config import process_config, resolve_to_config_type
from dagster._core.instance.config import dagster_instance_config
from dagster._core.instance.ref import InstanceRef
from dagster._core.test_utils import environ

from rankings_etl.event_storage import BatchingDagsterInstance
from rankings_etl.event_storage.postgres import BatchedPostgresEventLogStorage

from .support import (
    COMPOSE_FILE,
    DOCKER_INSTANCE,
    DOCKER_WORKSPACE,
    ROOT_INSTANCE,
    SECRET_LIKE,
    load_yaml,
)

PG_ENV = {
    "DAGSTER_PG_HOST": "postgres",
    "DAGSTER_PG_USER": "dagster",
    "DAGSTER_PG_PASSWORD": "not-a-real-password",
    "DAGSTER_PG_DB": "dagster",
}
#: What the project decided for one machine (root dagster.yaml) and every deployment keeps.
PROJECT_SETTINGS = (
    "instance_class",
    "backfill_daemon_interval_seconds",
    "run_queue",
    "concurrency",
    "telemetry",
    "run_retries",
    "run_monitoring",
)


@pytest.fixture
def home(tmp_path):
    """A DAGSTER_HOME holding the deploy instance file, with its variables set."""
    shutil.copy(DOCKER_INSTANCE, tmp_path / "dagster.yaml")
    with environ(PG_ENV):
        yield tmp_path


def validate_class_config(data) -> None:
    """Validate a ConfigurableClassData's config against its class's own schema (no connect)."""
    cls = getattr(importlib.import_module(data.module_name), data.class_name)
    result = process_config(resolve_to_config_type(cls.config_type()), data.config_dict)
    assert result.success, f"{data.class_name}: {[e.message for e in result.errors]}"


def test_the_instance_file_passes_dagsters_instance_config_validation(home):
    config, custom_instance_class = dagster_instance_config(str(home))
    assert custom_instance_class is BatchingDagsterInstance
    assert "storage" in config and "postgres" in config["storage"]


def test_the_instance_batches_into_postgres_storage(home, postgres_server):
    """The file as the webserver, the daemon and each run container load it."""
    url = urlparse(postgres_server.new_database())
    database = {
        "DAGSTER_PG_HOST": url.hostname,
        "DAGSTER_PG_USER": url.username,
        "DAGSTER_PG_DB": url.path.lstrip("/"),
        "DAGSTER_PG_PASSWORD": "",
    }
    text = DOCKER_INSTANCE.read_text(encoding="utf-8").replace("port: 5432", f"port: {url.port}")
    (home / "dagster.yaml").write_text(text)
    with environ(database), DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance, BatchingDagsterInstance)
        assert isinstance(instance.event_log_storage, BatchedPostgresEventLogStorage)


def test_postgres_storage_config_is_valid_and_reads_everything_from_the_environment(home):
    ref = InstanceRef.from_dir(str(home))
    assert (ref.storage_data.module_name, ref.storage_data.class_name) == (
        "dagster_postgres",
        "DagsterPostgresStorage",
    )
    validate_class_config(ref.storage_data)
    postgres_db = load_yaml(DOCKER_INSTANCE)["storage"]["postgres"]["postgres_db"]
    for field in ("hostname", "username", "password", "db_name"):
        assert set(postgres_db[field]) == {"env"}, f"{field} is written in the file"


def test_the_docker_run_launcher_config_is_valid_for_dagster_docker(home):
    pytest.importorskip("dagster_docker", reason="dagster-docker (the deploy extra) not installed")
    ref = InstanceRef.from_dir(str(home))
    assert (ref.run_launcher_data.module_name, ref.run_launcher_data.class_name) == (
        "dagster_docker",
        "DockerRunLauncher",
    )
    validate_class_config(ref.run_launcher_data)


def test_the_docker_run_launcher_supports_the_run_monitoring_the_instance_turns_on():
    docker = pytest.importorskip("dagster_docker", reason="dagster-docker not installed")
    launcher = docker.DockerRunLauncher(network="rankings_network")
    assert launcher.supports_check_run_worker_health
    assert load_yaml(DOCKER_INSTANCE)["run_monitoring"]["enabled"] is True


def test_a_misspelt_setting_is_refused(tmp_path):
    """The validation above is real: the same file with one key misspelt fails."""
    text = DOCKER_INSTANCE.read_text(encoding="utf-8")
    assert "max_concurrent_runs:" in text
    (tmp_path / "dagster.yaml").write_text(text.replace("max_concurrent_runs:", "max_runs:"))
    with environ(PG_ENV), pytest.raises(Exception, match="max_runs"):
        dagster_instance_config(str(tmp_path))


def test_the_projects_instance_settings_are_kept_unchanged():
    deploy, root = load_yaml(DOCKER_INSTANCE), load_yaml(ROOT_INSTANCE)
    for key in PROJECT_SETTINGS:
        assert deploy[key] == root[key], key


def test_the_instance_file_holds_no_secret():
    text = DOCKER_INSTANCE.read_text(encoding="utf-8")
    assert not SECRET_LIKE.search(text)
    assert "password:\n        env: DAGSTER_PG_PASSWORD" in text


def test_the_workspace_points_at_the_code_location_service_and_its_port():
    (entry,) = load_yaml(DOCKER_WORKSPACE)["load_from"]
    server = entry["grpc_server"]
    service = load_yaml(COMPOSE_FILE)["services"][server["host"]]
    command = service["command"]
    assert command[:3] == ["dagster", "code-server", "start"]
    assert str(server["port"]) == command[command.index("-p") + 1]
    assert server["location_name"] == "rankings_etl"
