"""What users see: metadata in the instance, the chart, citable exports, the CLI."""

import json
import os
import re
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from rankings_etl.datasets import published_tables
from rankings_etl.datasets.rankings_daily.assets import analytics_assets, rankings_daily
from rankings_etl.definitions import defs
from rankings_etl.publishing.assets import output_assets
from rankings_etl.resources.export_dir import ExportDirectory

from .helpers import materialize_range

AS_OF = "2026-05-12T02:00:00.000Z"
CITATION = f"Source: OpenRouter (openrouter.ai/rankings), as of {AS_OF}."


@pytest.fixture
def published(sandbox, resources, instance, tmp_path):
    """Ten days of the whole graph, then the chart and the export, with a pinned as_of."""
    sandbox.configure(as_of=AS_OF)
    resources = {**resources, "exports": ExportDirectory(path=str(tmp_path / "exports"))}
    assert materialize_range(
        [rankings_daily, *analytics_assets],
        "2025-09-01",
        "2025-09-10",
        resources=resources,
        instance=instance,
    ).success
    assert dg.materialize(
        [rankings_daily, *analytics_assets, *output_assets],
        selection=output_assets,
        resources=resources,
        instance=instance,
    ).success
    return tmp_path / "exports"


def latest_metadata(instance, asset, partition=None):
    record = instance.fetch_materializations(
        dg.AssetRecordsFilter(
            asset_key=dg.AssetKey(asset), asset_partitions=[partition] if partition else None
        ),
        limit=1,
    ).records[0]
    return record.asset_materialization.metadata


def test_the_instance_holds_citation_row_count_and_schema(published, instance):
    metadata = latest_metadata(instance, "rankings_daily", "2025-09-05")
    assert metadata["citation"].value == CITATION
    assert metadata["dagster/row_count"].value == 51  # that day's rows, not the table's
    preview = latest_metadata(instance, "rankings_daily", "2025-09-10")["preview"].value
    assert preview.startswith("**2025-09-10**")
    assert preview.count("\n| ") == 1 + 10 + 1  # header, top 10, other
    market = latest_metadata(instance, "market_daily", "2025-09-10")
    assert market["citation"].value == CITATION
    assert 0 < market["top_model_share"].value < 1 and market["models_ranked"].value == 50
    assert market["preview"].value.count("| 2025-09-") == 7
    graph = defs.resolve_asset_graph()
    for asset in ("rankings_daily", "model_share_daily", "model_growth_daily"):
        schema = graph.get(dg.AssetKey(asset)).metadata["dagster/column_schema"]
        columns = {c.name: c.description for c in schema.columns}
        assert set(columns) == {name for name, _, _ in published_tables()[asset].columns}
        assert all(columns.values())


def test_the_chart_is_a_png_on_disk_and_in_the_metadata(published, instance):
    png = (published / "top_models_share.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    metadata = latest_metadata(instance, "top_models_chart")
    assert metadata["chart"].value.startswith("![top models share](data:image/png;base64,")
    assert metadata["models"].value == 10 and metadata["days"].value == 10
    assert metadata["citation"].value == CITATION
    # The chart comes first and fits the UI's dialog; its newest day shows in place.
    assert list(metadata)[:2] == ["chart", "leaders"]
    assert png[16:24] == (960).to_bytes(4, "big") + (600).to_bytes(4, "big")  # IHDR w, h
    leaders = metadata["leaders"].value
    assert leaders.startswith("**2025-09-10**") and leaders.count("%") == 5
    assert len(leaders) < 1000  # the UI renders Markdown inline only below 1,000 characters


def test_exports_round_trip_and_carry_the_licence(published, duckdb_path):
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for table in published_tables():
            original = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            parquet = con.execute(
                f"SELECT * FROM read_parquet('{published / (table + '.parquet')}') ORDER BY ALL"
            ).fetchall()
            assert parquet == original, table
            csv_rows = con.execute(
                f"SELECT count(*) FROM read_csv('{published / (table + '.csv')}')"
            ).fetchone()[0]
            assert csv_rows == len(original)
    citation = (published / "CITATION.txt").read_text()
    assert CITATION in citation and "Licensed under CC BY 4.0." in citation
    dictionary = (published / "DATA_DICTIONARY.md").read_text()
    assert "`share_of_day`" in dictionary and CITATION in dictionary


def cli(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RANKINGS_", "OPENROUTER_"))}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "rankings_etl.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_cli_status_top_and_export_through_the_console_script(published, duckdb_path, tmp_path):
    env = {
        "RANKINGS_DUCKDB_PATH": str(duckdb_path),
        "RANKINGS_BUDGET_DB": str(tmp_path / "none.sqlite"),
    }
    status = cli("status", "--json", env_extra=env)
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert (report["days_loaded"], report["latest_date"]) == (10, "2025-09-10")
    assert report["tables"]["market_daily"] == 10
    top = cli("top", "--date", "2025-09-03", "--n", "5", env_extra=env)
    assert top.returncode == 0 and "Top 5 on 2025-09-03" in top.stdout
    assert len([line for line in top.stdout.splitlines() if line[:3].strip().isdigit()]) == 5
    assert CITATION in top.stdout
    out = tmp_path / "cli_exports"
    exported = cli("export", "--out", str(out), "--format", "csv", env_extra=env)
    assert exported.returncode == 0, exported.stderr
    assert (out / "market_daily.csv").exists() and not (out / "market_daily.parquet").exists()
    assert "Licensed under CC BY 4.0." in (out / "CITATION.txt").read_text()


def test_cli_status_text_keeps_every_label_apart_from_its_value(published, duckdb_path, tmp_path):
    """Each line is "label, at least two spaces, value": model_share_daily (17 characters, as
    wide as the old label column) used to run into its count (`model_share_daily510 rows`)."""
    env = {
        "RANKINGS_DUCKDB_PATH": str(duckdb_path),
        "RANKINGS_BUDGET_DB": str(tmp_path / "none.sqlite"),
    }
    status = cli("status", env_extra=env)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    labels = [re.match(r"(\S+(?: \S+)*?)  +\S", line) for line in lines]
    assert all(labels), lines
    found = {match.group(1): line for match, line in zip(labels, lines, strict=True)}
    for table in ("model_share_daily", "market_daily", "author_share_daily", "model_growth_daily"):
        assert re.fullmatch(rf"{table}  +\d[\d,]* rows", found[table]), found[table]
    assert re.fullmatch(r"model_share_daily +510 rows", found["model_share_daily"])
    # One column: every value starts at the same offset.
    starts = {len(m.group(0)) - 1 for m in labels}
    assert len(starts) == 1, lines


@pytest.mark.parametrize("command", ["status", "top", "export"])
def test_cli_on_a_missing_warehouse_says_so_and_exits_1(command, tmp_path):
    result = cli(command, "--db", str(tmp_path / "missing.duckdb"))
    assert result.returncode == 1
    assert "no warehouse at" in result.stderr and "make demo" in result.stderr


def test_cli_bad_arguments_exit_2(tmp_path):
    assert cli("top", "--date", "yesterday").returncode == 2
    assert cli("top", "--n", "0").returncode == 2
    assert cli("export", "--format", "xlsx").returncode == 2
