"""429 with Retry-After once a rolling budget is spent, over real HTTP."""

from .helpers import error_of, get

OTHER_KEY = "sk-or-v1-another-key-0000"


def test_the_per_minute_limit_answers_429_with_retry_after_and_401s_do_not_count(
    sandbox_factory,
):
    limited = sandbox_factory(per_minute=3)
    assert [get(limited, key=None).status_code for _ in range(3)] == [401] * 3  # not counted
    assert get(limited, start_date="2025-02-30").status_code == 400  # counted
    assert [get(limited).status_code for _ in range(3)] == [200, 200, 429]
    refused = get(limited)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "3 requests per minute per key" in error_of(refused)
    assert get(limited, key=OTHER_KEY).status_code == 200  # its own minute window
    assert limited.request_count(status=429) == 2


def test_the_per_day_limit_is_per_account_and_keys_can_be_restricted(sandbox_factory, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("sk-or-v1-team-a-one team-a\nsk-or-v1-team-a-two team-a\nsk-or-v1-team-b\n")
    limited = sandbox_factory(keys=str(keys), per_day=2)
    assert get(limited, key="sk-or-v1-not-listed-key").status_code == 401
    assert get(limited, key="sk-or-v1-team-a-one").status_code == 200
    assert get(limited, key="sk-or-v1-team-a-two").status_code == 200
    refused = get(limited, key="sk-or-v1-team-a-one")
    assert refused.status_code == 429 and "2 requests per day per account" in error_of(refused)
    assert 86_000 < int(refused.headers["Retry-After"]) <= 86_400
    assert get(limited, key="sk-or-v1-team-b").status_code == 200  # another account


def test_limits_can_be_changed_at_run_time(sandbox):
    sandbox.configure(per_minute=2)
    assert [get(sandbox).status_code for _ in range(3)] == [200, 200, 429]
    sandbox.configure(per_minute=100)
    assert get(sandbox).status_code == 200
    sandbox.reset()  # and a reset empties the windows
    sandbox.configure(per_minute=1)
    assert [get(sandbox).status_code for _ in range(2)] == [200, 429]
