"""The app-rankings contract, as checks over one run's rankings (pure functions, no Dagster).

A week is ranked twice, ``popular`` and ``trending``, each by one request with ``offset=0``; a
check judges each (week, sort) ranking and reports per week (the partition), naming the sort.
The asset evaluates them on every week of its run before anything is written, so a response
that breaks the contract is refused whole and the UI names the failing weeks.

What the contract promises, and so what is checked:

- at most ``limit`` rows (100): the page asked for;
- ``rank`` is absolute and, from ``offset=0``, exactly 1..n in API order;
- an app appears at most once per ranking;
- ``popular`` is ordered by tokens, so tokens never increase down it. No order of ties is
  documented, so ties are not judged; ``trending`` is ordered by excess growth, which the
  response does not carry, so its order cannot be judged from it;
- ``popular`` fills its page when at least 100 apps had traffic: fewer rows is reported at WARN
  (an early week, or a filtered ranking, can honestly have fewer). ``trending`` omits apps with
  no excess growth, so fewer rows there is legal and not reported.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from itertools import pairwise

from rankings_etl.core.api_facts import APP_LIMIT_MAX
from rankings_etl.core.check_outcomes import ERROR, WARN, CheckOutcome, CheckSpec

POPULAR = "popular"

ROWS_AT_MOST_LIMIT = CheckSpec(
    "rows_at_most_limit",
    "Each week's popular and trending rankings have at most `limit` (100) rows.",
)
RANKS_ONE_TO_N = CheckSpec(
    "ranks_are_1_to_n",
    "Ranks of each week's ranking are exactly 1..n in API order (offset 0: ranks are absolute).",
)
NO_DUPLICATE_APPS = CheckSpec(
    "no_duplicate_apps", "No app_id appears twice in a week's popular or trending ranking."
)
POPULAR_TOKENS_ORDERED = CheckSpec(
    "popular_tokens_non_increasing",
    "Down a week's popular ranking, tokens never increase (ties are not judged).",
)
POPULAR_FULL_PAGE = CheckSpec(
    "popular_has_full_page",
    "A week's popular ranking has 100 rows (fewer: WARN; trending may legally return fewer).",
)

APP_CHECKS: tuple[CheckSpec, ...] = (
    ROWS_AT_MOST_LIMIT,
    RANKS_ONE_TO_N,
    NO_DUPLICATE_APPS,
    POPULAR_TOKENS_ORDERED,
    POPULAR_FULL_PAGE,
)


@dataclasses.dataclass(frozen=True)
class Ranking:
    """One (week, sort) ranking as the API returned it: rows in API order, as columns."""

    week_start: dt.date
    sort: str
    ranks: Sequence[int]
    app_ids: Sequence[int]
    total_tokens: Sequence[int]
    limit: int = APP_LIMIT_MAX

    @property
    def rows(self) -> int:
        return len(self.app_ids)


#: A judge looks at one ranking: None (it passes) or ``(severity, problem)``.
Judge = Callable[[Ranking], "tuple[str, str] | None"]


def evaluate_app_rankings(
    rankings: Sequence[Ranking], weeks: Sequence[dt.date] = ()
) -> list[CheckOutcome]:
    """Every check of :data:`APP_CHECKS` over ``rankings``, one outcome per check with a
    verdict per week (``weeks`` adds weeks to report even if no ranking names them)."""
    judges: tuple[tuple[CheckSpec, Judge], ...] = (
        (ROWS_AT_MOST_LIMIT, _rows_at_most_limit),
        (RANKS_ONE_TO_N, _ranks_one_to_n),
        (NO_DUPLICATE_APPS, _no_duplicate_apps),
        (POPULAR_TOKENS_ORDERED, _popular_tokens_ordered),
        (POPULAR_FULL_PAGE, _popular_full_page),
    )
    every_week = tuple(sorted({*weeks, *(r.week_start for r in rankings)}))
    return [_outcome(spec, rankings, judge, every_week) for spec, judge in judges]


def _outcome(
    spec: CheckSpec, rankings: Sequence[Ranking], judge: Judge, weeks: tuple[dt.date, ...]
) -> CheckOutcome:
    """``judge`` on each ranking, gathered per week: a week fails (or warns) with every sort's
    problem named, ``popular: ...; trending: ...``."""
    found: dict[str, dict[dt.date, list[str]]] = {ERROR: {}, WARN: {}}
    for ranking in rankings:
        verdict = judge(ranking)
        if verdict is not None:
            severity, problem = verdict
            found[severity].setdefault(ranking.week_start, []).append(f"{ranking.sort}: {problem}")
    errors = {week: "; ".join(problems) for week, problems in found[ERROR].items()}
    warnings = {week: "; ".join(problems) for week, problems in found[WARN].items()}
    return CheckOutcome(spec, len(weeks), errors, warnings, weeks)


def _rows_at_most_limit(ranking: Ranking):
    if ranking.rows <= ranking.limit:
        return None
    return ERROR, f"{ranking.rows} rows, more than the limit of {ranking.limit} asked for"


def _ranks_one_to_n(ranking: Ranking):
    for position, rank in enumerate(ranking.ranks, start=1):
        if rank != position:
            return ERROR, (
                f"row {position} has rank {rank}; from offset 0 the ranks are 1..{ranking.rows} "
                "in order"
            )
    return None


def _no_duplicate_apps(ranking: Ranking):
    seen: set[int] = set()
    for rank, app_id in zip(ranking.ranks, ranking.app_ids, strict=True):
        if app_id in seen:
            return ERROR, f"app_id {app_id} appears more than once (again at rank {rank})"
        seen.add(app_id)
    return None


def _popular_tokens_ordered(ranking: Ranking):
    if ranking.sort != POPULAR:
        return None
    pairs = pairwise(zip(ranking.ranks, ranking.total_tokens, strict=True))
    for (rank_a, tokens_a), (rank_b, tokens_b) in pairs:
        if tokens_b > tokens_a:
            return ERROR, (
                f"rank {rank_b} has more tokens ({tokens_b}) than rank {rank_a} ({tokens_a})"
            )
    return None


def _popular_full_page(ranking: Ranking):
    if ranking.sort != POPULAR or ranking.rows >= ranking.limit:
        return None
    return WARN, f"{ranking.rows} rows of the {ranking.limit} asked for"
