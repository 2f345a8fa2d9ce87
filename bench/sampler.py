"""A wall-clock sampling profiler for a whole command: ``python -m bench.sampler``.

``python -m bench.sampler --out OUT.json [--interval 0.01] SCRIPT [ARGS...]`` runs the Python
script ``SCRIPT`` (e.g. the ``dagster`` console script) as ``__main__`` and, from a background
thread, records the main thread's Python stack every ``--interval`` seconds, whether it is
computing or waiting (on an fsync, a socket, a lock). At exit it writes, per function, how many
samples had it on the stack (cumulative) or as the innermost Python frame (self), plus self
samples by package.

Why not cProfile for the full-history backfill: cProfile instruments every call, which more
than doubles the CPU of Dagster's call-heavy event writing; that costs a separate run of
several minutes, and its time is CPU-biased while that run is mostly waiting on SQLite commits.
Sampling every 10 ms costs about one stack walk (tens of microseconds) per sample, so it rides
along with the measured runs themselves (the real run and its Dagster floor alike). Standard
library only.
"""

from __future__ import annotations

import argparse
import json
import runpy
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

#: Files whose functions only pass calls through (left out of the cumulative listing).
WRAPPERS = (
    "click/",
    "dagster/_cli/",
    "decorator_utils.py",
    "telemetry.py",
    "execution/api.py",
    "<frozen importlib",
    "<frozen runpy>",
    "runpy.py",
    "bench/sampler.py",
    "/bin/dagster",
)


class Sampler(threading.Thread):
    def __init__(self, target_thread: int, interval: float):
        super().__init__(name="bench-sampler", daemon=True)
        self.target_thread = target_thread
        self.interval = interval
        self.samples = 0
        self.sampled_s = 0.0
        self.self_counts: Counter = Counter()  # seconds, despite the name
        self.cumulative: Counter = Counter()
        self.halt = threading.Event()

    def run(self) -> None:
        # Each sample stands for the wall time since the previous one: the thread does not
        # always wake on time (it needs the GIL), and weighting keeps the totals honest.
        frames = sys._current_frames
        clock = time.perf_counter
        last = clock()
        while not self.halt.wait(self.interval):
            now = clock()
            weight, last = now - last, now
            frame = frames().get(self.target_thread)
            if frame is None:
                continue
            self.samples += 1
            self.sampled_s += weight
            self.self_counts[frame.f_code] += weight
            seen = set()
            while frame is not None:
                code = frame.f_code
                if code not in seen:
                    seen.add(code)
                    self.cumulative[code] += weight
                frame = frame.f_back

    def report(self, top: int = 15) -> dict[str, Any]:
        from bench.profiles import BUCKETS

        def where(code) -> str:
            parts = Path(code.co_filename).parts
            for anchor in ("site-packages", "main"):
                if anchor in parts:
                    parts = parts[parts.index(anchor) + 1 :]
                    break
            else:
                parts = parts[-2:]
            return f"{'/'.join(parts)}:{code.co_firstlineno}({code.co_name})"

        def bucket(code) -> str:
            for label, markers in BUCKETS:
                if any(marker in code.co_filename for marker in markers):
                    return label
            return BUCKETS[-1][0]

        total = max(self.sampled_s, 1e-9)

        def rows(counter: Counter, keep=lambda code: True) -> list[dict[str, Any]]:
            ranked = [(code, n) for code, n in counter.most_common() if keep(code)][:top]
            return [
                {
                    "function": where(code),
                    "self_s": round(self.self_counts[code], 2),
                    "cumulative_s": round(self.cumulative[code], 2),
                }
                for code, _ in ranked
            ]

        packages: Counter = Counter()
        for code, seconds in self.self_counts.items():
            packages[bucket(code)] += seconds
        return {
            "samples": self.samples,
            "interval_s": self.interval,
            "sampled_s": round(self.sampled_s, 2),
            "by_package": [
                {"package": label, "self_s": round(n, 2), "share": round(n / total, 3)}
                for label, n in packages.most_common()
            ],
            # The chains of wrappers the samples pass through (the CLI, click, execute_job, the
            # import system) say nothing by themselves: they are left out of this listing.
            "by_cumulative": rows(
                self.cumulative, lambda c: not any(w in c.co_filename for w in WRAPPERS)
            ),
            "by_self": rows(self.self_counts),
            "ours": rows(
                self.cumulative,
                lambda code: (
                    "rankings_etl" in code.co_filename and "/sandbox/" not in code.co_filename
                ),
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sampler")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--interval", type=float, default=0.01)
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    sampler = Sampler(threading.main_thread().ident, options.interval)
    sys.argv = [options.script, *options.args]
    started = time.perf_counter()
    sampler.start()
    try:
        runpy.run_path(options.script, run_name="__main__")
    finally:
        sampler.halt.set()
        sampler.join()
        report = sampler.report()
        report["wall_s"] = round(time.perf_counter() - started, 2)
        options.out.write_text(json.dumps(report))


if __name__ == "__main__":
    main()
