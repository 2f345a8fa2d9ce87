"""The exports cite each page with that page's own newest as_of: the app rankings cite
openrouter.ai/apps, the model rankings openrouter.ai/rankings."""

import datetime as dt

import duckdb
import pytest

from rankings_etl.core.windows import Window
from rankings_etl.datasets import warehouse_specs
from rankings_etl.datasets.app_rankings_weekly.dataset import parse, request_for
from rankings_etl.datasets.app_rankings_weekly.load import store_app_rankings
from rankings_etl.publishing.exports import export_tables, latest_as_of, latest_as_of_by_page
from rankings_etl.warehouse.schema import ensure_schema

from .bodies import body

MONDAYS = (dt.date(2025, 3, 10), dt.date(2025, 3, 17))
WEEKS = [Window(monday, monday + dt.timedelta(days=6)) for monday in MONDAYS]
APPS = "Source: OpenRouter (openrouter.ai/apps), as of 2025-03-24T00:30:00.000Z."
RANKINGS = "Source: OpenRouter (openrouter.ai/rankings), as of 2025-03-01T02:00:00.000Z."


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con, warehouse_specs())
    yield con
    con.close()


def load_apps(con):
    for week in WEEKS:
        as_of = f"{week.end + dt.timedelta(days=1)}T00:30:00.000Z"
        fetched = dt.datetime.combine(week.end + dt.timedelta(days=1), dt.time(1), tzinfo=dt.UTC)
        responses = [
            parse(body(week=week, as_of=as_of), request_for(week, sort), fetched, None)
            for sort in ("popular", "trending")
        ]
        store_app_rankings(con, responses, week, "run")


def load_rankings(con):
    con.execute(
        "INSERT INTO rankings_daily VALUES "
        "('2025-02-28', 'a/m', 1, 10, '2025-03-01T02:00:00Z', '2025-03-01T03:00:00Z')"
    )


def test_each_page_is_cited_with_its_own_newest_as_of(con, tmp_path):
    load_rankings(con)
    load_apps(con)
    assert latest_as_of_by_page(con) == {
        "rankings": "2025-03-01T02:00:00.000Z",
        "apps": "2025-03-24T00:30:00.000Z",
    }
    files = export_tables(con, tmp_path / "out", ["csv"])
    assert tmp_path / "out" / "app_rankings_weekly.csv" in files
    citation = (tmp_path / "out" / "CITATION.txt").read_text().splitlines()
    assert citation[:3] == [RANKINGS, APPS, "Licensed under CC BY 4.0."]
    assert citation[-1] == (
        "Exported by rankings_etl from OpenRouter's Data API (rankings-daily, app-rankings)."
    )
    dictionary = (tmp_path / "out" / "DATA_DICTIONARY.md").read_text()
    assert RANKINGS in dictionary and APPS in dictionary
    assert (
        "## `app_rankings_weekly`" in dictionary and "| `total_requests` | BIGINT |" in dictionary
    )
    exported = con.execute(
        f"SELECT count(*), count(DISTINCT week_start) FROM "
        f"read_csv('{tmp_path / 'out' / 'app_rankings_weekly.csv'}')"
    ).fetchone()
    assert exported == (12, 2)


def test_a_page_without_data_is_not_cited(con, tmp_path):
    load_rankings(con)
    assert latest_as_of(con, "apps") is None
    export_tables(con, tmp_path / "out", ["csv"])
    citation = (tmp_path / "out" / "CITATION.txt").read_text()
    assert RANKINGS in citation and "openrouter.ai/apps" not in citation


def test_app_rankings_alone_can_be_exported_citing_only_the_apps_page(con, tmp_path):
    load_apps(con)
    assert latest_as_of(con) is None  # the rankings page has nothing
    export_tables(con, tmp_path / "out", ["parquet"])
    citation = (tmp_path / "out" / "CITATION.txt").read_text()
    assert citation.startswith(APPS + "\n") and "openrouter.ai/rankings" not in citation


def test_an_empty_warehouse_exports_nothing_and_says_why(con, tmp_path):
    with pytest.raises(ValueError, match="the warehouse holds no rankings yet"):
        export_tables(con, tmp_path / "out")
