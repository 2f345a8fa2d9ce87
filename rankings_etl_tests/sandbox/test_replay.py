"""Replaying real rows from a CSV export or a saved JSON response."""

import datetime as dt
import json

import pytest

from rankings_etl.sandbox.replay_source import ReplayError, ReplaySource

from .helpers import assert_day_in_contract_order, by_date, error_of, get

# Out of order on purpose: `other` first, a tie, an extra column, two dates.
CSV = """\
rank,date,model_permaslug,total_tokens,note
,2026-05-11,other,900,tail
2,2026-05-11,b-corp/model-20260101,500,
1,2026-05-11,a-corp/model-20260101:free,700,
3,2026-05-11,a-corp/tied-20260101,500,
1,2026-05-10,a-corp/model-20260101:free,650,
"""


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "rankings.csv"
    path.write_text(CSV)
    return path


def test_a_csv_is_read_and_reordered_by_the_contract(csv_file):
    source = ReplaySource.from_file(csv_file)
    assert source.day_rows(dt.date(2026, 5, 11)) == (
        ("a-corp/model-20260101:free", 700),
        ("a-corp/tied-20260101", 500),
        ("b-corp/model-20260101", 500),
        ("other", 900),
    )
    assert (source.first_day(), source.last_day()) == (dt.date(2026, 5, 10), dt.date(2026, 5, 11))
    assert source.day_rows(dt.date(2026, 5, 9)) == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,model_permaslug\n2026-05-11,x/y\n", "missing column(s) total_tokens"),
        ("date,model_permaslug,total_tokens\n2026-05-11,x/y,12abc\n", "row 1 is not usable"),
        ("date,model_permaslug,total_tokens\n2026-02-30,x/y,1\n", "row 1 is not usable"),
        ("date,model_permaslug,total_tokens\n", "no rows to serve"),
        ('{"data": [', "not valid JSON"),
        ('{"rows": []}', "expected a saved response"),
    ],
)
def test_unusable_files_are_refused_naming_file_and_problem(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ReplayError) as refused:
        ReplaySource.from_file(path)
    assert message in str(refused.value) and "bad.csv" in str(refused.value)


def test_a_replayed_csv_is_served_in_contract_order_ending_on_its_last_date(
    sandbox_factory, csv_file
):
    server = sandbox_factory(replay=str(csv_file))
    response = get(server)  # default window: 30 days up to the file's last date
    assert response.json()["meta"]["end_date"] == "2026-05-11"
    assert response.json()["meta"]["start_date"] == "2026-04-11"
    days = by_date(response.json()["data"])
    assert sorted(days) == ["2026-05-10", "2026-05-11"]
    assert [r["model_permaslug"] for r in days["2026-05-11"]] == [
        "a-corp/model-20260101:free",
        "a-corp/tied-20260101",
        "b-corp/model-20260101",
        "other",
    ]
    assert_day_in_contract_order(days["2026-05-11"])
    refused = get(server, end_date="2026-05-12")
    assert refused.status_code == 400 and "(2026-05-11)" in error_of(refused)


def test_replaying_a_saved_response_serves_the_same_rows(sandbox, sandbox_factory, tmp_path):
    window = {"start_date": "2025-09-01", "end_date": "2025-09-07"}
    saved = get(sandbox, **window).json()
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(saved))
    server = sandbox_factory(replay=str(path))
    replayed = get(server, **window).json()
    assert replayed["data"] == saved["data"]
    assert replayed["meta"]["end_date"] == "2025-09-07"
