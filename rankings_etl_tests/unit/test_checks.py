"""The contract checks over a run's rows: what passes, what warns, what blocks."""

import datetime as dt

from rankings_etl.checks import evaluate_rankings_contract

DAY1, DAY2 = dt.date(2025, 3, 1), dt.date(2025, 3, 2)


def day(date, ranked=50, other=1, other_at=None, tokens=None, slugs=None):
    """Rows of one date in API order: `ranked` models with descending tokens, then `other`."""
    slugs = slugs or [f"author{i % 9}/model-{i:03d}" for i in range(ranked)]
    tokens = tokens or [10_000 - i for i in range(ranked)]
    rows = [(date, s, t) for s, t in zip(slugs, tokens, strict=True)]
    for _ in range(other):
        position = len(rows) if other_at is None else other_at
        rows.insert(position, (date, "other", 999_999))
    return rows


def evaluate(rows):
    ranks, current, n = [], None, 0
    for date, slug, _ in rows:
        if date != current:
            current, n = date, 0
        if slug == "other":
            ranks.append(None)
        else:
            n += 1
            ranks.append(n)
    outcomes = evaluate_rankings_contract(
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], ranks
    )
    return {o.spec.name: o for o in outcomes}


def test_two_contract_days_pass_every_check():
    outcomes = evaluate(day(DAY1) + day(DAY2))
    assert all(o.passed for o in outcomes.values())
    assert all(o.dates_checked == 2 for o in outcomes.values())


def test_a_tailless_day_warns_but_does_not_block():
    outcomes = evaluate(day(DAY1) + day(DAY2, other=0))
    for name in ("one_other_per_date", "other_is_last", "rows_per_date"):
        assert not outcomes[name].passed and not outcomes[name].blocks
        assert outcomes[name].severity == "WARN"
        assert list(outcomes[name].warnings) == [DAY2]
    assert outcomes["ranks_unique_and_contiguous"].passed


def test_missing_other_on_a_short_day_is_an_error():
    outcomes = evaluate(day(DAY1, ranked=49, other=0))
    assert outcomes["one_other_per_date"].blocks
    assert outcomes["rows_per_date"].blocks
    assert "49 rows" in outcomes["rows_per_date"].errors[DAY1]


def test_duplicated_other_blocks_and_names_the_date():
    outcomes = evaluate(day(DAY1) + day(DAY2, other=2))
    one = outcomes["one_other_per_date"]
    assert one.blocks and list(one.errors) == [DAY2] and "2 `other` rows" in one.errors[DAY2]
    assert outcomes["rows_per_date"].blocks
    meta = one.metadata()
    assert meta["failing_date_count"] == 1 and meta["failing_dates"][0].startswith("2025-03-02")


def test_other_not_last_blocks():
    outcomes = evaluate(day(DAY1, other_at=3))
    assert outcomes["other_is_last"].blocks
    assert "position 4 of 51" in outcomes["other_is_last"].errors[DAY1]
    assert outcomes["one_other_per_date"].passed


def test_a_52_row_day_breaks_the_rank_range_and_row_count():
    outcomes = evaluate(day(DAY1, ranked=51))
    assert outcomes["ranks_unique_and_contiguous"].blocks
    assert outcomes["rows_per_date"].blocks


def test_a_49_row_day_breaks_the_row_count_only():
    outcomes = evaluate(day(DAY1, ranked=48))
    assert outcomes["rows_per_date"].blocks
    assert outcomes["ranks_unique_and_contiguous"].passed


def test_increasing_tokens_and_unordered_ties_block():
    tokens = [100] * 50
    slugs = [f"a/m{i:02d}" for i in range(50)]
    assert evaluate(day(DAY1, tokens=tokens, slugs=slugs))["tokens_non_increasing"].passed
    swapped = slugs[:]
    swapped[3], swapped[4] = swapped[4], swapped[3]
    tie = evaluate(day(DAY1, tokens=tokens, slugs=swapped))["tokens_non_increasing"]
    assert tie.blocks and "permaslug order" in tie.errors[DAY1]
    rising = [1000 - i for i in range(50)]
    rising[10] = 5000
    up = evaluate(day(DAY1, tokens=rising))["tokens_non_increasing"]
    assert up.blocks and "rank 11 has more tokens" in up.errors[DAY1]


def test_other_larger_than_every_model_is_fine_when_last():
    assert evaluate(day(DAY1))["tokens_non_increasing"].passed  # other holds 999_999


def test_duplicate_models_block():
    slugs = [f"a/m{i:02d}" for i in range(50)]
    slugs[7] = slugs[6]
    assert evaluate(day(DAY1, slugs=slugs))["no_duplicate_models"].blocks


def test_summary_lists_a_few_dates_and_counts_the_rest():
    rows = []
    for i in range(8):
        rows += day(DAY1 + dt.timedelta(days=i), other=2)
    summary = evaluate(rows)["one_other_per_date"].summary()
    assert "8 failing date(s)" in summary and "and 3 more" in summary
