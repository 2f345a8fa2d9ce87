"""The contract checks over a run's rows: what passes, what warns, what blocks."""

import datetime as dt

from rankings_etl.datasets.rankings_daily.checks import evaluate_rankings_contract

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


# --- what downstream needs, and restatements (issue 16) ----------------------------------------


def evaluate_with(rows, as_of=None, loaded=(), loaded_as_of=None):
    ranks, current, n = [], None, 0
    for date, slug, _ in rows:
        if date != current:
            current, n = date, 0
        n = n if slug == "other" else n + 1
        ranks.append(None if slug == "other" else n)
    outcomes = evaluate_rankings_contract(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        ranks,
        as_of=as_of,
        loaded=loaded,
        loaded_as_of=loaded_as_of,
    )
    return {o.spec.name: o for o in outcomes}


def test_every_spec_has_an_outcome_in_order():
    from rankings_etl.datasets.rankings_daily.checks import RANKINGS_CHECKS

    outcomes = evaluate_rankings_contract([DAY1], ["a/b"], [5], [1])
    assert [o.spec for o in outcomes] == list(RANKINGS_CHECKS)


def test_zero_token_rows_block_naming_them():
    tokens = [10_000 - i for i in range(49)] + [0]
    zero = evaluate(day(DAY1, tokens=tokens))["no_zero_token_rows"]
    assert zero.blocks and "1 row(s) with 0 tokens ('author4/model-049')" in zero.errors[DAY1]
    assert evaluate(day(DAY1))["no_zero_token_rows"].passed


def test_a_day_total_beyond_bigint_blocks_one_at_the_limit_passes():
    limit = 2**63 - 1
    at_limit = [limit - 49 - 999_999] + [1] * 49
    assert evaluate(day(DAY1, tokens=at_limit))["day_total_fits_bigint"].passed
    over = [limit - 49 - 999_999 + 1] + [1] * 49
    outcome = evaluate(day(DAY1, tokens=over))["day_total_fits_bigint"]
    assert outcome.blocks and "beyond BIGINT's 9,223,372,036,854,775,807" in outcome.errors[DAY1]


T_OLD = dt.datetime(2025, 3, 3, 2, tzinfo=dt.UTC)
T_NEW = dt.datetime(2025, 3, 3, 14, tzinfo=dt.UTC)


def restatement(rows, new_as_of, loaded_rows, old_as_of=T_OLD):
    return evaluate_with(
        rows,
        as_of=[new_as_of] * len(rows),
        loaded=[(d, s, t) for d, s, t in loaded_rows],
        loaded_as_of={d: old_as_of for d, _, _ in loaded_rows},
    )["restatements_plausible"]


def test_a_slight_revision_passes_a_large_one_warns_an_older_response_blocks():
    old = day(DAY1)
    slight = [(d, s, round(t * 1.001)) for d, s, t in old]
    assert restatement(slight, T_NEW, old).passed
    halved = [(d, s, t // 2) for d, s, t in old]
    warned = restatement(halved, T_NEW, old)
    assert not warned.blocks and list(warned.warnings) == [DAY1]
    assert (
        "changed the day's total by -50.00 % and 51 model(s) by up to -50.0"
        in (warned.warnings[DAY1])
    )
    stale = restatement(old, T_OLD - dt.timedelta(hours=1), old)
    assert stale.blocks and "before the loaded rows it would replace" in stale.errors[DAY1]
    # The same response again (a rebuild, a re-run under the same as_of) is fine.
    assert restatement(old, T_OLD, old).passed
    # Nothing loaded yet: nothing to compare.
    assert restatement(old, T_NEW, []).passed
