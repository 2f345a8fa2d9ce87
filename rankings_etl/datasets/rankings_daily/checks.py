"""Every check of the rankings_daily dataset: the rankings-daily contract, as checks over one
run's rows (pure functions, no Dagster), and the derived tables' checks (SQL in ``sql/``).

The asset evaluates these over *every* date of its run at once, on the rows it is about to
write, so a response that breaks the contract is refused before it reaches the warehouse and
the UI names the failing dates. One day shape is legal but unusual: a day with no model beyond
the top 50 comes with 50 ranked rows and no ``other`` row; the ``other`` and row-count checks
report it at WARN and the day is loaded.

What the tables downstream need is checked here too, so no day is written to
``rankings_daily`` that ``model_share_daily`` or ``market_daily`` would then refuse: no row
with zero tokens (the API drops such models before ranking, and a day of zeros has no shares),
and a day's tokens summing to what ``market_daily.total_tokens`` (BIGINT) holds.

A re-fetch of loaded days is compared with the rows it replaces: a response generated before
them (an older ``meta.as_of``: a stale cache or a replay) is refused; a revision far beyond
the contract's "well under 0.1 %" is loaded (the old numbers stay in
``rankings_restatements``) and reported at WARN, never silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from itertools import groupby, pairwise

from rankings_etl.core.api_facts import BIGINT_MAX, OTHER, TOP_N
from rankings_etl.core.check_outcomes import ERROR, WARN, CheckOutcome, CheckSpec, outcome
from rankings_etl.warehouse.table_spec import TableCheck

ONE_OTHER = CheckSpec(
    "one_other_per_date",
    "Exactly one aggregated `other` row per date (none on a tail-less day: WARN).",
)
OTHER_LAST = CheckSpec(
    "other_is_last", "The `other` row is the last row of its date, as the API pins it."
)
ROWS_PER_DATE = CheckSpec(
    "rows_per_date",
    "51 rows per date: the top 50 models plus `other` (50 on a tail-less day: WARN).",
)
RANKS_CONTIGUOUS = CheckSpec(
    "ranks_unique_and_contiguous", "Ranks of each date are exactly 1..n with n at most 50."
)
TOKENS_ORDERED = CheckSpec(
    "tokens_non_increasing",
    "Within a date, tokens never increase down the ranking; ties are in permaslug order.",
)
NO_DUPLICATES = CheckSpec("no_duplicate_models", "No (date, model_permaslug) appears twice.")
NO_ZERO_TOKENS = CheckSpec(
    "no_zero_token_rows",
    "Every row has tokens: the API drops zero-token models before ranking and omits `other` "
    "when nothing is beyond the top 50.",
)
DAY_TOTAL_FITS = CheckSpec(
    "day_total_fits_bigint",
    "A day's tokens sum to at most 2^63-1, what market_daily.total_tokens (BIGINT) holds.",
)
RESTATEMENTS = CheckSpec(
    "restatements_plausible",
    "A re-fetch of a loaded day is not older than the rows it replaces (ERROR), and revises "
    "no model nor the day's total by more than 1 % (WARN; the contract: well under 0.1 %).",
)

RANKINGS_CHECKS: tuple[CheckSpec, ...] = (
    ONE_OTHER,
    OTHER_LAST,
    ROWS_PER_DATE,
    RANKS_CONTIGUOUS,
    TOKENS_ORDERED,
    NO_DUPLICATES,
    NO_ZERO_TOKENS,
    DAY_TOTAL_FITS,
    RESTATEMENTS,
)

#: A revision beyond this fraction of a model's or a day's tokens is reported at WARN: ten
#: times the contract's "well under 0.1 %", so honest late revisions never trip it.
RESTATEMENT_WARN_FRACTION = 0.01

#: A row already in ``rankings_daily``: (date, model_permaslug, total_tokens).
LoadedRow = tuple[dt.date, str, int]


@dataclasses.dataclass(frozen=True)
class _Day:
    date: dt.date
    slugs: list[str]
    tokens: list[int]
    ranks: list[int | None]

    @property
    def other_positions(self) -> list[int]:
        return [i for i, slug in enumerate(self.slugs) if slug == OTHER]

    @property
    def ranked(self) -> int:
        return len(self.slugs) - len(self.other_positions)

    @property
    def tailless(self) -> bool:
        """The one legal exception: 50 ranked models and no ``other`` row."""
        return not self.other_positions and self.ranked == TOP_N


def evaluate_rankings_contract(
    dates: Sequence[dt.date],
    permaslugs: Sequence[str],
    total_tokens: Sequence[int],
    ranks: Sequence[int | None],
    *,
    as_of: Sequence[dt.datetime] | None = None,
    loaded: Sequence[LoadedRow] = (),
    loaded_as_of: Mapping[dt.date, dt.datetime] | None = None,
) -> list[CheckOutcome]:
    """Evaluate every check of :data:`RANKINGS_CHECKS` over rows given in API order (grouped
    by date).

    ``as_of`` (each row's response's ``meta.as_of``), ``loaded`` (the rows of these dates
    already in the warehouse) and ``loaded_as_of`` (each loaded day's newest ``as_of``) feed
    the restatement check; without them it has nothing to compare and passes.
    """
    rows = zip(dates, permaslugs, total_tokens, ranks, strict=True)
    days = []
    for day, group in groupby(rows, key=lambda row: row[0]):
        _, slugs, tokens, day_ranks = zip(*group, strict=True)
        days.append(_Day(day, list(slugs), list(tokens), list(day_ranks)))
    outcomes = [
        outcome(spec, days, judge)
        for spec, judge in (
            (ONE_OTHER, _one_other),
            (OTHER_LAST, _other_last),
            (ROWS_PER_DATE, _rows_per_date),
            (RANKS_CONTIGUOUS, _ranks_contiguous),
            (TOKENS_ORDERED, _tokens_ordered),
            (NO_DUPLICATES, _no_duplicates),
            (NO_ZERO_TOKENS, _no_zero_tokens),
            (DAY_TOTAL_FITS, _day_total_fits),
        )
    ]
    outcomes.append(_restatements(days, dates, as_of, loaded, loaded_as_of or {}))
    return outcomes


def _one_other(day: _Day):
    count = len(day.other_positions)
    if count == 1:
        return None
    if day.tailless:
        return WARN, "no `other` row (50 ranked models: a day with no tail)"
    return ERROR, f"{count} `other` rows beside {day.ranked} ranked models"


def _other_last(day: _Day):
    positions = day.other_positions
    if not positions:
        return WARN, "no `other` row to place"
    last = len(day.slugs) - 1
    misplaced = [p for p in positions if p != last]
    if misplaced:
        return ERROR, f"`other` at position {misplaced[0] + 1} of {len(day.slugs)}"
    return None


def _rows_per_date(day: _Day):
    rows = len(day.slugs)
    if rows == TOP_N + 1:
        return None
    if day.tailless:
        return WARN, f"{rows} rows (no tail)"
    return ERROR, f"{rows} rows ({day.ranked} ranked + {len(day.other_positions)} `other`)"


def _ranks_contiguous(day: _Day):
    ranks = [r for slug, r in zip(day.slugs, day.ranks, strict=True) if slug != OTHER]
    if any(r is None for r in ranks):
        return ERROR, "a ranked model has no rank"
    expected = list(range(1, len(ranks) + 1))
    if sorted(ranks) != expected:
        return ERROR, f"ranks are not 1..{len(ranks)}"
    if len(ranks) > TOP_N:
        return ERROR, f"ranks run to {len(ranks)}, beyond the top {TOP_N}"
    if any(r is not None for slug, r in zip(day.slugs, day.ranks, strict=True) if slug == OTHER):
        return ERROR, "the `other` row carries a rank"
    return None


def _tokens_ordered(day: _Day):
    ranked = [(s, t) for s, t in zip(day.slugs, day.tokens, strict=True) if s != OTHER]
    for position, ((slug_a, tok_a), (slug_b, tok_b)) in enumerate(pairwise(ranked), start=1):
        if tok_b > tok_a:
            return ERROR, f"rank {position + 1} has more tokens ({tok_b}) than rank {position}"
        if tok_b == tok_a and slug_b < slug_a:
            return ERROR, f"tie at rank {position} is not in permaslug order"
    return None


def _no_duplicates(day: _Day):
    seen: set[str] = set()
    for slug in day.slugs:
        if slug in seen:
            return ERROR, f"{slug[:60]!r} appears more than once"
        seen.add(slug)
    return None


def _no_zero_tokens(day: _Day):
    zeros = [slug for slug, tokens in zip(day.slugs, day.tokens, strict=True) if tokens == 0]
    if not zeros:
        return None
    names = ", ".join(repr(slug[:60]) for slug in zeros[:3])
    more = f" and {len(zeros) - 3} more" if len(zeros) > 3 else ""
    return ERROR, f"{len(zeros)} row(s) with 0 tokens ({names}{more})"


def _day_total_fits(day: _Day):
    total = sum(day.tokens)
    if total <= BIGINT_MAX:
        return None
    return ERROR, f"the day's tokens sum to {total:,}, beyond BIGINT's {BIGINT_MAX:,}"


def _restatements(
    days: list[_Day],
    dates: Sequence[dt.date],
    as_of: Sequence[dt.datetime] | None,
    loaded: Sequence[LoadedRow],
    old_as_of: Mapping[dt.date, dt.datetime],
) -> CheckOutcome:
    errors: dict[dt.date, str] = {}
    warnings: dict[dt.date, str] = {}
    if as_of is None or not loaded:
        return CheckOutcome(RESTATEMENTS, len(days), errors, warnings, tuple(d.date for d in days))
    new_as_of: dict[dt.date, dt.datetime] = {}
    for day, moment in zip(dates, as_of, strict=True):
        if day not in new_as_of or moment > new_as_of[day]:
            new_as_of[day] = moment
    old: dict[dt.date, dict[str, int]] = {}
    for day, slug, tokens in loaded:
        old.setdefault(day, {})[slug] = tokens
    for day in days:
        before = old.get(day.date)
        if not before:
            continue
        if day.date in old_as_of and new_as_of[day.date] < old_as_of[day.date]:
            errors[day.date] = (
                f"the response was generated at {_instant(new_as_of[day.date])}, before the "
                f"loaded rows it would replace ({_instant(old_as_of[day.date])}): a stale answer "
                "cannot revise newer data"
            )
            continue
        day_change = _change(sum(before.values()), sum(day.tokens))
        changes = [
            _change(before[slug], tokens)
            for slug, tokens in zip(day.slugs, day.tokens, strict=True)
            if slug in before and before[slug] != tokens
        ]
        worst = max(changes, key=abs, default=0.0)
        if abs(day_change) > RESTATEMENT_WARN_FRACTION or abs(worst) > RESTATEMENT_WARN_FRACTION:
            warnings[day.date] = (
                f"a re-fetch changed the day's total by {_percent(day_change)} and "
                f"{len(changes)} model(s) by up to {_percent(worst)}; the contract expects "
                "revisions well under 0.1 % (old values kept in rankings_restatements)"
            )
    return CheckOutcome(RESTATEMENTS, len(days), errors, warnings, tuple(d.date for d in days))


def _change(old: int, new: int) -> float:
    if old == 0:
        return 0.0 if new == 0 else float("inf")
    return new / old - 1


def _percent(fraction: float) -> str:
    return "+inf %" if fraction == float("inf") else f"{fraction * 100:+.2f} %"


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


# --- The derived tables' checks: each SQL returns (date, problem) rows over the rows just written.

SHARES_SUM = TableCheck(
    CheckSpec("shares_sum_to_one", "Each day's share_of_day sums to 1 within 1e-12."),
    "check_shares_sum_to_one",
)
EVERY_MODEL_ONCE = TableCheck(
    CheckSpec("every_model_once", "Every row of rankings_daily appears exactly once."),
    "check_every_model_once",
)
ONE_MARKET_ROW = TableCheck(
    CheckSpec("one_row_per_day", "Exactly one row for every loaded day."),
    "check_one_market_row_per_day",
)
AUTHORS_SUM = TableCheck(
    CheckSpec("authors_sum_to_top50_share", "A day's authors add up to its top-50 share."),
    "check_authors_sum_to_top50_share",
)
GROWTH_ROWS = TableCheck(
    CheckSpec(
        "growth_rows_for_every_ranked_model", "Exactly one growth row per ranked model and day."
    ),
    "check_growth_rows_for_every_ranked_model",
)
