"""rankings_segments_daily's write and model_segment_share_daily's build on a real DuckDB file:
the bound against rankings_daily inside the write, idempotence, exact shares."""

import datetime as dt
import math
import random

import duckdb
import pytest

from rankings_etl.core.windows import Window
from rankings_etl.datasets import warehouse_specs
from rankings_etl.datasets.rankings_segments_daily import dataset as segments
from rankings_etl.datasets.rankings_segments_daily.checks import SEGMENT_SHARES_SUM
from rankings_etl.datasets.rankings_segments_daily.load import write_segments
from rankings_etl.datasets.rankings_segments_daily.tables import MODEL_SEGMENT_SHARE_DAILY
from rankings_etl.datasets.spec import StoreRefused
from rankings_etl.warehouse.build import build_table
from rankings_etl.warehouse.schema import ensure_schema

from .bodies import FETCHED, body, ranked_list, request

D1, D2 = dt.date(2025, 6, 1), dt.date(2025, 6, 2)
WINDOW = Window(D1, D2)


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        ensure_schema(connection, warehouse_specs())
        yield connection


def load_day_totals(con, totals):
    """rankings_daily rows whose days sum to ``totals[day]`` (one model and `other`)."""
    for day, total in totals.items():
        con.execute(
            "INSERT INTO rankings_daily VALUES ($1, 'lab0/m-00', 1, $2, $3, $3), "
            "($1, 'other', NULL, $4, $3, $3)",
            [day, total - 1000, FETCHED, 1000],
        )


def response(rows, window=WINDOW, **filters):
    return segments.parse(
        body(window, rows), request(segments.NAME, window, **filters), FETCHED, None
    )


def two_segments(top=10_000):
    return [
        response(ranked_list(D1, top=top) + ranked_list(D2, top=top), modality="text"),
        response(
            ranked_list(D1, ranked=2, other=False) + ranked_list(D2, ranked=3),
            **{"context_bucket": "1M"},
        ),
    ]


def rows(con):
    return con.execute(
        "SELECT date, segment_type, segment, model_permaslug, rank, total_tokens "
        "FROM rankings_segments_daily ORDER BY ALL"
    ).fetchall()


def test_a_run_writes_every_segment_row_once_and_a_rerun_changes_nothing(con):
    load_day_totals(con, {D1: 10**6, D2: 10**6})
    written = write_segments(con, two_segments(), WINDOW, "run-1")
    assert written.rows_written == 6 * 2 + 2 + 4
    assert all(outcome.passed for outcome in written.outcomes)
    first = rows(con)
    assert ("2025-06-01", "modality", "text", "lab0/m-00", 1, 10_000) in [
        (d.isoformat(), *rest) for d, *rest in first
    ]
    assert con.execute("SELECT count(*) FROM raw_responses").fetchone() == (2,)
    again = write_segments(con, two_segments(), WINDOW, "run-2")
    assert again.rows_written == written.rows_written
    assert rows(con) == first
    assert con.execute(
        "SELECT count(*) FROM (SELECT 1 FROM rankings_segments_daily "
        "GROUP BY date, segment_type, segment, model_permaslug HAVING count(*) > 1)"
    ).fetchone() == (0,)
    stored = con.execute("SELECT DISTINCT dataset, params FROM raw_responses ORDER BY 2").fetchall()
    assert stored[0] == (
        "rankings_segments_daily",
        '{"context_bucket":"1M","end_date":"2025-06-02","start_date":"2025-06-01"}',
    )


def test_a_segment_above_its_day_total_is_refused_and_nothing_is_written(con):
    load_day_totals(con, {D1: 10**6, D2: 60_000})
    write_segments(con, two_segments(), WINDOW, "run-1")
    before = rows(con), con.execute("SELECT count(*) FROM raw_responses").fetchone()
    with pytest.raises(StoreRefused) as refused:
        write_segments(con, two_segments(top=30_000), WINDOW, "run-2")
    (bound,) = refused.value.outcomes
    assert bound.spec.name == "segment_total_within_day_total"
    assert list(bound.errors) == [D2]
    text_d2 = sum(30_000 - 7 * i for i in range(5)) + 77
    assert bound.errors[D2] == (
        f"modality=text: {text_d2} tokens, above the day's 60000 in rankings_daily"
    )
    assert (rows(con), con.execute("SELECT count(*) FROM raw_responses").fetchone()) == before
    assert "incoming_segments" not in {
        name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    }


def test_a_day_rankings_daily_has_not_loaded_is_bounded_at_warn(con):
    load_day_totals(con, {D1: 10**6})
    written = write_segments(con, two_segments(), WINDOW, None)
    (bound,) = written.outcomes
    assert not bound.blocks and bound.errors == {}
    assert bound.warnings == {D2: "rankings_daily has no rows for this day: bound not checked"}
    assert written.rows_written == 18


def test_segment_shares_sum_to_one_within_1e_12_with_the_author_split_out(con):
    rng = random.Random(18)
    days = [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(4)]
    window = Window(days[0], days[-1])
    load_day_totals(con, {day: 10**15 for day in days})
    responses = []
    for segment in ("text", "tool_calling", "image"):
        data = []
        for day in days:
            tokens = sorted((rng.randrange(10**6, 75 * 10**11) for _ in range(50)), reverse=True)
            data += [
                {
                    "date": day.isoformat(),
                    "model_permaslug": f"lab{i % 7}/{segment}-{i}",
                    "total_tokens": str(t),
                }
                for i, t in enumerate(tokens)
            ]
            data.append(
                {
                    "date": day.isoformat(),
                    "model_permaslug": "other",
                    "total_tokens": str(rng.randrange(10**12, 2 * 10**12)),
                }
            )
        responses.append(response(data, window=window, modality=segment))
    write_segments(con, responses, window, None)
    result = build_table(con, MODEL_SEGMENT_SHARE_DAILY, window, MODEL_SEGMENT_SHARE_DAILY.checks)
    assert not result.blocked and result.rows_written == 3 * 4 * 51
    sums = con.execute(
        "SELECT date, segment, list(share_of_segment) FROM model_segment_share_daily GROUP BY ALL"
    ).fetchall()
    assert len(sums) == 12
    for _, _, shares in sums:
        assert abs(math.fsum(shares) - 1) < 1e-12
    authors = con.execute(
        "SELECT DISTINCT model_permaslug = 'other', author IS NULL, "
        "author = split_part(model_permaslug, '/', 1) FROM model_segment_share_daily"
    ).fetchall()
    assert sorted(authors, key=str) == sorted([(False, False, True), (True, True, None)], key=str)
    day_share = con.execute(
        "SELECT DISTINCT date, segment, segment_share_of_day * 1e15 FROM model_segment_share_daily"
        " WHERE date = $1 AND segment = 'text'",
        [days[0]],
    ).fetchall()
    text_total = con.execute(
        "SELECT sum(total_tokens) FROM rankings_segments_daily "
        "WHERE date = $1 AND segment = 'text'",
        [days[0]],
    ).fetchone()[0]
    assert day_share[0][2] == pytest.approx(text_total, rel=1e-12)


def test_the_shares_check_blocks_a_segment_day_that_does_not_sum_to_one(con, monkeypatch):
    load_day_totals(con, {D1: 10**6, D2: 10**6})
    write_segments(con, two_segments(), WINDOW, None)
    assert not build_table(con, MODEL_SEGMENT_SHARE_DAILY, WINDOW, [SEGMENT_SHARES_SUM]).blocked
    from rankings_etl.warehouse import build

    real = build.load_sql

    def doubled(package, name):
        text = real(package, name)
        if name == "select_model_segment_share_daily":
            text = text.replace("AS share_of_segment", "* 1.000001 AS share_of_segment")
        return text

    monkeypatch.setattr(build, "load_sql", doubled)
    before = con.execute("SELECT count(*), sum(share_of_segment) FROM model_segment_share_daily")
    before = before.fetchone()
    result = build_table(con, MODEL_SEGMENT_SHARE_DAILY, WINDOW, [SEGMENT_SHARES_SUM])
    (blocked,) = result.blocked
    assert set(blocked.errors) == {D1, D2}
    assert blocked.errors[D1].startswith("context_bucket=1M: shares sum to 1.0000009")
    after = con.execute("SELECT count(*), sum(share_of_segment) FROM model_segment_share_daily")
    assert after.fetchone() == before


def test_every_segment_row_once_catches_a_lost_row(con, monkeypatch):
    load_day_totals(con, {D1: 10**6, D2: 10**6})
    write_segments(con, two_segments(), WINDOW, None)
    from rankings_etl.warehouse import build

    real = build.load_sql

    def lossy(package, name):
        text = real(package, name)
        if name == "select_model_segment_share_daily":
            text += " AND s.model_permaslug <> 'lab1/m-01'"
        return text

    monkeypatch.setattr(build, "load_sql", lossy)
    checks = [
        c for c in MODEL_SEGMENT_SHARE_DAILY.checks if c.spec.name == "every_segment_row_once"
    ]
    (blocked,) = build_table(con, MODEL_SEGMENT_SHARE_DAILY, WINDOW, checks).blocked
    assert blocked.errors[D1] == "context_bucket=1M: lab1/m-01 appears 0 time(s)"
