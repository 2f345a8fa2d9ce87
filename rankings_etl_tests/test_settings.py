"""The settings: one module reads them, the README documents exactly them, defaults are kept."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from rankings_etl import settings as settings_module
from rankings_etl.settings import DEFAULTS, ENVIRONMENT, VARIABLES, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[1]
#: Rows of the README's table that are not the project's settings: Dagster's own variables and
#: a diagnostic of the event storage (read by Dagster and by rankings_etl.event_storage).
NOT_SETTINGS = {"DAGSTER_HOME", "DAGSTER_EVENT_BATCH_SIZE", "RANKINGS_EVENT_STORAGE_TRACE"}


def readme_configuration() -> list[tuple[str, str | None]]:
    """(variable, default) per row of the README's Configuration table; ``none`` -> None."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Configuration", 1)[1]
    rows = []
    for line in section.split("\n## ", 1)[0].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        name = re.fullmatch(r"`([A-Z_]+)`", cells[0]) if len(cells) >= 3 else None
        if name:
            default = re.match(r"`([^`]*)`", cells[1])
            rows.append((name.group(1), default.group(1) if default else None))
    return rows


def test_the_readme_documents_exactly_the_settings_with_their_defaults():
    documented = [row for row in readme_configuration() if row[0] not in NOT_SETTINGS]
    assert documented == list(ENVIRONMENT)
    assert {name for name, _ in readme_configuration()} >= NOT_SETTINGS


def test_the_settings_module_reads_exactly_its_variables_and_the_key():
    tree = ast.parse(Path(settings_module.__file__).read_text(encoding="utf-8"))
    read = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", None) == "getenv"
        and isinstance(node.args[0], ast.Constant)
    }
    assert read == set(VARIABLES.values()) | {"OPENROUTER_API_KEY"}


@pytest.fixture
def clean_env(monkeypatch):
    for name in VARIABLES.values():
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_unset_or_empty_variables_give_the_documented_defaults(clean_env):
    assert Settings.from_env() == DEFAULTS
    for name in VARIABLES.values():
        clean_env.setenv(name, "")
    assert Settings.from_env() == DEFAULTS
    assert not DEFAULTS.budget_db_is_set


def test_set_variables_are_read_and_survive_a_round_trip_through_a_child_environment(clean_env):
    chosen = Settings(
        base_url="http://127.0.0.1:9/api/v1",
        duckdb_path="/tmp/w.duckdb",
        budget_db="postgresql://u@db/x",
        budget_db_is_set=True,
        rate_per_minute=2,
        rate_per_day=3,
        export_dir="/tmp/exports",
        schedule_cron="* * * * *",
        automation_interval_seconds=5,
    )
    for name, value in chosen.environment().items():
        clean_env.setenv(name, value)
    assert Settings.from_env() == chosen


def test_an_unusable_number_is_refused_naming_the_variable_and_the_value(clean_env):
    clean_env.setenv("OPENROUTER_RATE_PER_DAY", "lots")
    with pytest.raises(SettingsError, match=r"OPENROUTER_RATE_PER_DAY='lots' is not a whole"):
        Settings.from_env()


#: Product modules other than settings.py that may touch os.environ, and why.
ENVIRONMENT_JUSTIFIED = {
    "sandbox/testing.py": "copies the environment into the sandbox subprocess it starts "
    "(dict(os.environ)); it reads no setting",
}


def test_the_product_reads_the_environment_in_settings_only():
    package = Path(settings_module.__file__).parent
    touching = set()
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
                and node.attr in {"environ", "getenv", "environb", "getenvb", "putenv", "unsetenv"}
            ) or (
                isinstance(node, ast.ImportFrom)
                and node.module == "os"
                and any(alias.name in {"environ", "getenv"} for alias in node.names)
            ):
                touching.add(str(path.relative_to(package)))
    assert touching - set(ENVIRONMENT_JUSTIFIED) == {"settings.py"}
    assert set(ENVIRONMENT_JUSTIFIED) <= touching, "justified but no longer touching os.environ"


def test_the_schedules_reserve_is_what_one_day_of_ticks_sends():
    """RANKINGS_BUDGET_KEEP_FOR_SCHEDULES defaults to a literal (the README shows it); this
    keeps it equal to what the registry's datasets send per tick: daily 1 + 10, weekly 14 + 2."""
    from rankings_etl.datasets import DATASETS
    from rankings_etl.orchestration.schedules import requests_per_day_of_ticks

    assert requests_per_day_of_ticks(DATASETS) == DEFAULTS.keep_for_schedules == 27
