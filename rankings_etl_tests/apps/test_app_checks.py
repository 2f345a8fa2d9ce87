"""Each app-rankings check passes a good ranking and fails (or warns on) the broken one it is
for, per week, naming the sort."""

import datetime as dt

import pytest

from rankings_etl.core.check_outcomes import ERROR, WARN
from rankings_etl.datasets.app_rankings_weekly.checks import APP_CHECKS, Ranking
from rankings_etl.datasets.app_rankings_weekly.checks import evaluate_app_rankings as evaluate

MONDAY = dt.date(2025, 3, 10)
NEXT = dt.date(2025, 3, 17)


def ranking(n=100, *, sort="popular", week=MONDAY, ranks=None, ids=None, tokens=None):
    return Ranking(
        week_start=week,
        sort=sort,
        ranks=ranks if ranks is not None else list(range(1, n + 1)),
        app_ids=ids if ids is not None else list(range(500, 500 + n)),
        total_tokens=tokens if tokens is not None else [10_000 - i for i in range(n)],
    )


def by_name(outcomes):
    return {outcome.spec.name: outcome for outcome in outcomes}


def test_full_good_rankings_pass_every_check_on_every_week():
    outcomes = evaluate(
        [ranking(), ranking(sort="trending"), ranking(week=NEXT), ranking(40, sort="trending")]
    )
    assert [o.spec for o in outcomes] == list(APP_CHECKS)
    for outcome in outcomes:
        assert outcome.passed, outcome.summary()
        assert outcome.dates == (MONDAY, NEXT) and outcome.dates_checked == 2


def test_trending_with_fewer_rows_or_rising_tokens_is_legal():
    rising = ranking(12, sort="trending", tokens=list(range(12)))
    assert all(o.passed for o in evaluate([ranking(), rising]))
    assert all(o.passed for o in evaluate([ranking(), ranking(0, sort="trending")]))


def test_popular_ties_are_not_judged():
    tokens = [10_000 - i for i in range(100)]
    tokens[5] = tokens[4]
    assert by_name(evaluate([ranking(tokens=tokens)]))["popular_tokens_non_increasing"].passed


def test_weeks_without_rankings_still_get_a_verdict():
    outcomes = evaluate([ranking()], weeks=[MONDAY, NEXT])
    assert all(o.dates == (MONDAY, NEXT) and o.passed for o in outcomes)


def _broken(kind):
    if kind == "over_limit":
        return ranking(101)
    if kind == "rank_gap":
        return ranking(ranks=[*range(1, 50), *range(51, 102)])
    if kind == "rank_from_offset":
        return ranking(ranks=list(range(51, 151)))
    if kind == "duplicate":
        return ranking(ids=[*range(500, 599), 510])
    if kind == "tokens_rise":
        tokens = [10_000 - i for i in range(100)]
        tokens[30] = 20_000
        return ranking(tokens=tokens)
    if kind == "short_popular":
        return ranking(60)
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "check", "severity", "problem"),
    [
        (
            "over_limit",
            "rows_at_most_limit",
            ERROR,
            "popular: 101 rows, more than the limit of 100",
        ),
        ("rank_gap", "ranks_are_1_to_n", ERROR, "popular: row 50 has rank 51"),
        ("rank_from_offset", "ranks_are_1_to_n", ERROR, "popular: row 1 has rank 51"),
        ("duplicate", "no_duplicate_apps", ERROR, "popular: app_id 510 appears more than once"),
        (
            "tokens_rise",
            "popular_tokens_non_increasing",
            ERROR,
            "popular: rank 31 has more tokens (20000) than rank 30 (9971)",
        ),
        ("short_popular", "popular_has_full_page", WARN, "popular: 60 rows of the 100 asked for"),
    ],
)
def test_each_check_fails_exactly_the_broken_week(kind, check, severity, problem):
    broken = _broken(kind)
    outcomes = by_name(
        evaluate(
            [
                ranking(),
                ranking(sort="trending"),
                Ranking(NEXT, broken.sort, broken.ranks, broken.app_ids, broken.total_tokens),
                ranking(sort="trending", week=NEXT),
            ]
        )
    )
    found = outcomes[check]
    problems = found.errors if severity == ERROR else found.warnings
    assert set(problems) == {NEXT}
    assert problems[NEXT].startswith(problem)
    assert found.blocks == (severity == ERROR)
    assert found.verdict(MONDAY).passed
    assert {name for name, o in outcomes.items() if not o.passed} == {check}


def test_a_broken_trending_ranking_is_named_and_both_sorts_are_reported_together():
    gap = Ranking(MONDAY, "trending", [1, 2, 4], [1, 2, 3], [9, 8, 7])
    dup_popular = ranking(ids=[*range(500, 599), 500], ranks=list(range(1, 101)))
    outcomes = by_name(evaluate([dup_popular, gap]))
    assert outcomes["ranks_are_1_to_n"].errors == {
        MONDAY: "trending: row 3 has rank 4; from offset 0 the ranks are 1..3 in order"
    }
    both = by_name(evaluate([ranking(ranks=[2, *range(2, 101)]), gap]))["ranks_are_1_to_n"]
    assert both.errors[MONDAY].startswith("popular: row 1 has rank 2")
    assert "; trending: row 3 has rank 4" in both.errors[MONDAY]
    assert outcomes["no_duplicate_apps"].errors[MONDAY].startswith("popular: app_id 500")


def test_the_limit_a_request_asked_for_is_what_rows_are_judged_against():
    small = Ranking(MONDAY, "popular", [1, 2, 3], [1, 2, 3], [3, 2, 1], limit=2)
    outcomes = by_name(evaluate([small]))
    assert outcomes["rows_at_most_limit"].errors == {
        MONDAY: "popular: 3 rows, more than the limit of 2 asked for"
    }
