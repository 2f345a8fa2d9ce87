"""What a finished Dagster run recorded: its phases, steps and events, read from its instance.

Read after the run's process exited, from the run's ``DAGSTER_HOME``, so reading costs the
measured process nothing. Phases line the process's wall clock up with the run's events:

- ``startup``: process start to the run's first event (imports, loading the code location,
  building the job);
- ``run_creation``: first event to ``RUN_START`` (storing the run and its "materialization
  planned" events, one per partition per asset);
- ``execution``: ``RUN_START`` to ``RUN_SUCCESS`` (the steps);
- ``exit``: the rest, until the process ended.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any


def latest_run(home: Path, process_started: float, process_ended: float) -> dict[str, Any]:
    import dagster as dg

    # RUN_START and friends keep their historical PIPELINE_* values in the event log.
    START = dg.DagsterEventType.RUN_START.value
    SUCCESS = dg.DagsterEventType.RUN_SUCCESS.value
    FAILURE = dg.DagsterEventType.RUN_FAILURE.value

    instance = dg.DagsterInstance.from_config(str(home))
    try:
        records = instance.get_run_records(limit=1)
        if not records:
            raise RuntimeError(f"no run in {home}")
        run = records[0].dagster_run
        events = instance.all_logs(run.run_id)
        steps = instance.get_run_step_stats(run.run_id)
    finally:
        instance.dispose()
    types = Counter(e.dagster_event.event_type_value for e in events if e.is_dagster_event)
    # What the event log stores per event is its serialized form: metadata makes it grow.
    materialization_bytes = [
        len(dg.serialize_value(e))
        for e in events
        if e.is_dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
    ]
    stamps = {}
    for event in events:
        if event.is_dagster_event and event.dagster_event.event_type_value in (
            START,
            SUCCESS,
            FAILURE,
        ):
            stamps[event.dagster_event.event_type_value] = event.timestamp
    first = min(e.timestamp for e in events)
    start = stamps.get(START, first)
    end = stamps.get(SUCCESS) or stamps.get(FAILURE) or max(e.timestamp for e in events)
    return {
        "run_id": run.run_id,
        "status": str(run.status.value),
        "job": run.job_name,
        "tags": {k: v for k, v in run.tags.items() if "partition" in k},
        "events": len(events),
        "event_types": dict(sorted(types.items())),
        "materialization_event_bytes": sum(materialization_bytes),
        "phases": {
            "startup": round(first - process_started, 3),
            "run_creation": round(start - first, 3),
            "execution": round(end - start, 3),
            "exit": round(process_ended - end, 3),
        },
        "steps": {
            step.step_key: round((step.end_time or 0) - (step.start_time or 0), 3)
            for step in sorted(steps, key=lambda s: s.start_time or 0)
        },
    }
