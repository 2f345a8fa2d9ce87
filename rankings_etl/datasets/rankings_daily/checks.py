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

import datetime as dt
from collections.abc import Mapping, Sequence

from rankings_etl.core.api_facts import BIGINT_MAX
from rankings_etl.core.check_outcomes import ERROR, CheckOutcome, CheckSpec
from rankings_etl.datasets.ranked_groups import (
    EXACT_TOP,
    RankedGroup,
    RankedRules,
    evaluate,
    group_rows,
    no_duplicate_models,
    one_other,
    other_last,
    ranks_contiguous,
    rows_in_bounds,
    tokens_non_increasing,
)
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
    days = group_rows(dates, None, permaslugs, total_tokens, ranks)
    outcomes = [
        evaluate(spec, days, rule, EXACT_TOP)
        for spec, rule in (
            (ONE_OTHER, one_other),
            (OTHER_LAST, other_last),
            (ROWS_PER_DATE, rows_in_bounds),
            (RANKS_CONTIGUOUS, ranks_contiguous),
            (TOKENS_ORDERED, tokens_non_increasing),
            (NO_DUPLICATES, no_duplicate_models),
            (NO_ZERO_TOKENS, _no_zero_tokens),
            (DAY_TOTAL_FITS, _day_total_fits),
        )
    ]
    outcomes.append(_restatements(days, dates, as_of, loaded, loaded_as_of or {}))
    return outcomes


def _no_zero_tokens(day: RankedGroup, rules: RankedRules):
    zeros = [slug for slug, tokens in zip(day.slugs, day.tokens, strict=True) if tokens == 0]
    if not zeros:
        return None
    names = ", ".join(repr(slug[:60]) for slug in zeros[:3])
    more = f" and {len(zeros) - 3} more" if len(zeros) > 3 else ""
    return ERROR, f"{len(zeros)} row(s) with 0 tokens ({names}{more})"


def _day_total_fits(day: RankedGroup, rules: RankedRules):
    total = sum(day.tokens)
    if total <= BIGINT_MAX:
        return None
    return ERROR, f"the day's tokens sum to {total:,}, beyond BIGINT's {BIGINT_MAX:,}"


def _restatements(
    days: list[RankedGroup],
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
