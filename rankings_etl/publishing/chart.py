"""The top models' share of tokens over recent days, as a PNG (matplotlib, Agg backend).

matplotlib is imported when a chart is drawn, not when this module is: every Dagster process
loads the definitions (each run, the code server, the daemon), and only the chart asset's step
draws. That keeps about half a second and 40 MB out of every other process (bench/results.md).
"""

from __future__ import annotations

import io

import duckdb

from rankings_etl.core.citation import LICENCE_LINE, citation


def top_models_frame(con: duckdb.DuckDBPyConnection, days: int = 90, top: int = 10):
    """Daily share_of_day of the ``top`` models by tokens over the last ``days`` loaded days."""
    return con.execute(
        """
        WITH recent AS (
            SELECT DISTINCT date FROM model_share_daily ORDER BY date DESC LIMIT $1
        ),
        leaders AS (
            SELECT model_permaslug FROM model_share_daily
            WHERE date IN (SELECT date FROM recent) AND rank IS NOT NULL
            GROUP BY model_permaslug ORDER BY sum(total_tokens) DESC, model_permaslug LIMIT $2
        )
        SELECT date, model_permaslug, share_of_day FROM model_share_daily
        WHERE date IN (SELECT date FROM recent)
          AND model_permaslug IN (SELECT model_permaslug FROM leaders)
        ORDER BY date, model_permaslug
        """,
        [days, top],
    ).df()


def leaders_table(frame, top: int = 5) -> str:
    """The chart's newest day as a short Markdown table: the UI shows it in place."""
    from rankings_etl.core.markdown import markdown_table

    day = frame["date"].max()
    newest = frame[frame["date"] == day].sort_values("share_of_day", ascending=False).head(top)
    rows = [
        (slug, f"{share * 100:.1f}%")
        for slug, share in zip(newest["model_permaslug"], newest["share_of_day"], strict=True)
    ]
    return f"**{day:%Y-%m-%d}**\n\n" + markdown_table(["model", "share of day"], rows)


#: The PNG's size in pixels at 1:1. The UI shows it in the metadata dialog, at most 80% of the
#: window wide: 960 px fits a 1280 px window without scaling or cropping.
CHART_WIDTH_PX, CHART_HEIGHT_PX, CHART_DPI = 960, 600, 100


def render_top_models_chart(frame, as_of: str, days: int = 90) -> bytes:
    """A line per model, the legend under the plot (long permaslugs never widen the image past
    what the UI's dialog shows), the citation at the foot."""
    if frame.empty:
        raise ValueError("no model_share_daily rows to chart: materialize it first")
    # The object API with an Agg canvas: no pyplot global state, safe in any thread.
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    wide = frame.pivot(index="date", columns="model_permaslug", values="share_of_day")
    order = wide.mean().sort_values(ascending=False).index
    fig = Figure(figsize=(CHART_WIDTH_PX / CHART_DPI, CHART_HEIGHT_PX / CHART_DPI), dpi=CHART_DPI)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for slug in order:
        ax.plot(wide.index, wide[slug] * 100, linewidth=1.6, label=slug)
    ax.set_title(
        f"Top {len(order)} models on OpenRouter: share of daily tokens, last {days} days",
        fontsize=12,
    )
    ax.set_ylabel("share of the day's tokens (%)", fontsize=10)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=7))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.tick_params(labelsize=9)
    ax.grid(alpha=0.3)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=2,
        fontsize=9,
        frameon=False,
    )
    fig.text(0.01, 0.01, f"{citation(as_of)} {LICENCE_LINE}", fontsize=8, alpha=0.8)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
