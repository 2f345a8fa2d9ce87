"""deploy/docker/Dockerfile, read instruction by instruction (no Docker daemon here to build it)."""

from __future__ import annotations

import json
import shlex
import tomllib

from .support import COMPOSE_FILE, DOCKERFILE, MODULE, REPO, load_yaml


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends in a line continuation"
    pairs = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        pairs.append((keyword.upper(), rest.strip()))
    return pairs


def args_of(keyword: str) -> list[str]:
    return [rest for key, rest in instructions() if key == keyword]


def test_the_image_is_python_3_11_slim():
    assert instructions()[0] == ("FROM", "python:3.11-slim")
    assert len(args_of("FROM")) == 1


def test_it_installs_the_project_with_the_deploy_extra_and_that_extra_has_both_launchers():
    runs = " ".join(args_of("RUN"))
    assert 'pip install ".[deploy]"' in runs
    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    deploy = " ".join(extras["deploy"])
    assert "dagster-docker" in deploy and "dagster-k8s" in deploy


def test_it_copies_only_what_the_package_build_needs_and_those_paths_exist():
    copied = [shlex.split(rest)[:-1] for rest in args_of("COPY")]
    sources = {source for sources in copied for source in sources}
    assert {"pyproject.toml", "README.md", "rankings_etl"} <= sources
    for source in sources:
        assert (REPO / source).exists(), f"COPY {source}: not in the build context (repo root)"


def test_it_runs_as_a_non_root_user_after_the_install():
    keywords = [keyword for keyword, _ in instructions()]
    users = args_of("USER")
    assert users, "no USER: the container would run as root"
    assert users[-1] not in {"root", "0", "0:0"}
    last_user = len(keywords) - 1 - keywords[::-1].index("USER")
    last_run = len(keywords) - 1 - keywords[::-1].index("RUN")
    assert last_user > last_run, "USER must come after the last RUN (the install)"


def test_dagster_home_and_the_warehouse_paths_are_set():
    env = " ".join(args_of("ENV"))
    assert "DAGSTER_HOME=/opt/dagster/dagster_home" in env
    assert "RANKINGS_DUCKDB_PATH=/data/" in env


def test_the_default_command_serves_the_definitions_over_grpc_on_the_exposed_port():
    (cmd,) = args_of("CMD")
    argv = json.loads(cmd)
    assert argv[:3] == ["dagster", "code-server", "start"]
    assert argv[argv.index("-m") + 1] == MODULE
    port = argv[argv.index("-p") + 1]
    assert args_of("EXPOSE") == [port]


def test_compose_builds_this_dockerfile_from_the_repository_root():
    compose = load_yaml(COMPOSE_FILE)
    build = compose["services"]["code-location"]["build"]
    context = (COMPOSE_FILE.parent / build["context"]).resolve()
    assert context == REPO
    assert (context / build["dockerfile"]).resolve() == DOCKERFILE
