"""The RateBudget resource: waiting, refusing and reserving, on a fake clock (no sleeps)."""

import logging
import os
import subprocess
import sys

import pytest

from rankings_etl.core.errors import BudgetExhaustedError
from rankings_etl.core.rate_limits import DAY_SECONDS
from rankings_etl.resources.rate_budget import RateBudget

T0 = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC
KEY = "aaaaaaaaaaaa"


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self, now=T0):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def make_budget(tmp_path, fake_time):
    def make(**settings):
        budget = RateBudget(database=str(tmp_path / "budget.sqlite"), **settings)
        budget._clock = fake_time
        budget._sleep = fake_time.sleep
        return budget

    return make


def test_a_spent_minute_waits_for_the_next_slot_and_says_why(make_budget, fake_time, caplog):
    budget = make_budget(per_minute=2, per_day=10)
    budget.acquire(KEY)
    fake_time.now += 15
    budget.acquire(KEY)
    with caplog.at_level(logging.INFO):
        grant = budget.acquire(KEY, label="2025-06-15..2025-06-15")
    # The first slot leaves the rolling minute (+1 s margin) 46 s later.
    assert len(fake_time.sleeps) == 1
    assert 46 <= fake_time.sleeps[0] <= 46.1
    assert grant.at == fake_time.now and grant.minute_used == 2
    line = next(r.getMessage() for r in caplog.records if "rate budget: waiting" in r.getMessage())
    assert "2025-06-15..2025-06-15" in line
    assert f"the minute budget of key {KEY} is used up (2 of 2 requests" in line


def test_a_wait_longer_than_allowed_fails_naming_the_minute_budget(make_budget, fake_time):
    budget = make_budget(per_minute=1, per_day=10, max_wait_seconds=30)
    budget.acquire(KEY)
    with pytest.raises(BudgetExhaustedError, match="OpenRouter minute budget") as raised:
        budget.acquire(KEY)
    assert "max_wait_seconds" in str(raised.value) and "Nothing was sent" in str(raised.value)
    assert fake_time.sleeps == []


def test_a_spent_day_fails_at_once_with_the_figures_and_when_it_frees(make_budget, fake_time):
    budget = make_budget(per_minute=30, per_day=3)
    for _ in range(3):
        budget.acquire(KEY)
        fake_time.now += 60
    with pytest.raises(BudgetExhaustedError) as raised:
        budget.acquire(KEY)
    message = str(raised.value)
    assert message.startswith("OpenRouter day budget exhausted (account 'default'): 3 of 3")
    assert "0 remaining" in message
    assert "the next slot frees at 2027-01-16 08:00:01 UTC (in 23 h 57 min)" in message
    assert message.endswith("Nothing was sent.")
    assert fake_time.sleeps == []  # it did not wait for a day


def test_a_429_penalty_holds_back_the_key_in_every_process(make_budget, fake_time, caplog):
    budget = make_budget(per_minute=30, per_day=10)
    budget.acquire(KEY)
    assert budget.penalize(KEY, 4.0, "HTTP 429 on 2025-06-15..2025-06-15, Retry-After 4 s") == 4.0
    # Another process (another resource on the same file) must also wait it out.
    elsewhere = make_budget(per_minute=30, per_day=10)
    with caplog.at_level(logging.INFO):
        elsewhere.acquire(KEY)
    assert 4 <= sum(fake_time.sleeps) <= 4.1
    assert any("asked key aaaaaaaaaaaa to back off" in r.getMessage() for r in caplog.records)
    # Without a Retry-After, the configured back-off applies.
    assert budget.penalize(KEY, None, "HTTP 429") == 30.0


@pytest.mark.parametrize(
    ("retry_after", "recorded"),
    [
        (999_999.0, 3600.0),  # capped at max_penalty_seconds (1 h)
        (1e12, 3600.0),
        (float("inf"), 30.0),  # unusable: the default
        (float("nan"), 30.0),
        (-5.0, 30.0),
        (None, 30.0),
        (90.0, 90.0),  # honest values as they are
    ],
)
def test_a_429_back_off_is_capped_where_it_is_recorded(
    make_budget, fake_time, retry_after, recorded
):
    budget = make_budget()
    assert budget.penalize(KEY, retry_after, "HTTP 429") == recorded
    ((_, until, _),) = [
        (p.key_fp, p.until, p.reason) for p in budget.ledger().penalties(fake_time.now)
    ]
    assert until == T0 + recorded


def test_a_penalty_too_long_to_wait_says_how_to_lift_it(make_budget, fake_time):
    budget = make_budget(max_wait_seconds=60)
    budget.penalize(KEY, 999_999.0, "HTTP 429 on w, Retry-After 999999 s")
    with pytest.raises(BudgetExhaustedError) as refused:
        budget.acquire(KEY)
    message = str(refused.value)
    assert "OpenRouter asked key aaaaaaaaaaaa to back off" in message
    assert "in 1 h 0 min" in message and "Nothing was sent." in message
    assert "`rankings-etl budget --clear-penalty aaaaaaaaaaaa` lifts it" in message
    assert fake_time.sleeps == []


def test_a_run_deadline_shortens_the_wait_for_the_minute(make_budget, fake_time):
    budget = make_budget(per_minute=1, per_day=10, max_wait_seconds=300)
    budget.acquire(KEY)
    with pytest.raises(BudgetExhaustedError, match="what is left of the run deadline"):
        budget.acquire(KEY, max_wait=5)
    assert fake_time.sleeps == []


def test_a_reservation_holds_slots_for_its_run_and_gives_back_what_it_did_not_use(
    make_budget, fake_time
):
    budget = make_budget(per_minute=30, per_day=5)
    with budget.reservation(KEY, 3, run_id="0123456789abcdef") as holder:
        assert holder.startswith("01234567-")
        assert budget.usage(KEY).day_reserved == 3
        budget.acquire(KEY, holder=holder)
        # Only 2 slots are left for anyone else.
        budget.acquire("bbbbbbbbbbbb")
        budget.acquire("bbbbbbbbbbbb")
        with pytest.raises(BudgetExhaustedError, match="2 of them reserved by running runs"):
            budget.acquire("bbbbbbbbbbbb")
        budget.acquire(KEY, holder=holder)
    usage = budget.usage(KEY)
    assert (usage.day_sent, usage.day_reserved, usage.day_remaining) == (4, 0, 1)


def test_a_run_whose_reservation_does_not_fit_fails_before_spending(make_budget, fake_time):
    budget = make_budget(per_minute=30, per_day=5)
    for _ in range(4):
        budget.acquire(KEY)
    with pytest.raises(BudgetExhaustedError) as raised, budget.reservation(KEY, 2):
        pytest.fail("the reservation should have been refused")
    message = str(raised.value)
    assert "OpenRouter day budget cannot cover this run's 2 requests" in message
    assert "4 of 5 requests used in the rolling 24 h, 1 remaining" in message
    assert "enough slots free at 2027-01-16 08:00:01 UTC" in message
    assert budget.usage(KEY).day_used == 4


def test_a_run_larger_than_a_whole_day_is_told_to_split(make_budget):
    budget = make_budget(per_minute=30, per_day=5)
    with (
        pytest.raises(BudgetExhaustedError, match="split it into smaller runs"),
        budget.reservation(KEY, 6),
    ):
        pytest.fail("the reservation should have been refused")


def test_the_day_budget_frees_as_the_rolling_day_moves_on(make_budget, fake_time):
    budget = make_budget(per_minute=30, per_day=2)
    budget.acquire(KEY)
    fake_time.now += 3600
    budget.acquire(KEY)
    fake_time.now = T0 + DAY_SECONDS + 2
    assert budget.acquire(KEY).day_used == 2


def _defs_budget(env):
    code = (
        "import dagster as dg; from rankings_etl.definitions import resources as r; "
        "b = r['openrouter'].budget; db = b.database; "
        "db = f'EnvVar:{db.env_var_name}={db.get_value()}' if isinstance(db, dg.EnvVar) else db; "
        "print(db, b.per_minute, b.per_day, b.account, 'rate_budget' not in r)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "RANKINGS_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.split()


def test_definitions_build_the_budget_from_the_environment_with_documented_defaults():
    # The last field: the client's budget is the only one (no separate "rate_budget" resource
    # that no asset uses).
    assert _defs_budget({}) == ["data/rate_budget.sqlite", "30", "500", "default", "True"]
    assert _defs_budget(
        {
            "RANKINGS_BUDGET_DB": "/tmp/elsewhere.sqlite",
            "OPENROUTER_RATE_PER_MINUTE": "2",
            "OPENROUTER_RATE_PER_DAY": "3",
        }
    ) == ["EnvVar:RANKINGS_BUDGET_DB=/tmp/elsewhere.sqlite", "2", "3", "default", "True"]
    # A set ledger URL travels as an EnvVar: it may hold a Postgres password, and the UI and
    # run config then show only the variable's name.
    assert _defs_budget({"RANKINGS_BUDGET_DB": "postgresql://u:pw@db/x"})[0] == (
        "EnvVar:RANKINGS_BUDGET_DB=postgresql://u:pw@db/x"
    )
