import datetime as dt

from rankings_etl.core.run_tags import RANGE_END_TAG, RANGE_START_TAG
from rankings_etl.core.windows import Window
from rankings_etl.orchestration.schedules import daily_window, range_run_request, weekly_window

D = dt.date
TICK = dt.datetime(2026, 11, 24, 0, 15, tzinfo=dt.UTC)


def test_a_normal_tick_covers_the_trailing_three_completed_days():
    assert daily_window(TICK, latest_loaded=D(2026, 11, 23)) == Window(
        D(2026, 11, 21), D(2026, 11, 23)
    )
    assert daily_window(TICK, latest_loaded=D(2026, 11, 22)) == Window(
        D(2026, 11, 21), D(2026, 11, 23)
    )
    assert daily_window(TICK, latest_loaded=D(2026, 11, 20)) == Window(
        D(2026, 11, 21), D(2026, 11, 23)
    )


def test_after_the_daemon_was_down_the_tick_fills_the_gap_in_one_window():
    window = daily_window(TICK, latest_loaded=D(2026, 11, 14))
    assert window == Window(D(2026, 11, 15), D(2026, 11, 23))


def test_with_nothing_loaded_the_tick_loads_all_history():
    assert daily_window(TICK, latest_loaded=None) == Window(D(2025, 1, 1), D(2026, 11, 23))


def test_the_window_never_starts_before_the_dataset():
    early = dt.datetime(2025, 1, 2, 0, 15, tzinfo=dt.UTC)
    assert daily_window(early, latest_loaded=None) == Window(D(2025, 1, 1), D(2025, 1, 1))


def test_a_weekly_tick_loads_the_week_that_just_ended():
    monday = dt.datetime(2026, 11, 30, 0, 45, tzinfo=dt.UTC)
    assert weekly_window(monday, latest_loaded=D(2026, 11, 16)) == Window(
        D(2026, 11, 23), D(2026, 11, 29)
    )
    assert weekly_window(monday, latest_loaded=D(2026, 11, 23)) == Window(
        D(2026, 11, 23), D(2026, 11, 29)
    )
    # A tick on any day of the week still loads the last complete week.
    assert weekly_window(monday + dt.timedelta(days=3), None) == Window(
        D(2026, 11, 23), D(2026, 11, 29)
    )


def test_a_weekly_tick_fills_the_gap_but_never_starts_history():
    monday = dt.datetime(2026, 11, 30, 0, 45, tzinfo=dt.UTC)
    assert weekly_window(monday, latest_loaded=D(2026, 11, 2)) == Window(
        D(2026, 11, 9), D(2026, 11, 29)
    )
    assert weekly_window(monday, latest_loaded=None).days == 7
    first = dt.datetime(2025, 1, 13, 0, 45, tzinfo=dt.UTC)
    assert weekly_window(first, latest_loaded=None) == Window(D(2025, 1, 6), D(2025, 1, 12))


def test_a_weekly_range_run_names_its_first_and_last_monday():
    request = range_run_request(Window(D(2026, 11, 9), D(2026, 11, 29)), "catch-up", grain="week")
    assert request.tags[RANGE_START_TAG] == "2026-11-09"
    assert request.tags[RANGE_END_TAG] == "2026-11-23"
