"""Every check of the rankings_segments_daily dataset: the ranked-list rules on each (day,
segment) of a run's responses (pure, shared through :mod:`rankings_etl.datasets.ranked_groups`),
the bound against ``rankings_daily`` (SQL, inside the write transaction) and the share table's
checks (SQL over the rows just written).

A segment is a subset of a day's traffic, so its lists follow the unfiltered feed's rules but
may be short: a segment ranks at most 50 models and shows ``other`` only when it has a tail,
and may rank nothing at all (``10M`` contexts early in 2025), which is reported at WARN. Every
verdict is on the day (the partition); its text names the segment.
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
from rankings_etl.warehouse.table_spec import TableCheck

ROWS_PER_SEGMENT_DAY = CheckSpec(
    "rows_per_segment_day",
    "At most 51 rows per (date, segment): the top 50 models plus `other`.",
)
OTHER_ONCE_AND_LAST = CheckSpec(
    "other_at_most_once_and_last",
    "At most one aggregated `other` row per (date, segment), and it is the segment's last row.",
)
RANKS_CONTIGUOUS = CheckSpec(
    "ranks_unique_and_contiguous",
    "Ranks of each (date, segment) are exactly 1..n with n at most 50.",
)
TOKENS_ORDERED = CheckSpec(
    "tokens_non_increasing",
    "Within a (date, segment), tokens never increase down the ranking; ties are in permaslug "
    "order.",
)
NO_DUPLICATES = CheckSpec("no_duplicate_models", "No model appears twice in one (date, segment).")
SEGMENT_DAYS_PRESENT = CheckSpec(
    "segment_days_present",
    "Every segment asked for has rows on every day (a segment that ranks nothing: WARN).",
)
#: Checked in SQL inside the write (``sql/check_segment_totals_within_day_totals.sql``): the
#: bound lives in the warehouse.
WITHIN_DAY_TOTAL = CheckSpec(
    "segment_total_within_day_total",
    "A segment's tokens on a day never exceed that day's total in rankings_daily (a day "
    "rankings_daily has not loaded: WARN, bound not checked).",
)

#: The ranked-list rules, each with the shared rule that judges one (day, segment).
LIST_CHECKS = (
    (ROWS_PER_SEGMENT_DAY, rows_in_bounds),
    (OTHER_ONCE_AND_LAST, other_at_most_once_and_last),
    (RANKS_CONTIGUOUS, ranks_contiguous),
    (TOKENS_ORDERED, tokens_non_increasing),
    (NO_DUPLICATES, no_duplicate_models),
)

SEGMENTS_CHECKS: tuple[CheckSpec, ...] = (
    *(spec for spec, _ in LIST_CHECKS),
    SEGMENT_DAYS_PRESENT,
    WITHIN_DAY_TOTAL,
)

# --- model_segment_share_daily's checks: each SQL returns (date, problem) rows over new_rows.

SEGMENT_SHARES_SUM = TableCheck(
    CheckSpec(
        "segment_shares_sum_to_one",
        "Each (date, segment)'s share_of_segment sums to 1 within 1e-12.",
    ),
    "check_segment_shares_sum_to_one",
)
EVERY_SEGMENT_ROW_ONCE = TableCheck(
    CheckSpec(
        "every_segment_row_once", "Every row of rankings_segments_daily appears exactly once."
    ),
    "check_every_segment_row_once",
)
