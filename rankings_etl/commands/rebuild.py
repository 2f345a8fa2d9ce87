"""``rankings-etl rebuild START END``: re-materialize days from stored responses, offline."""

from __future__ import annotations

import datetime as dt

import click

from rankings_etl.core.api_facts import FIRST_DATE
from rankings_etl.core.dates import last_completed_day, parse_iso_date


def _date(value: str, name: str) -> dt.date:
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from None


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

    from rankings_etl.core.run_tags import range_tags
    from rankings_etl.datasets.rankings_daily.assets import rankings_daily
    from rankings_etl.definitions import resources
    from rankings_etl.resources.openrouter_client import OpenRouterClient
    from rankings_etl.settings import dagster_home_is_set

    run_resources = dict(resources)
    # The API is not called; don't require a key to be set for an offline rebuild.
    run_resources["openrouter"] = OpenRouterClient(api_key="")
    instance = dg.DagsterInstance.get() if dagster_home_is_set() else None
    result = dg.materialize(
        [rankings_daily],
        instance=instance,
        resources=run_resources,
        run_config={"ops": {"rankings_daily": {"config": {"source": "raw_responses"}}}},
        tags=range_tags(first, last),
        raise_on_error=False,
    )
    if not result.success:
        failure = next((e for e in result.all_events if e.event_type_value == "STEP_FAILURE"), None)
        message = failure.event_specific_data.error.message if failure else "the run failed"
        raise click.ClickException(f"rebuild of {first}..{last} failed: {message.strip()}")
    click.echo(f"rebuilt {first}..{last} from stored responses (run {result.run_id})")
