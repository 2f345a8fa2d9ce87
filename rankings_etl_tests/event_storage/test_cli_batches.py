"""The README's own backfill command, with nothing exported, writes its events in batches.

It runs exactly as README.md shows it (``dagster asset materialize ... --partition-range``
over all history) in a DAGSTER_HOME holding the repository's dagster.yaml, as ``make dev`` and
``make demo`` prepare it. The storage's trace then shows how that process wrote its events.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from rankings_etl.core.api_facts import FIRST_DATE
from rankings_etl.core.dates import last_completed_day
from rankings_etl_tests.environment import project_env
from rankings_etl_tests.event_storage.trace import (
    MATERIALIZED,
    PLANNED,
    TRACE_ENV,
    Writes,
    assert_batched,
    read_trace,
)

ROOT = Path(__file__).resolve().parents[2]


def readme_backfill_command() -> list[str]:
    """The README's all-of-history command, its date range resolved as the shell would."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    pattern = r"(\.venv/bin/dagster asset materialize .*?--partition-range \S+)"
    match = re.search(pattern, text, re.S)
    assert match, "README.md no longer shows the backfill command"
    command = shlex.split(match.group(1).replace("\\\n", " "))
    command[0] = str(Path(sys.executable).parent / "dagster")
    range_index = command.index("--partition-range") + 1
    command[range_index] = f"{FIRST_DATE}...{last_completed_day()}"
    return command


def test_the_readme_backfill_writes_its_events_in_batches(sandbox, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    env = project_env(tmp_path, sandbox.base_url, "sk-or-v1-cli-batches-0123456789", home)
    env[TRACE_ENV] = str(tmp_path / "event_writes.jsonl")
    command = readme_backfill_command()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]

    assets = command[command.index("--select") + 1].split(",")
    days = (last_completed_day() - FIRST_DATE).days + 1
    writes = Writes(read_trace(tmp_path / "event_writes.jsonl"), "asset materialize")
    assert_batched(writes, PLANNED, days * len(assets))
    assert_batched(writes, MATERIALIZED, days * len(assets), groups=len(assets))
    assert sandbox.request_count() == 2
