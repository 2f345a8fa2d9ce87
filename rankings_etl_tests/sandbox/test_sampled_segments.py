"""The sampled rankings (``category``, ``language_type``): weekly estimates, the API's week
semantics (whole ISO weeks, dated by their Monday, the trailing one past ``end_date``)."""

import collections
import datetime as dt

import pytest

from rankings_etl.core.api_facts import CATEGORIES, LANGUAGE_TYPES
from rankings_etl.sandbox.segments import SAMPLE_UNIT

from .helpers import assert_day_in_contract_order, by_date, get

D = dt.date.fromisoformat


def sums(response):
    out = collections.Counter()
    for row in response.json()["data"]:
        out[row["date"]] += int(row["total_tokens"])
    return dict(out)


def test_the_default_period_is_week_dated_by_mondays_from_before_start_to_past_end(sandbox):
    response = get(sandbox, start_date="2025-06-04", end_date="2025-06-18", category="legal")
    assert response.status_code == 200
    body = response.json()
    assert (body["meta"]["start_date"], body["meta"]["end_date"]) == ("2025-06-04", "2025-06-18")
    days = by_date(body["data"])
    assert sorted(days) == ["2025-06-02", "2025-06-09", "2025-06-16"]  # Mondays; 06-02 < start
    for rows in days.values():
        assert len(rows) == 51 and rows[-1]["model_permaslug"] == "other"
        assert_day_in_contract_order(rows)
        assert all(int(r["total_tokens"]) % SAMPLE_UNIT == 0 for r in rows)  # upsampled


def test_the_trailing_week_is_the_whole_week_even_past_end_date(sandbox):
    week = "2025-06-09"
    whole = by_date(
        get(sandbox, start_date=week, end_date="2025-06-15", category="science").json()["data"]
    )
    for start, end in (("2025-06-04", "2025-06-10"), ("2025-06-11", "2025-06-11")):
        inside = get(sandbox, start_date=start, end_date=end, category="science")
        assert by_date(inside.json()["data"])[week] == whole[week], (start, end)


def test_the_trailing_week_stops_at_the_last_completed_day(sandbox):
    params = {"start_date": "2025-06-09", "end_date": "2025-06-11", "language_type": "natural"}
    whole = sums(get(sandbox, **params))["2025-06-09"]
    sandbox.configure(today="2025-06-12")  # the week so far: Monday to Wednesday
    partial = sums(get(sandbox, **params))["2025-06-09"]
    assert 0.3 * whole < partial < 0.6 * whole


def test_months_bucket_each_whole_week_by_the_month_of_its_monday(sandbox):
    window = {"start_date": "2025-06-01", "end_date": "2025-07-31", "category": "programming"}
    weeks = sums(get(sandbox, **window))
    months = sums(get(sandbox, **window, period="month"))
    expected = collections.Counter()
    for monday, tokens in weeks.items():
        expected[D(monday).replace(day=1).isoformat()] += tokens
    assert months == dict(expected)
    # 2025-05-26 holds 2025-06-01 (a Sunday): May's bucket, before start_date; 2025-06-30
    # holds July's first days but counts in June.
    assert sorted(months) == ["2025-05-01", "2025-06-01", "2025-07-01"]
    assert "2025-06-30" in weeks


def test_estimates_are_near_the_exact_week_but_not_sums_of_exact_days(sandbox):
    window = {"start_date": "2025-09-01", "end_date": "2025-09-28"}  # four whole weeks
    exact = collections.Counter()
    for date, tokens in sums(get(sandbox, **window)).items():
        exact[(D(date) - dt.timedelta(days=D(date).weekday())).isoformat()] += tokens
    estimated = collections.Counter()
    for value in LANGUAGE_TYPES:  # natural + programming cover all traffic, give or take noise
        estimated.update(sums(get(sandbox, **window, language_type=value)))
    assert sorted(estimated) == sorted(exact)
    for week, tokens in exact.items():
        assert estimated[week] != tokens
        assert abs(estimated[week] / tokens - 1) < 0.1, week


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_is_served_as_weekly_estimates(sandbox, category):
    response = get(sandbox, start_date="2026-10-01", end_date="2026-10-31", category=category)
    days = by_date(response.json()["data"])
    assert sorted(days) == ["2026-09-28", "2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"]
    assert all(0 < len(rows) <= 51 for rows in days.values())
