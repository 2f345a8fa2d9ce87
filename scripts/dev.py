"""``make dev``: the Dagster UI and daemon, against the sandbox unless a real key says otherwise."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_env import ROOT, point_at, prepare_dagster_home, sandbox, wants_real_api  # noqa: E402

from rankings_etl.settings import Settings  # noqa: E402


def main() -> int:
    home = prepare_dagster_home()
    port = int(os.getenv("SANDBOX_PORT", "8787"))
    with contextlib.ExitStack() as stack:
        if wants_real_api():
            print("Using the real OpenRouter API (OPENROUTER_API_KEY is set).")
        else:
            base_url = stack.enter_context(sandbox(port, ROOT / "data" / "sandbox.log"))
            point_at(base_url)
            print(
                f"Using the offline sandbox at {base_url} (set OPENROUTER_API_KEY for real data)."
            )
        print(f"DAGSTER_HOME={home}; warehouse: {Settings.from_env().duckdb_path}")
        command = [str(Path(sys.executable).parent / "dagster"), "dev", "-w", "workspace.yaml"]
        try:
            return subprocess.call(command, cwd=ROOT)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
