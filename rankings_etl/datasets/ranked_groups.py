"""The rules every ranked list of rankings-daily obeys, shared by the three datasets that read it.

A rankings-daily response is a sequence of ranked lists: for each date bucket (and, in the
filtered datasets, each segment or category), the top models by tokens in API order, then at
most one aggregated ``other`` row. ``rankings_daily`` judges one list per day,
``rankings_segments_daily`` one per (day, segment), ``rankings_categories_weekly`` one per
(week, value). The rules are the same (ranks 1..n, tokens non-increasing with ties in
permaslug order, no model twice, ``other`` at most once and last, at most 50 ranked rows);
only how many rows a list must have differs: the unfiltered feed promises exactly 51 (50 on a
tail-less day, reported at WARN), a segment may rank fewer models (``10M`` early in 2025
ranks a handful, or none).

A check's verdict is per *partition* date (what the Dagster UI shows): with several lists per
date, a date fails when any of its lists does, and the problem names the list.

The two filtered datasets also share how they ask and what they get back: one request per
filter value per window (:func:`filtered_requests`), a response's rows tagged with the filter
its request used (:class:`FilteredRows`, the columns their tables stage), and the evaluation
of a run (:func:`evaluate_filtered`), which also reports a list asked for that came back empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import groupby, pairwise

from rankings_etl.core.api_facts import OTHER, RANKINGS_DAILY_PATH, TOP_N
from rankings_etl.core.check_outcomes import ERROR, WARN, CheckOutcome, CheckSpec
from rankings_etl.core.windows import Window
from rankings_etl.data_api.rankings_body import RankingsResponse, row_stamps
from rankings_etl.data_api.request import ApiRequest

#: How many failing lists of one date a problem names (the date's verdict counts all of them).
MAX_NAMED_GROUPS = 3


@dataclasses.dataclass(frozen=True)
class RankedRules:
    """What a dataset's lists must look like beyond the shared rules."""

    #: Ranked models a list may hold (the API's top N).
    max_ranked: int = TOP_N
    #: Rows every list must have (the unfiltered feed: 51), or None: at most ``max_ranked``
    #: ranked rows plus at most one ``other``.
    exact_rows: int | None = None


#: The unfiltered feed: 50 ranked models and ``other``, every day.
EXACT_TOP = RankedRules(exact_rows=TOP_N + 1)
#: A segment or category: up to 50 ranked models, ``other`` only when there is a tail.
UP_TO_TOP = RankedRules()


@dataclasses.dataclass(frozen=True)
class RankedGroup:
    """One ranked list in API order: its partition ``date``, which list it is (``name``, e.g.
    ``"modality=text"``; empty for the unfiltered feed) and its rows."""

    date: dt.date
    name: str
    slugs: tuple[str, ...]
    tokens: tuple[int, ...]
    ranks: tuple[int | None, ...]

    @property
    def other_positions(self) -> list[int]:
        return [i for i, slug in enumerate(self.slugs) if slug == OTHER]

    @property
    def ranked(self) -> int:
        return len(self.slugs) - len(self.other_positions)

    def tailless(self, rules: RankedRules) -> bool:
        """The unfiltered feed's one legal exception: a full top and no ``other`` row."""
        return not self.other_positions and self.ranked == rules.max_ranked


def group_rows(
    dates: Sequence[dt.date],
    names: Sequence[str] | None,
    slugs: Sequence[str],
    tokens: Sequence[int],
    ranks: Sequence[int | None],
) -> list[RankedGroup]:
    """Rows in API order (each list's rows consecutive) as their lists; ``names=None``: one
    list per date."""
    names = names if names is not None else [""] * len(dates)
    rows = zip(dates, names, slugs, tokens, ranks, strict=True)
    groups = []
    for (day, name), members in groupby(rows, key=lambda row: (row[0], row[1])):
        _, _, group_slugs, group_tokens, group_ranks = zip(*members, strict=True)
        groups.append(RankedGroup(day, name, group_slugs, group_tokens, group_ranks))
    return groups


#: A rule looks at one list and returns nothing (it passes) or ``(severity, problem)``.
Rule = Callable[[RankedGroup, RankedRules], "tuple[str, str] | None"]


def rows_in_bounds(group: RankedGroup, rules: RankedRules):
    """Exactly ``rules.exact_rows`` rows (a tail-less list: WARN), or at most a full top plus
    ``other``."""
    rows, others = len(group.slugs), len(group.other_positions)
    if rules.exact_rows is not None:
        if rows == rules.exact_rows:
            return None
        if group.tailless(rules):
            return WARN, f"{rows} rows (no tail)"
        return ERROR, f"{rows} rows ({group.ranked} ranked + {others} `other`)"
    if group.ranked <= rules.max_ranked and others <= 1:
        return None
    return ERROR, (
        f"{rows} rows ({group.ranked} ranked + {others} `other`); at most {rules.max_ranked} "
        "ranked and one `other`"
    )


def one_other(group: RankedGroup, rules: RankedRules):
    """Exactly one ``other`` row; none on a tail-less list is a WARN."""
    count = len(group.other_positions)
    if count == 1:
        return None
    if group.tailless(rules):
        return WARN, f"no `other` row ({rules.max_ranked} ranked models: a day with no tail)"
    return ERROR, f"{count} `other` rows beside {group.ranked} ranked models"


def other_last(group: RankedGroup, rules: RankedRules):
    """The ``other`` row is the list's last; a list without one has nothing to place (WARN)."""
    positions = group.other_positions
    if not positions:
        return WARN, "no `other` row to place"
    return _misplaced_other(group)


def other_at_most_once_and_last(group: RankedGroup, rules: RankedRules):
    """At most one ``other`` row, and it is the list's last (a list without a tail has none)."""
    count = len(group.other_positions)
    if count > 1:
        return ERROR, f"{count} `other` rows beside {group.ranked} ranked models"
    return _misplaced_other(group)


def _misplaced_other(group: RankedGroup):
    last = len(group.slugs) - 1
    misplaced = [p for p in group.other_positions if p != last]
    if misplaced:
        return ERROR, f"`other` at position {misplaced[0] + 1} of {len(group.slugs)}"
    return None


def ranks_contiguous(group: RankedGroup, rules: RankedRules):
    """Ranked rows carry exactly 1..n with n within the top; ``other`` carries none."""
    pairs = list(zip(group.slugs, group.ranks, strict=True))
    ranks = [rank for slug, rank in pairs if slug != OTHER]
    if any(rank is None for rank in ranks):
        return ERROR, "a ranked model has no rank"
    if sorted(ranks) != list(range(1, len(ranks) + 1)):
        return ERROR, f"ranks are not 1..{len(ranks)}"
    if len(ranks) > rules.max_ranked:
        return ERROR, f"ranks run to {len(ranks)}, beyond the top {rules.max_ranked}"
    if any(rank is not None for slug, rank in pairs if slug == OTHER):
        return ERROR, "the `other` row carries a rank"
    return None


def tokens_non_increasing(group: RankedGroup, rules: RankedRules):
    """Down the ranking tokens never increase, and equal tokens are in permaslug order."""
    ranked = [(s, t) for s, t in zip(group.slugs, group.tokens, strict=True) if s != OTHER]
    for position, ((slug_a, tok_a), (slug_b, tok_b)) in enumerate(pairwise(ranked), start=1):
        if tok_b > tok_a:
            return ERROR, f"rank {position + 1} has more tokens ({tok_b}) than rank {position}"
        if tok_b == tok_a and slug_b < slug_a:
            return ERROR, f"tie at rank {position} is not in permaslug order"
    return None


def no_duplicate_models(group: RankedGroup, rules: RankedRules):
    """No model (nor ``other``) appears twice in one list."""
    seen: set[str] = set()
    for slug in group.slugs:
        if slug in seen:
            return ERROR, f"{slug[:60]!r} appears more than once"
        seen.add(slug)
    return None


def evaluate(
    spec: CheckSpec,
    groups: Iterable[RankedGroup],
    rule: Rule,
    rules: RankedRules,
    dates: Iterable[dt.date] = (),
) -> CheckOutcome:
    """``rule`` over every list: one verdict per partition date (``dates`` adds dates with no
    list, which pass), an ERROR on any list of a date failing that date."""
    found: dict[dt.date, list[tuple[str, str]]] = {}
    checked = dict.fromkeys(dates)
    for group in groups:
        checked.setdefault(group.date)
        verdict = rule(group, rules)
        if verdict is not None:
            severity, problem = verdict
            found.setdefault(group.date, []).append(
                (severity, f"{group.name}: {problem}" if group.name else problem)
            )
    errors: dict[dt.date, str] = {}
    warnings: dict[dt.date, str] = {}
    for day, problems in found.items():
        worst = [p for severity, p in problems if severity == ERROR] or [p for _, p in problems]
        (errors if any(s == ERROR for s, _ in problems) else warnings)[day] = _joined(worst)
    ordered = tuple(sorted(checked))
    return CheckOutcome(spec, len(ordered), errors, warnings, ordered)


def _joined(problems: list[str]) -> str:
    text = "; ".join(problems[:MAX_NAMED_GROUPS])
    more = len(problems) - MAX_NAMED_GROUPS
    return text + (f"; and {more} more" if more > 0 else "")


def lists_present(
    spec: CheckSpec, groups: Iterable[RankedGroup], expected: Mapping[dt.date, Sequence[str]]
) -> CheckOutcome:
    """Every list asked for on each partition date came back; a missing one is a WARN (a
    segment can legitimately rank nothing, e.g. ``10M`` contexts early in 2025)."""
    seen = {(group.date, group.name) for group in groups}
    warnings: dict[dt.date, str] = {}
    for day, names in expected.items():
        absent = [name for name in names if (day, name) not in seen]
        if absent:
            listed = ", ".join(absent[:5]) + (
                f" and {len(absent) - 5} more" if len(absent) > 5 else ""
            )
            warnings[day] = f"no rows for {listed} ({len(absent)} of {len(names)} lists)"
    dates = tuple(sorted(expected))
    return CheckOutcome(spec, len(dates), {}, warnings, dates)


# --- The rows of filtered responses: one request per filter value, one list per (bucket, value).


def request_filter(response: RankingsResponse, dimensions: Sequence[str]) -> tuple[str, str]:
    """The ``(dimension, value)`` a response's request filtered on (e.g. ``("modality",
    "text")``): exactly one of ``dimensions``."""
    params = response.request.params if response.request is not None else {}
    found = [(name, params[name]) for name in dimensions if name in params]
    if len(found) != 1:
        raise ValueError(
            f"a response for {response.window} must answer a request filtered on exactly one of "
            f"{', '.join(dimensions)}; its parameters: {dict(params)}"
        )
    return found[0]


@dataclasses.dataclass(frozen=True)
class FilteredRows:
    """Every row of a run's filtered responses, in API order, as columns: each row's bucket
    date, the filter its request used, and the response's own columns."""

    dates: tuple[dt.date, ...]
    dimensions: tuple[str, ...]
    values: tuple[str, ...]
    permaslugs: tuple[str, ...]
    ranks: tuple[int | None, ...]
    total_tokens: tuple[int, ...]
    responses: tuple[RankingsResponse, ...]

    @classmethod
    def from_responses(
        cls, responses: Sequence[RankingsResponse], dimensions: Sequence[str]
    ) -> FilteredRows:
        filters = [request_filter(response, dimensions) for response in responses]
        return cls(
            dates=tuple(day for r in responses for day in r.dates),
            dimensions=tuple(
                f[0] for f, r in zip(filters, responses, strict=True) for _ in r.dates
            ),
            values=tuple(f[1] for f, r in zip(filters, responses, strict=True) for _ in r.dates),
            permaslugs=tuple(slug for r in responses for slug in r.permaslugs),
            ranks=tuple(rank for r in responses for rank in r.ranks()),
            total_tokens=tuple(t for r in responses for t in r.total_tokens),
            responses=tuple(responses),
        )

    def groups(self) -> list[RankedGroup]:
        """One ranked list per (bucket date, filter), named ``dimension=value``."""
        names = [f"{d}={v}" for d, v in zip(self.dimensions, self.values, strict=True)]
        return group_rows(self.dates, names, self.permaslugs, self.total_tokens, self.ranks)

    def columns(self) -> list[list]:
        """The table's columns in order: date, dimension, value, model_permaslug, rank,
        tokens, as_of and fetched_at (the last two repeated from each row's response)."""
        as_of, fetched_at = row_stamps(self.responses)
        return [
            list(self.dates),
            list(self.dimensions),
            list(self.values),
            list(self.permaslugs),
            list(self.ranks),
            list(self.total_tokens),
            as_of,
            fetched_at,
        ]

    @property
    def as_of(self) -> str | None:
        """The newest ``meta.as_of`` among the responses: what a citation of the run quotes."""
        return max((response.as_of for response in self.responses), default=None)

    @property
    def requests(self) -> int:
        return sum(response.attempts for response in self.responses)


def expected_lists(
    responses: Sequence[RankingsResponse],
    dimensions: Sequence[str],
    partition_dates: Callable[[Window], Sequence[dt.date]],
) -> dict[dt.date, list[str]]:
    """Each partition date a response covers, with the lists (``dimension=value``) asked for
    on it."""
    expected: dict[dt.date, list[str]] = {}
    for response in responses:
        dimension, value = request_filter(response, dimensions)
        for day in partition_dates(response.window):
            expected.setdefault(day, []).append(f"{dimension}={value}")
    return expected


def evaluate_filtered(
    responses: Sequence[RankingsResponse],
    dimensions: Sequence[str],
    partition_dates: Callable[[Window], Sequence[dt.date]],
    checks: Sequence[tuple[CheckSpec, Rule]],
    presence: CheckSpec,
    rules: RankedRules = UP_TO_TOP,
) -> list[CheckOutcome]:
    """Every rule over every list of a filtered run, then the presence of every list asked
    for; each outcome has a verdict on every partition date a response covers."""
    groups = FilteredRows.from_responses(responses, dimensions).groups()
    expected = expected_lists(responses, dimensions, partition_dates)
    outcomes = [evaluate(spec, groups, rule, rules, expected) for spec, rule in checks]
    outcomes.append(lists_present(presence, groups, expected))
    return outcomes


def filtered_requests(
    dataset: str,
    filters: Sequence[tuple[str, Sequence[str]]],
    parts: Sequence[Window],
    fixed: Mapping[str, str] | None = None,
) -> list[ApiRequest]:
    """One rankings-daily request per filter value per window part, in that order, with the
    ``fixed`` parameters (``period=week``); labelled ``dimension=value start..end`` as the
    rate-budget ledger shows them."""
    return [
        ApiRequest(
            dataset=dataset,
            path=RANKINGS_DAILY_PATH,
            params={
                "start_date": part.start.isoformat(),
                "end_date": part.end.isoformat(),
                **(fixed or {}),
                dimension: value,
            },
            window=part,
            label=f"{dimension}={value} {part}",
        )
        for dimension, values in filters
        for value in values
        for part in parts
    ]
