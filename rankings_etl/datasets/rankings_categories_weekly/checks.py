"""Every check of the rankings_categories_weekly dataset: the ranked-list rules on each (week,
category or language type) of a run's responses (pure, shared through
:mod:`rankings_etl.datasets.ranked_groups`).

The numbers are OpenRouter's sampled, upsampled weekly estimates, so no sum is checked against
the exact days (an estimate may exceed them); the lists still follow the ranked-list rules.
Every verdict is on the week (the partition, its Monday); its text names the value.
"""

from __future__ import annotations

from rankings_etl.core.check_outcomes import CheckSpec
from rankings_etl.datasets.ranked_groups import (
    no_duplicate_models,
    other_at_most_once_and_last,
    ranks_contiguous,
    rows_in_bounds,
    tokens_non_increasing,
)

ROWS_PER_VALUE_WEEK = CheckSpec(
    "rows_per_value_week",
    "At most 51 rows per (week, value): the top 50 models plus `other`.",
)
OTHER_ONCE_AND_LAST = CheckSpec(
    "other_at_most_once_and_last",
    "At most one aggregated `other` row per (week, value), and it is the value's last row.",
)
RANKS_CONTIGUOUS = CheckSpec(
    "ranks_unique_and_contiguous",
    "Ranks of each (week, value) are exactly 1..n with n at most 50.",
)
TOKENS_ORDERED = CheckSpec(
    "tokens_non_increasing",
    "Within a (week, value), estimated tokens never increase down the ranking; ties are in "
    "permaslug order.",
)
NO_DUPLICATES = CheckSpec("no_duplicate_models", "No model appears twice in one (week, value).")
VALUE_WEEKS_PRESENT = CheckSpec(
    "value_weeks_present",
    "Every category and language type asked for has rows in every week (one that ranks "
    "nothing: WARN).",
)

#: The ranked-list rules, each with the shared rule that judges one (week, value).
LIST_CHECKS = (
    (ROWS_PER_VALUE_WEEK, rows_in_bounds),
    (OTHER_ONCE_AND_LAST, other_at_most_once_and_last),
    (RANKS_CONTIGUOUS, ranks_contiguous),
    (TOKENS_ORDERED, tokens_non_increasing),
    (NO_DUPLICATES, no_duplicate_models),
)

CATEGORIES_CHECKS: tuple[CheckSpec, ...] = (
    *(spec for spec, _ in LIST_CHECKS),
    VALUE_WEEKS_PRESENT,
)
