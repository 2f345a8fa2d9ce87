"""Shared by the deploy/ tests: paths, YAML loading, and the settings the code reads.

Nothing here starts a container or talks to a cluster: the tests prove the files are valid and
say what they must say (validation by the tools' own schemas, Dagster's own config checks).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DOCKER = DEPLOY / "docker"
HELM = DEPLOY / "helm"
COMPOSE_FILE = DOCKER / "docker-compose.yaml"
DOCKER_INSTANCE = DOCKER / "dagster.yaml"
DOCKER_WORKSPACE = DOCKER / "workspace.yaml"
DOCKERFILE = DOCKER / "Dockerfile"
HELM_VALUES = HELM / "values.yaml"
HELM_README = HELM / "README.md"
WAREHOUSE_PVC = HELM / "warehouse-pvc.yaml"
ROOT_INSTANCE = REPO / "dagster.yaml"
DEPLOY_DOC = REPO / "docs" / "DEPLOY.md"

MODULE = "rankings_etl.definitions"
#: Where the code finds its settings (their docstrings say so) and the package they belong to.
DEFINITIONS = REPO / "rankings_etl" / "definitions.py"
SETTINGS = REPO / "rankings_etl" / "settings.py"
PACKAGE = REPO / "rankings_etl"

#: Values that look like secrets: an OpenRouter key, or a URL with a password in it.
SECRET_LIKE = re.compile(r"sk-or-[A-Za-z0-9-]+|://[^/\s:@]+:[^$\s@{][^\s@]*@")


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _env_names_in(tree: ast.AST) -> set[str]:
    """Names passed as a string literal to ``os.getenv``, ``os.environ[...]``/``.get`` or
    ``EnvVar``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = func.value if isinstance(func, ast.Attribute) else None
            is_environ_get = (
                called == "get" and isinstance(owner, ast.Attribute) and owner.attr == "environ"
            )
            if called in {"getenv", "EnvVar"} or is_environ_get:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def env_vars_the_definitions_read() -> set[str]:
    """Every variable ``rankings_etl.definitions`` reads (through ``rankings_etl.settings``),
    plus every ``EnvVar`` in the package.

    These must reach the code server and every run container or pod: the definitions are loaded
    in both.
    """
    names: set[str] = set()
    for path in (DEFINITIONS, SETTINGS):
        names |= _env_names_in(ast.parse(path.read_text(encoding="utf-8")))
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "EnvVar"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(node.args[0].value)
    return names


def deep_merge(base: Any, override: Any) -> Any:
    """Helm's merge of a values file over the chart's defaults (maps merge, the rest replaces)."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base.get(key), value) if key in base else value
        return merged
    return override
