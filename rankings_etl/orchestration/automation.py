"""The automation conditions the project's assets follow, each named by what it waits for."""

import dagster as dg

#: Each day follows its upstream days. Like ``eager()``, it waits for what it reads and for
#: runs in progress, and ignores updates from a run that also updated this asset (a backfill of
#: the whole group); unlike it, every day counts, not only the latest: the daily run re-fetches
#: three days (late revisions), and a rebuilt range must carry through to what it feeds.
FOLLOW_UPSTREAM_DAYS = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_missing()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("after its days' upstream updates")

#: The same, except that of its eight upstream days growth waits only for its own: the seven
#: before it are optional inputs (an unloaded day gives NULL comparisons).
GROWTH_AUTOMATION = FOLLOW_UPSTREAM_DAYS.replace(
    "any_deps_missing",
    dg.AutomationCondition.any_deps_match(
        dg.AutomationCondition.missing()
        & ~dg.AutomationCondition.will_be_requested()
        & dg.AutomationCondition.in_latest_time_window()
    ).with_label("same day's rankings missing"),
).with_label("after its days' upstream updates (earlier days optional)")

#: The conditions a TableSpec's ``automation`` names.
CONDITIONS: dict[str, dg.AutomationCondition] = {
    "after_upstream_days": FOLLOW_UPSTREAM_DAYS,
    "after_upstream_days_earlier_optional": GROWTH_AUTOMATION,
}

#: Unpartitioned views over all loaded days (the chart, the export) refresh whenever an
#: upstream partition is updated, not when history is merely incomplete, as the default eager
#: condition would wait.
follow_upstream = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("after any upstream update")
