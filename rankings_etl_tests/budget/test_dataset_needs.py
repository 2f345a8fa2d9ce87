"""The day budget across datasets, through real parts: a Dagster run of a fetching asset, the
one client, the sandbox on loopback and a preloaded SQLite ledger.

A manual run (or backfill) must leave the schedules' slots free (``keep_for_schedules``) and
whatever the run's later steps will send (``also_needed``), and is refused before anything is
sent when it cannot; a run a schedule launched is not charged the schedules' slots.
"""

import datetime as dt
import sqlite3

import dagster as dg
import pytest

from rankings_etl.budget import Limits, open_ledger
from rankings_etl.core.errors import BudgetExhaustedError
from rankings_etl.core.keys import key_fingerprint
from rankings_etl.core.windows import Window
from rankings_etl.datasets.rankings_daily.dataset import parse, request_for
from rankings_etl.resources.openrouter_client import OpenRouterClient
from rankings_etl.resources.rate_budget import RateBudget

from .conftest import API_KEY, held_slots, sent_slots

FP = key_fingerprint(API_KEY)
#: The cost of a full app-rankings backfill (98 weeks x 2 sorts) and of the schedules' ticks.
BACKFILL, KEEP = 196, 27
#: Slots already spent today by other datasets (290 + 196 + 27 = 513 > 500; 290 + 196 fits).
PRELOADED = 290
REQUESTS = [
    request_for(Window(day, day))
    for day in (dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(BACKFILL))
]


class FetchConfig(dg.Config):
    also_needed: int = 0


@dg.asset
def many_requests(openrouter: OpenRouterClient, config: FetchConfig) -> dg.MaterializeResult:
    """A fetch asset as the datasets' factory builds one: its requests, one client call."""
    fetched = list(openrouter.fetch(REQUESTS, parse, also_needed=config.also_needed))
    return dg.MaterializeResult(
        metadata={"responses": len(fetched), **openrouter.budget_metadata()}
    )


@pytest.fixture
def preloaded(budget_db):
    """A ledger that already counts 290 requests of the last 24 h, one a minute: 280 by
    rankings_segments_daily, 8 by rankings_daily and 2 unattributed (sent before schema v2)."""
    ledger = open_ledger(str(budget_db), Limits(per_minute=30, per_day=500))
    now = ledger.clock()
    ledger.usage("default", now)  # creates the ledger; the rows go in as its takes write them
    datasets = ["rankings_segments_daily"] * 280 + ["rankings_daily"] * 8 + [None] * 2
    rows = [(now - (PRELOADED - i) * 60.0, FP, dataset, 200) for i, dataset in enumerate(datasets)]
    with sqlite3.connect(budget_db) as con:
        con.executemany(
            "INSERT INTO slots (at, state, key_fp, account, dataset, status)"
            " VALUES (?, 'sent', ?, 'default', ?, ?)",
            [(at, fp, dataset, status) for at, fp, dataset, status in rows],
        )
    con.close()
    assert ledger.usage("default", now).day_sent == PRELOADED
    return budget_db


@pytest.fixture
def resources(sandbox, preloaded):
    budget = RateBudget(
        database=str(preloaded), per_minute=1000, per_day=500, keep_for_schedules=KEEP
    )
    client = OpenRouterClient(api_key=API_KEY, base_url=sandbox.base_url, budget=budget)
    return {"openrouter": client}


def run(resources, instance, tags=None, also_needed=0):
    return dg.materialize(
        [many_requests],
        resources=resources,
        instance=instance,
        tags=tags,
        run_config={"ops": {"many_requests": {"config": {"also_needed": also_needed}}}},
        raise_on_error=False,
    )


def failure_text(result):
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    return failure.event_specific_data.error.to_string()


def test_a_backfill_that_would_eat_the_schedules_slots_is_refused_before_sending(
    sandbox, resources, instance, preloaded
):
    result = run(resources, instance)
    assert not result.success
    message = failure_text(result)
    assert (
        f"OpenRouter day budget cannot cover this run's {BACKFILL} requests (account "
        f"'default'): {PRELOADED} of 500 requests used in the rolling 24 h, 210 remaining, of "
        f"which {KEEP} are kept for the scheduled runs; enough slots free at "
    ) in message
    assert "Nothing was sent." in message and API_KEY not in message
    assert sandbox.request_count() == 0
    assert len(sent_slots(preloaded)) == PRELOADED and held_slots(preloaded) == 0


def test_the_refusal_names_what_the_rest_of_the_run_needs_too(sandbox, resources, instance):
    result = run(resources, instance, also_needed=10)
    assert not result.success
    assert (
        f"210 remaining, of which {KEEP} are kept for the scheduled runs and 10 for the rest of "
        "this run; enough slots free at "
    ) in failure_text(result)
    assert sandbox.request_count() == 0


def test_a_run_launched_by_a_schedule_is_not_charged_the_schedules_slots(
    sandbox, resources, instance, preloaded
):
    tags = {"dagster/schedule_name": "weekly_rankings_schedule"}
    result = run(resources, instance, tags=tags)
    assert result.success, failure_text(result)
    assert sandbox.request_count() == BACKFILL
    assert sandbox.request_count(status=200) == BACKFILL
    (materialization,) = result.asset_materializations_for_node("many_requests")
    metadata = {key: value.value for key, value in materialization.metadata.items()}
    assert metadata["responses"] == BACKFILL
    assert metadata["budget_requests_spent"] == BACKFILL
    assert metadata["budget_used_today"] == PRELOADED + BACKFILL
    ledger = open_ledger(str(preloaded), Limits(30, 500))
    usage = ledger.usage("default", ledger.clock())
    assert dict(usage.by_dataset) == {
        "rankings_segments_daily": (280, 0),
        "rankings_daily": (8 + BACKFILL, 0),
        None: (2, 0),
    }
    assert held_slots(preloaded) == 0


def test_the_client_outside_dagster_is_charged_the_schedules_slots_too(
    sandbox, resources, preloaded
):
    client = resources["openrouter"]
    with pytest.raises(BudgetExhaustedError, match=f"of which {KEEP} are kept for the sched"):
        list(client.fetch(REQUESTS, parse))
    assert sandbox.request_count() == 0
    # The arithmetic at the edge: 290 used + 1 + 182 + 27 kept = 500 fits, one more does not.
    with pytest.raises(BudgetExhaustedError, match="and 183 for the rest of this run"):
        list(client.fetch(REQUESTS[:1], parse, also_needed=183))
    assert sandbox.request_count() == 0
    assert len(list(client.fetch(REQUESTS[:1], parse, also_needed=182))) == 1
    assert sandbox.request_count() == 1
    assert len(sent_slots(preloaded)) == PRELOADED + 1 and held_slots(preloaded) == 0
