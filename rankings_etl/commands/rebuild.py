"""``rankings-etl rebuild START END``: re-materialize days from stored responses, offline."""

from __future__ import annotations

import datetime as dt
import os

import click

from rankings_etl.contract import FIRST_DATE, last_completed_day


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a YYYY-MM-DD date", param_hint=name) from None


@click.command()
@click.argument("start")
@click.argument("end")
def rebuild(start: str, end: str) -> None:
    """Re-materialize rankings_daily for START..END (inclusive) from raw_responses.

    Spends no API request: the response bodies stored by earlier runs are parsed and checked
    again exactly like fresh ones. The run is recorded in $DAGSTER_HOME's instance.
    """
    first, last = _date(start, "START"), _date(end, "END")
    if first > last:
        raise click.BadParameter(f"START {first} is after END {last}", param_hint="START")
    if first < FIRST_DATE or last > last_completed_day():
        raise click.BadParameter(
            f"the partitions run from {FIRST_DATE} to {last_completed_day()}",
            param_hint="START/END",
        )
    import dagster as dg

    from rankings_etl.datasets.rankings_daily.assets import rankings_daily
    from rankings_etl.definitions import resources
    from rankings_etl.orchestration.schedules import RANGE_END_TAG, RANGE_START_TAG
    from rankings_etl.resources.openrouter_client import OpenRouterClient

    run_resources = dict(resources)
    # The API is not called; don't require a key to be set for an offline rebuild.
    run_resources["openrouter"] = OpenRouterClient(api_key="")
    instance = dg.DagsterInstance.get() if os.getenv("DAGSTER_HOME") else None
    result = dg.materialize(
        [rankings_daily],
        instance=instance,
        resources=run_resources,
        run_config={"ops": {"rankings_daily": {"config": {"source": "raw_responses"}}}},
        tags={RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()},
        raise_on_error=False,
    )
    if not result.success:
        failure = next((e for e in result.all_events if e.event_type_value == "STEP_FAILURE"), None)
        message = failure.event_specific_data.error.message if failure else "the run failed"
        raise click.ClickException(f"rebuild of {first}..{last} failed: {message.strip()}")
    click.echo(f"rebuilt {first}..{last} from stored responses (run {result.run_id})")
