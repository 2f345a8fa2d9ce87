"""Summaries of cProfile output: top functions, and where self time goes by package."""

from __future__ import annotations

import pstats
from pathlib import Path
from typing import Any

#: Self time is attributed to the first bucket whose marker appears in the function's file
#: (or, for C functions, in their description).
BUCKETS = (
    ("sqlite3 (Dagster's event log and run storage, the budget ledger)", ("sqlite3",)),
    (
        "sqlalchemy (Dagster's storage layer; with sampling, also the sqlite3 calls beneath it)",
        ("sqlalchemy",),
    ),
    ("duckdb (our SQL)", ("duckdb",)),
    ("rankings_etl (our code)", ("rankings_etl",)),
    ("pandas / numpy", ("pandas", "numpy")),
    ("httpx / httpcore / h11", ("httpx", "httpcore", "h11")),
    ("dagster", ("dagster",)),
    ("pydantic", ("pydantic",)),
    ("import machinery", ("<frozen importlib", "marshal", "_imp.")),
    ("other Python stdlib / builtins", ("",)),
)


def _where(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    parts = Path(filename).parts
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1 :]
    elif "main" in parts:
        parts = parts[parts.index("main") + 1 :]
    else:
        parts = parts[-2:]
    return f"{'/'.join(parts)}:{line}({name})"


def _bucket(func: tuple[str, int, str]) -> str:
    filename, _, name = func
    text = name if filename == "~" else filename
    for label, markers in BUCKETS:
        if any(marker in text for marker in markers):
            return label
    return BUCKETS[-1][0]


def summarize(path: Path, top: int = 15) -> dict[str, Any]:
    stats = pstats.Stats(str(path))
    entries = stats.stats  # {func: (cc, nc, tottime, cumtime, callers)}
    total = sum(tottime for _, _, tottime, _, _ in entries.values())

    def ranked(index: int) -> list[dict[str, Any]]:
        rows = sorted(entries.items(), key=lambda item: item[1][index], reverse=True)[:top]
        return [
            {
                "function": _where(func),
                "calls": calls,
                "tottime_s": round(tottime, 3),
                "cumtime_s": round(cumtime, 3),
            }
            for func, (_, calls, tottime, cumtime, _) in rows
        ]

    buckets: dict[str, float] = {}
    for func, (_, _, tottime, _, _) in entries.items():
        label = _bucket(func)
        buckets[label] = buckets.get(label, 0.0) + tottime
    return {
        "profiled_s": round(total, 3),
        "by_package": [
            {"package": label, "self_s": round(seconds, 3), "share": round(seconds / total, 3)}
            for label, seconds in sorted(buckets.items(), key=lambda kv: kv[1], reverse=True)
        ],
        "by_cumulative": ranked(3),
        "by_self": ranked(2),
    }


def our_functions(path: Path, top: int = 12) -> list[dict[str, Any]]:
    """The project's own functions by cumulative time (what is ours to optimise)."""
    stats = pstats.Stats(str(path))
    rows = [
        (func, values)
        for func, values in stats.stats.items()
        if "rankings_etl" in func[0] and "/sandbox/" not in func[0]
    ]
    rows.sort(key=lambda item: item[1][3], reverse=True)
    return [
        {
            "function": _where(func),
            "calls": calls,
            "tottime_s": round(tottime, 3),
            "cumtime_s": round(cumtime, 3),
        }
        for func, (_, calls, tottime, cumtime, _) in rows[:top]
    ]
