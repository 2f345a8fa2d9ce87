"""The day budget across datasets, in the ledger (both storages, an injected clock): slots
kept free for others (``also_needed``) and the spending per dataset."""

import pytest

from rankings_etl.budget import Grant, Limits, Refuse, Reservation, open_ledger
from rankings_etl.budget.messages import by_dataset_line, day_refusal
from rankings_etl.core.rate_limits import DAY_SECONDS

T0 = 1_800_000_000.0
KEY = "aaaaaaaaaaaa"
ACCOUNT = "default"


@pytest.fixture
def ledger(ledger_url):
    return open_ledger(ledger_url, Limits(per_minute=1000, per_day=20))


def spend(ledger, count, dataset, at=T0):
    for _ in range(count):
        assert isinstance(ledger.take(KEY, ACCOUNT, at, dataset=dataset), Grant)


def test_a_reservation_leaves_room_for_what_is_also_needed_but_holds_only_its_own(ledger):
    spend(ledger, 10, "rankings_daily")
    refused = ledger.reserve("run-a", KEY, ACCOUNT, 6, T0 + 1, ttl=600, also_needed=5)
    assert isinstance(refused, Refuse)
    assert (refused.needed, refused.kept, refused.used, refused.remaining) == (6, 5, 10, 10)
    # 10 + 6 + 5 = 21: one sent slot must leave the rolling day first.
    assert refused.next_free == T0 + DAY_SECONDS + 1
    assert ledger.usage(ACCOUNT, T0 + 1).day_used == 10  # nothing was held

    held = ledger.reserve("run-a", KEY, ACCOUNT, 6, T0 + 1, ttl=600, also_needed=4)
    assert held == Reservation("run-a", 6, T0 + 601)
    usage = ledger.usage(ACCOUNT, T0 + 1)
    assert (usage.day_reserved, usage.day_remaining) == (6, 4)  # the 4 stay free for anyone
    assert isinstance(ledger.take(KEY, ACCOUNT, T0 + 2), Grant)


def test_what_is_also_needed_beyond_the_whole_day_never_fits(ledger):
    refused = ledger.reserve("run-a", KEY, ACCOUNT, 15, T0, ttl=600, also_needed=6)
    assert isinstance(refused, Refuse) and refused.next_free is None and refused.kept == 6
    with pytest.raises(ValueError, match="also_needed must not be negative"):
        ledger.reserve("run-a", KEY, ACCOUNT, 1, T0, ttl=600, also_needed=-1)


def test_usage_counts_each_datasets_sent_and_reserved_slots_in_the_rolling_day(ledger):
    spend(ledger, 2, "rankings_daily", at=T0 - DAY_SECONDS - 5)  # out of the rolling day
    spend(ledger, 3, "rankings_daily")
    spend(ledger, 1, None)
    assert isinstance(
        ledger.reserve("run-a", KEY, ACCOUNT, 4, T0, ttl=600, dataset="app_rankings_weekly"),
        Reservation,
    )
    ledger.take(KEY, ACCOUNT, T0 + 1, holder="run-a", dataset="app_rankings_weekly")
    usage = ledger.usage(ACCOUNT, T0 + 2, recent=1)
    assert dict(usage.by_dataset) == {
        "rankings_daily": (3, 0),
        None: (1, 0),
        "app_rankings_weekly": (1, 3),
    }
    assert sum(s + r for s, r in usage.by_dataset.values()) == usage.day_used
    assert usage.recent[0].dataset == "app_rankings_weekly"
    line = by_dataset_line(usage)
    assert line == (
        "spent by dataset (rolling 24 h): app_rankings_weekly 1 (+3 reserved), "
        "rankings_daily 3, unattributed 1"
    )
    # An expired reservation no longer counts, for the dataset either.
    later = ledger.usage(ACCOUNT, T0 + 700)
    assert later.by_dataset["app_rankings_weekly"] == (1, 0)


def test_a_reserved_slot_taken_without_a_dataset_keeps_the_reservations(ledger):
    ledger.reserve("run-a", KEY, ACCOUNT, 1, T0, ttl=600, dataset="rankings_daily")
    ledger.take(KEY, ACCOUNT, T0 + 1, holder="run-a")
    assert dict(ledger.usage(ACCOUNT, T0 + 2).by_dataset) == {"rankings_daily": (1, 0)}


def refusal(needed, used, kept, limit=500, next_free=T0 + 3600):
    return Refuse("day", needed, used, 0, limit, next_free, kept)


def test_the_day_refusal_names_the_slots_kept_for_the_schedules_and_the_rest_of_the_run():
    text = day_refusal(refusal(196, 290, 37), ACCOUNT, T0, for_schedules=27)
    assert text.startswith(
        "OpenRouter day budget cannot cover this run's 196 requests (account 'default'): "
        "290 of 500 requests used in the rolling 24 h, 210 remaining, of which 27 are kept for "
        "the scheduled runs and 10 for the rest of this run; enough slots free at "
    )
    assert text.endswith(". Nothing was sent.")
    only_schedules = day_refusal(refusal(196, 290, 27), ACCOUNT, T0, for_schedules=27)
    assert "210 remaining, of which 27 are kept for the scheduled runs; enough" in only_schedules
    only_run = day_refusal(refusal(196, 290, 10), ACCOUNT, T0)
    assert "210 remaining, of which 10 are kept for the rest of this run; enough" in only_run
    nothing_kept = day_refusal(refusal(196, 400, 0), ACCOUNT, T0)
    assert "100 remaining; enough slots free at" in nothing_kept and "kept" not in nothing_kept


def test_a_refusal_where_fewer_remain_than_are_kept_does_not_claim_them():
    text = day_refusal(refusal(5, 490, 27), ACCOUNT, T0, for_schedules=27)
    assert "10 remaining; 27 must stay free for the scheduled runs; enough slots free" in text
    never = day_refusal(refusal(480, 0, 27, next_free=None), ACCOUNT, T0, for_schedules=27)
    assert "its 480 and the 27 kept need more than the whole day budget of 500" in never
