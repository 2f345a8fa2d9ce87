import datetime as dt

from rankings_etl.core.windows import Window
from rankings_etl.orchestration.schedules import daily_window

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
