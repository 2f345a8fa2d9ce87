"""``make screenshots``: the README's pictures, taken from a real browser against a real UI.

Starts the sandbox and ``dagster dev`` in a throw-away DAGSTER_HOME and warehouse, launches a
backfill of the whole group over all history through the webserver's GraphQL API (as the UI's
button does: the daily assets in one run, the chart and the export after), waits for it, then
points headless Chromium (Debian's ``chromium`` package) at the lineage graph, one day's
partition page, the checks, market_daily's plots, the chart asset and the backfill, saving
PNGs under ``docs/img/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_env import ROOT, dagster_dev, free_port, sandbox  # noqa: E402

OUT = ROOT / "docs" / "img"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1600,1000",
    "--virtual-time-budget=20000",
]
LAUNCH = """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""
BACKFILLS = """{ partitionBackfillsOrError(limit: 1) { ... on PartitionBackfills {
  results { id } } } }"""
LATEST_RUN = """{ runsOrError(limit: 1) { ... on Runs { results { runId } } } }"""
STATUS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
  ... on PartitionBackfill { status } } }"""


def graphql(url: str, query: str, variables: dict) -> dict:
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, timeout=60
    )
    response.raise_for_status()
    return response.json()["data"]


def screenshot(chromium: str, url: str, target: Path) -> None:
    profile = tempfile.mkdtemp(prefix="chromium-")
    subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={target}", url],
        check=True,
        capture_output=True,
        timeout=300,
    )
    shutil.rmtree(profile, ignore_errors=True)
    print(f"saved {target.relative_to(ROOT)}")


def clicked_screenshot(chromium: str, url: str, label: str, target: Path) -> None:
    """Load ``url``, click the first button or link whose text is ``label`` (the metadata
    table's *Plots* toggle, *[Show Markdown]*), then save the page: through the DevTools
    protocol, which ``--screenshot`` cannot do."""
    import base64
    import json

    import websocket  # websocket-client, a dependency of the Docker tooling in the dev extra

    port = free_port()
    profile = tempfile.mkdtemp(prefix="chromium-")
    browser = subprocess.Popen(
        [
            chromium,
            *CHROMIUM_FLAGS[:-1],
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            "--remote-allow-origins=http://127.0.0.1",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                pages = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                page = next(p for p in pages if p["type"] == "page")
                break
            except (httpx.HTTPError, StopIteration):
                if time.monotonic() > deadline:
                    raise SystemExit("chromium's DevTools did not answer") from None
                time.sleep(0.5)
        ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        ids = iter(range(1, 1000))

        def call(method, **params):
            number = next(ids)
            ws.send(json.dumps({"id": number, "method": method, "params": params}))
            while True:
                message = json.loads(ws.recv())
                if message.get("id") == number:
                    return message.get("result", {})

        call(
            "Emulation.setDeviceMetricsOverride",
            width=1600,
            height=1000,
            deviceScaleFactor=1,
            mobile=False,
        )
        call("Page.navigate", url=url)
        click = (
            "(() => { const el = [...document.querySelectorAll('button, a, span, div')]"
            f".find(e => e.childElementCount === 0 && e.textContent.trim() === {label!r});"
            " if (!el) return false; el.click();"
            " let box = el.parentElement;"  # scroll the page's inner scroll area to it
            " while (box && !(box.scrollHeight > box.clientHeight + 10"
            " && getComputedStyle(box).overflowY !== 'visible')) box = box.parentElement;"
            " if (box) box.scrollTop += el.getBoundingClientRect().top - 160;"
            " return true; })()"
        )
        deadline = time.monotonic() + 60
        while (
            not call("Runtime.evaluate", expression=click, returnByValue=True)
            .get("result", {})
            .get("value")
        ):
            if time.monotonic() > deadline:
                raise SystemExit(f"no {label!r} to click on {url}")
            time.sleep(1)
        time.sleep(4)  # let the plots or the dialog render
        shot = call("Page.captureScreenshot", format="png")
        target.write_bytes(base64.b64decode(shot["data"]))
        ws.close()
    finally:
        browser.terminate()
        browser.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)
    print(f"saved {target.relative_to(ROOT)}")


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("needs Debian's chromium: apt-get install -y chromium")
    # RANKINGS_SCREENSHOTS_WORK=DIR reuses a work directory an earlier run left (its instance
    # and warehouse), to retake the pictures without another full backfill.
    reuse = os.getenv("RANKINGS_SCREENSHOTS_WORK")
    work = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="rankings-shots-"))
    home = work / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    OUT.mkdir(parents=True, exist_ok=True)
    sandbox_port = free_port()
    with sandbox(sandbox_port, work / "sandbox.log") as base_url:
        env = {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "OPENROUTER_BASE_URL": base_url,
            "OPENROUTER_API_KEY": "sk-or-screenshots-key",
            "RANKINGS_DUCKDB_PATH": str(work / "rankings.duckdb"),
            "RANKINGS_BUDGET_DB": str(work / "budget.sqlite"),
            "RANKINGS_EXPORT_DIR": str(work / "exports"),
            "PYTHONWARNINGS": "ignore",
        }
        with dagster_dev(env, work / "dagster_dev.log") as url:
            if reuse:
                backfill_id = graphql(url, BACKFILLS, {})["partitionBackfillsOrError"]["results"][
                    0
                ]["id"]
            else:
                nodes = graphql(url, "{ assetNodes { assetKey { path } groupName } }", {})
                group = [
                    node["assetKey"]
                    for node in nodes["assetNodes"]
                    if node["groupName"] == "openrouter"
                ]
                launched = graphql(
                    url, LAUNCH, {"p": {"assetSelection": group, "allPartitions": True}}
                )
                backfill_id = launched["launchPartitionBackfill"]["backfillId"]
                print(f"backfill {backfill_id} launched; waiting ...", flush=True)
            while (
                graphql(url, STATUS, {"id": backfill_id})["partitionBackfillOrError"]["status"]
                == "REQUESTED"
            ):
                time.sleep(3)
            # The first-visit "join the community" dialog would cover every picture.
            graphql(url, "mutation { setNuxSeen }", {})
            shutil.copy(work / "exports" / "top_models_share.png", OUT / "top_models_share.png")
            day = "2025-03-15"
            shots = {
                "lineage.png": "/asset-groups/openrouter",
                "partition_day.png": f"/assets/rankings_daily?view=partitions&partition={day}",
                "checks.png": "/assets/rankings_daily?view=checks",
                "chart_asset.png": "/assets/top_models_chart",
                "backfill.png": f"/runs/b/{backfill_id}",
            }
            for name, page in shots.items():
                screenshot(chromium, url + page, OUT / name)
            # Each day's figures, plotted across the partitions: the metadata's Plots toggle.
            clicked_screenshot(
                chromium, f"{url}/assets/market_daily", "Plots", OUT / "market_plots.png"
            )
            clicked_screenshot(
                chromium,
                f"{url}/assets/top_models_chart",
                "[Show Markdown]",
                OUT / "chart_dialog.png",
            )
            # Last, a run the contract refuses: its page must say why in one line.
            from rankings_etl.sandbox.testing import SandboxHandle

            SandboxHandle(sandbox_port).inject("other_duplicated", date=day)
            refused = graphql(
                url,
                LAUNCH,
                {"p": {"assetSelection": [{"path": ["rankings_daily"]}], "partitionNames": [day]}},
            )["launchPartitionBackfill"]["backfillId"]
            while (
                graphql(url, STATUS, {"id": refused})["partitionBackfillOrError"]["status"]
                == "REQUESTED"
            ):
                time.sleep(3)
            (run,) = graphql(url, LATEST_RUN, {})["runsOrError"]["results"]
            screenshot(chromium, f"{url}/runs/{run['runId']}", OUT / "refused_run.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
