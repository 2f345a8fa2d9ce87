"""Rolling rate windows with a fake clock (pure, no waiting)."""

from rankings_etl.sandbox.ratelimit import RollingLimiter


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def test_the_minute_window_rolls_and_says_when_a_slot_frees():
    clock = Clock()
    limiter = RollingLimiter(per_minute=3, per_day=100, clock=clock)
    for step in range(3):
        clock.now = 1000.0 + step * 10
        assert limiter.admit("key").admitted
    clock.now = 1025.0
    refused = limiter.admit("key")
    assert not refused.admitted
    assert refused.retry_after == 35  # the first request (t=1000) leaves the window at t=1060
    assert refused.message == "rate limit exceeded: 3 requests per minute per key"
    clock.now = 1060.0
    assert limiter.admit("key").admitted
    assert not limiter.admit("key").admitted  # t=1010 and t=1020 are still in the window


def test_a_refused_request_uses_no_slot():
    clock = Clock()
    limiter = RollingLimiter(per_minute=1, per_day=100, clock=clock)
    assert limiter.admit("key").admitted
    for offset in (1, 20, 59):
        clock.now = 1000.0 + offset
        assert not limiter.admit("key").admitted
    clock.now = 1060.0
    assert limiter.admit("key").admitted


def test_retry_after_is_a_whole_number_of_seconds_and_at_least_one():
    clock = Clock()
    limiter = RollingLimiter(per_minute=1, per_day=100, clock=clock)
    limiter.admit("key")
    clock.now = 1059.9
    assert limiter.admit("key").retry_after == 1
    clock.now = 1000.2
    assert limiter.admit("key").retry_after == 60


def test_minute_windows_are_per_key_and_the_day_window_per_account():
    clock = Clock()
    limiter = RollingLimiter(per_minute=1, per_day=2, clock=clock)
    assert limiter.admit("a").admitted
    assert not limiter.admit("a").admitted
    assert limiter.admit("b").admitted  # its own minute, same account
    refused = limiter.admit("c")
    assert not refused.admitted
    assert refused.exceeded == ("2 requests per day per account",)
    assert 86_399 <= refused.retry_after <= 86_400
    assert limiter.admit("c", account="other-team").admitted


def test_when_both_limits_are_hit_both_are_named_and_the_longer_wait_wins():
    clock = Clock()
    limiter = RollingLimiter(per_minute=1, per_day=1, clock=clock)
    limiter.admit("key")
    refused = limiter.admit("key")
    assert "per minute per key and 1 requests per day per account" in refused.message
    assert refused.retry_after == 86_400


def test_the_day_window_rolls_after_24_hours():
    clock = Clock()
    limiter = RollingLimiter(per_minute=10, per_day=1, clock=clock)
    limiter.admit("key")
    clock.now += 86_399
    assert not limiter.admit("key").admitted
    clock.now += 1
    assert limiter.admit("key").admitted


def test_a_lowered_limit_applies_at_once_and_reset_forgets_everything():
    clock = Clock()
    limiter = RollingLimiter(per_minute=5, per_day=100, clock=clock)
    for step in range(4):
        clock.now = 1000.0 + step
        limiter.admit("key")
    limiter.per_minute = 2
    refused = limiter.admit("key")
    assert not refused.admitted
    # Three of the four (t=1000..1002) must leave the window: the last of them does at 1062.
    assert refused.retry_after == 1062 - 1003
    limiter.reset()
    assert limiter.admit("key").admitted


def test_a_shortened_minute_rolls_after_minute_seconds():
    clock = Clock()
    limiter = RollingLimiter(per_minute=2, per_day=100, clock=clock, minute_seconds=3.0)
    assert limiter.admit("key").admitted and limiter.admit("key").admitted
    clock.now = 1001.0
    refused = limiter.admit("key")
    assert not refused.admitted and refused.retry_after == 2  # frees at t=1003, not t=1060
    clock.now = 1003.0
    assert limiter.admit("key").admitted
    limiter.minute_seconds = 60.0  # changed at run time: t=1003 is still in the window
    clock.now = 1050.0
    assert limiter.admit("key").admitted
    assert limiter.admit("key").retry_after == 13  # t=1003 leaves a 60-s window at t=1063
