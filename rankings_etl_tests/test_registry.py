"""The registry of tables is the one statement of what the warehouse holds: every table it names
is what Dagster defines, every SQL file of the package belongs to something, and the wheel
ships them all."""

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb

import rankings_etl
from rankings_etl.datasets import DATASETS, TABLES, warehouse_specs, warehouse_tables
from rankings_etl.definitions import defs
from rankings_etl.warehouse.schema import ensure_schema

PACKAGE = Path(rankings_etl.__file__).parent
REPO = PACKAGE.parent


def test_every_fetched_and_derived_table_is_one_asset_with_its_columns_description_and_checks():
    graph = defs.resolve_asset_graph()
    assets = {key.to_user_string(): key for key in graph.get_all_asset_keys()}
    for dataset in DATASETS:
        for spec in dataset.tables:
            if spec.written_by == "side":
                assert spec.name not in assets, f"{spec.name} is written beside another table"
                continue
            node = graph.get(assets[spec.name])
            assert node.description == spec.description, spec.name
            schema = node.metadata["dagster/column_schema"]
            assert [(c.name, c.type, c.description) for c in schema.columns] == [
                tuple(column) for column in spec.columns
            ], spec.name
            expected = (
                dataset.contract_checks
                if spec.written_by == "fetch"
                else [check.spec for check in spec.checks]
            )
            if spec.written_by == "select":
                parents = {key.to_user_string() for key in node.parent_keys}
                assert parents == {dep.table for dep in spec.deps}, spec.name
            checks = {key.name: graph.get_check_spec(key) for key in node.check_keys}
            assert {name: c.description for name, c in checks.items()} == {
                c.name: c.description for c in expected
            }, spec.name
    fetched = [s.name for d in DATASETS for s in d.tables if s.written_by == "fetch"]
    assert fetched == [d.name for d in DATASETS]  # each dataset's fetch asset is named after it


def test_the_registry_and_the_write_path_load_without_dagster_or_httpx():
    """The CLI, the bench's data floor and the tests read the registry and write the warehouse
    without paying for Dagster's import (only each dataset's assets.py imports it)."""
    modules = (
        "rankings_etl.datasets",
        "rankings_etl.datasets.rankings_daily.load",
        "rankings_etl.datasets.rankings_daily.rebuild",
        "rankings_etl.datasets.rankings_daily.previews",
        "rankings_etl.warehouse.build",
        "rankings_etl.warehouse.connection",
    )
    code = (
        f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}]; "
        "print(sorted(m for m in ('dagster', 'dagster_duckdb', 'httpx') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_schema_creates_exactly_the_registry_tables_with_their_columns():
    con = duckdb.connect()
    ensure_schema(con, warehouse_specs())
    created = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert created == set(warehouse_tables())
    for name, spec in TABLES.items():
        described = con.execute(f"DESCRIBE {name}").fetchall()
        types = [t.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ") for _, t, *_ in described]
        assert [(n, t) for (n, *_), t in zip(described, types, strict=True)] == [
            (c.name, c.type) for c in spec.columns
        ], name


def _string_literals() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_sql_file_of_the_package_is_used():
    """A spec names it (create, select, a check, its optional figures), or the code loads it by
    its literal name."""
    named = {
        name
        for spec in TABLES.values()
        for name in (
            spec.create_sql,
            spec.figures_sql,
            *((spec.select_sql,) if spec.written_by == "select" else ()),
            *(check.sql_name for check in spec.checks),
        )
    }
    literals = _string_literals()
    files = sorted(PACKAGE.rglob("sql/*.sql"))
    assert files
    orphans = [
        str(path.relative_to(PACKAGE)) for path in files if path.stem not in named | literals
    ]
    assert orphans == []
    for spec in TABLES.values():  # and every file a spec names exists in its package
        folder = PACKAGE.parent.joinpath(*spec.sql_package.split(".")) / "sql"
        for name in (spec.create_sql, *(check.sql_name for check in spec.checks)):
            assert (folder / f"{name}.sql").is_file(), f"{spec.name}: {folder}/{name}.sql"


def test_the_wheel_ships_every_sql_file(tmp_path):
    """A non-editable install (the Docker image's) must find each package's sql/ folder."""
    # Built from a copy: setuptools leaves build/ and egg-info behind in the tree it builds.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(PACKAGE, source / "rankings_etl", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("rankings_etl-*.whl")
    shipped = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".sql")}
    expected = {str(path.relative_to(REPO)) for path in PACKAGE.rglob("sql/*.sql")}
    assert shipped == expected
