"""The environment a project process (CLI, ``dagster``, ``dagster dev``) runs with in tests,
and the instance settings every test instance gets."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml

from rankings_etl.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
#: The instance class the repository's dagster.yaml selects (batched event writes), as
#: ``instance_for_test`` overrides: the suite's instances are the one every user gets
#: (rankings_etl_tests/event_storage compares it with stock storage).
PROJECT_INSTANCE = {
    "instance_class": yaml.safe_load((ROOT / "dagster.yaml").read_text())["instance_class"]
}


def project_env(
    tmp_path: Path, base_url: str, api_key: str, dagster_home: Path | None = None, **settings: str
) -> dict[str, str]:
    """The environment of a project process: our sandbox, our key, every path under tmp_path.

    Inherited OPENROUTER_*/RANKINGS_*/DAGSTER_* settings are dropped, so nothing reaches a real
    API or a real warehouse.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENROUTER_", "RANKINGS_", "DAGSTER_"))
    }
    data = tmp_path / "data"
    env.update(
        Settings(
            base_url=base_url,
            duckdb_path=str(data / "rankings.duckdb"),
            budget_db=str(data / "rate_budget.sqlite"),
            export_dir=str(data / "exports"),
        ).environment(),
        DAGSTER_HOME=str(dagster_home or tmp_path / "dagster_home"),
        OPENROUTER_API_KEY=api_key,
    )
    env.update(settings)
    return env


@contextlib.contextmanager
def fast_folder(fallback: Path) -> Iterator[Path]:
    """A fresh folder on tmpfs if the machine has one (removed afterwards), else ``fallback``."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield fallback
        return
    folder = Path(tempfile.mkdtemp(prefix="rankings-dagster-home-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
