"""Running one measured process: wall time, CPU time and peak RSS, from the kernel.

Every measured thing in the benchmark is its own process, reaped with ``os.wait4``, which
returns that process's own resource usage (``ru_maxrss``: its peak resident set, in KiB).

One catch: Linux carries the *parent's* resident set over into a child's ``ru_maxrss`` when the
child is forked from it (the high-water mark survives ``exec``), and this benchmark process
holds Dagster, pandas and the project (300+ MB). So the measured command is started by a tiny
launcher (``python -I -S`` running :data:`LAUNCHER`, about 10 MB), which spawns it, reaps it
with ``os.wait4`` and reports the numbers. Standard library only.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

#: The project checkout (``bench/`` sits in it).
ROOT = Path(__file__).resolve().parents[1]


#: Runs argv[2:], reaps it with wait4 and writes "exit wall cpu maxrss_kib started ended" to
#: argv[1]. Imports nothing beyond builtins, so its own footprint stays tiny.
LAUNCHER = """
import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
started = time.time()
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(out, "w") as f:
    f.write(f"{os.waitstatus_to_exitcode(status)} {wall!r} {usage.ru_utime + usage.ru_stime!r} "
            f"{usage.ru_maxrss} {started!r} {time.time()!r}")
"""


@dataclasses.dataclass
class Measured:
    label: str
    argv: list[str]
    returncode: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    started_at: float  # epoch seconds, to line up with Dagster's run timestamps
    ended_at: float
    log: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, chars: int = 3000) -> str:
        text = Path(self.log).read_text(errors="replace") if Path(self.log).exists() else ""
        return text[-chars:]

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "returncode": self.returncode,
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "log": self.log,
        }


class MeasuredProcessFailed(RuntimeError):
    def __init__(self, measured: Measured):
        super().__init__(
            f"{measured.label}: exit status {measured.returncode}\n"
            f"$ {' '.join(measured.argv)}\n{measured.tail()}"
        )
        self.measured = measured


def run_measured(
    label: str,
    argv: Sequence[str],
    *,
    env: dict[str, str],
    log_path: Path,
    cwd: Path = ROOT,
    check: bool = True,
) -> Measured:
    """Run ``argv`` to completion; its output goes to ``log_path``.

    ``argv[0]`` must be a path (the launcher does no ``PATH`` lookup).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    report = log_path.with_suffix(".usage")
    with open(log_path, "wb") as log:
        launcher = subprocess.run(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, str(report), *argv],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if launcher.returncode != 0 or not report.exists():
        raise RuntimeError(f"{label}: the launcher failed ({launcher.returncode}); see {log_path}")
    code, wall, cpu, maxrss, started_at, ended_at = report.read_text().split()
    measured = Measured(
        label=label,
        argv=list(argv),
        returncode=int(code),
        wall_s=float(wall),
        cpu_s=float(cpu),
        peak_rss_mb=int(maxrss) / 1024,  # Linux reports KiB
        started_at=float(started_at),
        ended_at=float(ended_at),
        log=str(log_path),
    )
    if check and not measured.ok:
        raise MeasuredProcessFailed(measured)
    return measured


#: The keys of the repository's dagster.yaml that select the batched event storage.
BATCHING_KEYS = ("instance_class", "backfill_daemon_interval_seconds")


def prepare_dagster_home(path: Path, *, stock: bool = False, **settings: object) -> Path:
    """A fresh ``DAGSTER_HOME`` holding the repository's ``dagster.yaml``.

    ``stock``: the same file without the batched event storage (Dagster as shipped, on the same
    SQLite layout). ``settings``: top-level keys to add, e.g. ``storage={"postgres": ...}``.
    """
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    if not stock and not settings:
        shutil.copy(ROOT / "dagster.yaml", path / "dagster.yaml")
        return path
    import yaml

    config = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    if stock:
        for key in BATCHING_KEYS:
            config.pop(key, None)
    config.update(settings)
    (path / "dagster.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def copy_tree(source: Path, target: Path) -> Path:
    """A private copy of an instance or warehouse, so every repetition starts the same."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()
