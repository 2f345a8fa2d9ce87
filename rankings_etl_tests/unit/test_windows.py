import datetime as dt

import pytest

from rankings_etl.core.windows import Window, complete_weeks, iso_week_start, split_into_windows

D = dt.date


def test_a_single_day_is_one_window():
    assert split_into_windows(D(2026, 3, 1), D(2026, 3, 1)) == [
        Window(D(2026, 3, 1), D(2026, 3, 1))
    ]


def test_366_days_fit_one_window_and_367_need_two():
    start = D(2025, 1, 1)
    assert len(split_into_windows(start, start + dt.timedelta(days=365))) == 1
    two = split_into_windows(start, start + dt.timedelta(days=366))
    assert [w.days for w in two] == [366, 1]


def test_all_history_of_about_700_days_costs_two_windows_that_tile_the_range():
    start, end = D(2025, 1, 1), D(2026, 11, 24)
    windows = split_into_windows(start, end)
    assert len(windows) == 2
    assert windows[0] == Window(D(2025, 1, 1), D(2026, 1, 1))
    assert windows[1].start == D(2026, 1, 2) and windows[1].end == end
    covered = [day for w in windows for day in w.dates()]
    assert covered == Window(start, end).dates()
    assert all(w.days <= 366 for w in windows)


def test_windows_count_is_ceil_of_days_over_366():
    start = D(2025, 1, 1)
    for days in (1, 365, 366, 367, 731, 732, 733, 1500):
        windows = split_into_windows(start, start + dt.timedelta(days=days - 1))
        assert len(windows) == -(-days // 366)


def test_reversed_range_is_refused():
    with pytest.raises(ValueError, match="before its start"):
        split_into_windows(D(2025, 2, 1), D(2025, 1, 1))


def test_window_str_is_readable():
    assert str(Window(D(2025, 1, 1), D(2025, 1, 3))) == "2025-01-01..2025-01-03"


def test_weekly_windows_are_whole_weeks_of_at_most_52():

    parts = split_into_windows(dt.date(2025, 1, 6), dt.date(2026, 11, 29), unit_days=7)
    assert [(p.start, p.end) for p in parts] == [
        (dt.date(2025, 1, 6), dt.date(2026, 1, 4)),
        (dt.date(2026, 1, 5), dt.date(2026, 11, 29)),
    ]
    assert parts[0].days == 364
    assert all(p.start.weekday() == 0 and p.end.weekday() == 6 for p in parts)
    with pytest.raises(ValueError, match="whole number of 7-day units"):
        split_into_windows(dt.date(2025, 1, 6), dt.date(2025, 1, 8), unit_days=7)


def test_iso_week_start_and_complete_weeks():

    assert iso_week_start(dt.date(2025, 1, 1)) == dt.date(2024, 12, 30)
    assert iso_week_start(dt.date(2025, 1, 6)) == dt.date(2025, 1, 6)
    assert iso_week_start(dt.date(2025, 1, 12)) == dt.date(2025, 1, 6)
    assert complete_weeks(Window(dt.date(2025, 1, 1), dt.date(2025, 1, 19))) == Window(
        dt.date(2025, 1, 6), dt.date(2025, 1, 19)
    )
    assert complete_weeks(Window(dt.date(2025, 1, 7), dt.date(2025, 1, 12))) is None
