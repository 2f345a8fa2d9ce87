"""What the project publishes from the warehouse: a chart and citable exports.

Both are unpartitioned views over all loaded days. They refresh whenever an upstream partition
is updated (not when history is merely incomplete, as the default eager condition would wait).
"""

import base64

import dagster as dg
from dagster_duckdb import DuckDBResource

from rankings_etl.core.citation import citation
from rankings_etl.datasets import published_tables, warehouse_specs
from rankings_etl.datasets.rankings_daily.assets import (
    model_share_daily,
)
from rankings_etl.orchestration.automation import follow_upstream
from rankings_etl.orchestration.naming import GROUP, OWNERS
from rankings_etl.publishing.chart import leaders_table, render_top_models_chart, top_models_frame
from rankings_etl.publishing.exports import (
    FORMATS,
    citations,
    export_tables,
    latest_as_of,
    latest_as_of_by_page,
)
from rankings_etl.resources.export_dir import ExportDirectory
from rankings_etl.warehouse.connection import open_warehouse

CHART_DAYS = 90
CHART_MODELS = 10


@dg.asset(
    group_name=GROUP,
    deps=[model_share_daily],
    kinds={"duckdb", "matplotlib"},
    owners=OWNERS,
    automation_condition=follow_upstream,
)
def top_models_chart(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, exports: ExportDirectory
) -> dg.MaterializeResult:
    """A PNG of the top 10 models' daily share of tokens over the last 90 loaded days: who
    leads, without writing a query. Written to RANKINGS_EXPORT_DIR and shown on this page."""
    with open_warehouse(duckdb, warehouse_specs()) as con:
        frame = top_models_frame(con, CHART_DAYS, CHART_MODELS)
        as_of = latest_as_of(con)
    png = render_top_models_chart(frame, as_of, CHART_DAYS)
    path = exports.ensure() / "top_models_share.png"
    path.write_bytes(png)
    context.log.info(f"chart of {frame['model_permaslug'].nunique()} models written to {path}")
    encoded = base64.b64encode(png).decode()
    return dg.MaterializeResult(
        metadata={
            # The PNG is too big for the UI to show inline: it opens in a dialog, at 1:1 and
            # sized to fit it. The leaders' table beside it is short enough to show in place.
            "chart": dg.MetadataValue.md(f"![top models share](data:image/png;base64,{encoded})"),
            "leaders": dg.MetadataValue.md(leaders_table(frame)),
            "path": dg.MetadataValue.path(str(path)),
            "models": int(frame["model_permaslug"].nunique()),
            "days": int(frame["date"].nunique()),
            "as_of": as_of,
            "citation": citation(as_of),
        }
    )


@dg.asset(
    group_name=GROUP,
    # Every table it exports that an asset writes (every dataset's): it refreshes after any.
    deps=[name for name, spec in published_tables().items() if spec.written_by != "side"],
    kinds={"duckdb", "parquet", "csv"},
    owners=OWNERS,
    automation_condition=follow_upstream,
)
def rankings_export(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, exports: ExportDirectory
) -> dg.MaterializeResult:
    """Every table as Parquet and CSV, with CITATION.txt (the attribution OpenRouter's CC BY 4.0
    licence requires, with the data's as_of) and a data dictionary generated from the same
    column descriptions as this UI."""
    folder = exports.ensure()
    with open_warehouse(duckdb, warehouse_specs()) as con:
        files = export_tables(con, folder, FORMATS)
        as_of = latest_as_of(con)
        cited = citations(latest_as_of_by_page(con))
    context.log.info(f"exported {len(files)} files to {folder}")
    return dg.MaterializeResult(
        metadata={
            "directory": dg.MetadataValue.path(str(folder)),
            "files": dg.MetadataValue.md("\n".join(f"- `{f.name}`" for f in files)),
            "file_count": len(files),
            "as_of": as_of,
            # One line per page the data comes from (the model rankings, the apps).
            "citation": " ".join(cited),
        }
    )


output_assets = [top_models_chart, rankings_export]
