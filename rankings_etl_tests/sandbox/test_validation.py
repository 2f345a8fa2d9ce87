"""The query-parameter rules, as a pure function (no server)."""

import datetime as dt

import pytest

from rankings_etl.sandbox.validation import ValidationError, parse_param_date, resolve_window

LAST = dt.date(2026, 11, 24)
D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "2026-02-30", "end_date": "2026-03-01"}, "not a valid calendar date"),
        ({"start_date": "2025-02-29", "end_date": "2025-03-01"}, "not a valid calendar date"),
        ({"end_date": "2026-13-01"}, "end_date '2026-13-01' is not a valid calendar date"),
        ({"start_date": "2026-1-5", "end_date": "2026-01-06"}, "formatted YYYY-MM-DD"),
        ({"end_date": "20260105"}, "end_date must be a date formatted YYYY-MM-DD"),
        ({"end_date": "2026-01-05T00:00:00"}, "formatted YYYY-MM-DD"),
        ({"end_date": ""}, "formatted YYYY-MM-DD"),
        ({"end_date": "٢٠٢٦-٠١-٠٥"}, "formatted YYYY-MM-DD"),
        ({"start_date": "2025-03-02", "end_date": "2025-03-01"}, "is after end_date"),
        ({"start_date": "2025-01-01", "end_date": "2026-01-02"}, "spans 367 days"),
        ({"start_date": "2024-01-01", "end_date": "2024-12-31"}, "before the dataset begins"),
        ({"end_date": "2026-11-25"}, "after the most recent completed UTC day (2026-11-24)"),
    ],
)
def test_each_invalid_window_is_refused_naming_the_problem(params, message):
    with pytest.raises(ValidationError) as refused:
        resolve_window(params, LAST)
    assert message in str(refused.value)


def test_defaults_are_the_last_completed_day_and_30_days_before():
    window, _ = resolve_window({}, LAST)
    assert (window.start, window.end, window.days) == (D("2026-10-25"), LAST, 31)


def test_a_lone_end_date_gets_a_start_30_days_before_it():
    assert resolve_window({"end_date": "2026-03-31"}, LAST)[0].start == D("2026-03-01")


def test_a_lone_start_date_ends_on_the_last_completed_day():
    window, _ = resolve_window({"start_date": "2026-11-01"}, LAST)
    assert (window.start, window.end) == (D("2026-11-01"), LAST)


def test_an_early_start_is_clamped_and_flagged():
    window, clamped = resolve_window({"start_date": "2024-06-01", "end_date": "2025-01-03"}, LAST)
    assert (window.start, window.end, clamped) == (D("2025-01-01"), D("2025-01-03"), True)


def test_a_default_start_before_the_dataset_is_clamped_too():
    window, clamped = resolve_window({"end_date": "2025-01-10"}, LAST)
    assert (window.start, clamped) == (D("2025-01-01"), True)


def test_366_days_are_served_and_367_refused():
    window, _ = resolve_window({"start_date": "2025-03-01", "end_date": "2026-03-01"}, LAST)
    assert window.days == 366
    with pytest.raises(ValidationError, match="spans 367 days; at most 366"):
        resolve_window({"start_date": "2025-03-01", "end_date": "2026-03-02"}, LAST)


def test_the_span_is_counted_after_the_clamp():
    # 367 days as requested, 366 once start_date is clamped to 2025-01-01: served.
    window, clamped = resolve_window({"start_date": "2024-12-31", "end_date": "2026-01-01"}, LAST)
    assert (window.start, window.days, clamped) == (D("2025-01-01"), 366, True)
    window, _ = resolve_window({"start_date": "2000-01-01", "end_date": "2025-12-31"}, LAST)
    assert window.days == 365


def test_a_single_day_and_the_last_completed_day_are_valid():
    window, _ = resolve_window({"start_date": "2026-11-24", "end_date": "2026-11-24"}, LAST)
    assert (window.start, window.end, window.days) == (LAST, LAST, 1)


def test_unknown_parameters_are_ignored():
    window, _ = resolve_window({"foo": "bar", "modality": "text", "end_date": "2026-01-31"}, LAST)
    assert (window.start, window.end) == (D("2026-01-01"), D("2026-01-31"))


def test_long_garbage_is_cut_short_in_the_message():
    with pytest.raises(ValidationError) as refused:
        parse_param_date("start_date", "x" * 5000)
    assert len(str(refused.value)) < 120
