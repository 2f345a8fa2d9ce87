"""The synthetic history looks like the real thing, over all of it (pure, no server)."""

import collections
import datetime as dt
import hashlib
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from rankings_etl.core.api_facts import FIRST_DATE, OTHER, TOP_N
from rankings_etl.sandbox import history

LAST = dt.date(2026, 11, 24)
SLUG = re.compile(r"^[a-z0-9-]+/[a-z0-9.-]+-(\d{8})(:[a-z]+)?$")


def days_between(first, last):
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture(scope="module")
def days():
    """{date: rows} from 2025-01-01 to 2026-11-24 (693 days), seed 0."""
    return {day: history.day_rows(0, day) for day in days_between(FIRST_DATE, LAST)}


def ranked(rows):
    return [row for row in rows if row[0] != OTHER]


def test_every_day_has_50_ranked_models_and_other_last(days):
    for day, rows in days.items():
        assert len(rows) == TOP_N + 1, day
        assert rows[-1][0] == OTHER and all(slug != OTHER for slug, _ in rows[:-1]), day
        assert len({slug for slug, _ in rows}) == len(rows), day


def test_days_far_beyond_today_keep_the_shape():
    for day in (dt.date(2027, 6, 1), dt.date(2028, 6, 1), dt.date(2030, 1, 1)):
        rows = history.day_rows(0, day)
        assert len(rows) == 51 and rows[-1][0] == OTHER
        assert 60 <= history.live_model_count(0, day) <= 700


def test_rows_are_ordered_by_tokens_then_permaslug_with_exact_ties_somewhere(days):
    ties = 0
    for day, rows in days.items():
        keys = [(-tokens, slug) for slug, tokens in ranked(rows)]
        assert keys == sorted(keys), day
        ties += len(keys) - len({tokens for tokens, _ in keys})
    assert ties >= 10


def test_other_holds_5_to_8_percent_of_every_day(days):
    for day, rows in days.items():
        share = rows[-1][1] / sum(tokens for _, tokens in rows)
        assert 0.05 <= share <= 0.08, (day, share)


def test_daily_totals_grow_from_about_1e12_to_about_2_5e13(days):
    totals = {day: sum(tokens for _, tokens in rows) for day, rows in days.items()}
    first_month = statistics.mean(totals[d] for d in days_between(FIRST_DATE, dt.date(2025, 1, 31)))
    last_month = statistics.mean(totals[d] for d in days_between(dt.date(2026, 10, 25), LAST))
    assert 0.7e12 <= first_month <= 1.5e12
    assert 1.8e13 <= last_month <= 3.0e13
    quarters = collections.defaultdict(list)
    for day, total in totals.items():
        quarters[(day.year, (day.month - 1) // 3)].append(total)
    means = [statistics.mean(quarters[q]) for q in sorted(quarters)]
    assert means == sorted(means)
    assert max(tokens for rows in days.values() for _, tokens in ranked(rows)) < 1e13


def test_the_number_of_live_models_grows_from_about_60_to_about_400():
    counts = [history.live_model_count(0, day) for day in days_between(FIRST_DATE, LAST)[::30]]
    assert 60 <= counts[0] <= 100
    assert 300 <= counts[-1] <= 450
    assert counts[-1] > counts[len(counts) // 2] > counts[0]


def test_permaslugs_have_the_real_shape_and_a_released_date(days):
    for day, rows in days.items():
        for slug, _ in ranked(rows):
            match = SLUG.match(slug)
            assert match, slug
            released = dt.datetime.strptime(match.group(1), "%Y%m%d").date()
            assert released <= day, (slug, day)


def test_at_least_8_authors_free_variants_and_a_stealth_model_that_tops_a_day(days):
    slugs = {slug for rows in days.values() for slug, _ in ranked(rows)}
    authors = {slug.split("/", 1)[0] for slug in slugs}
    assert len(authors - {"stealth"}) >= 8
    assert any(slug.endswith(":free") for slug in slugs)
    toppers = {rows[0][0] for rows in days.values()}
    assert any(slug.startswith("stealth/") for slug in toppers)
    assert len(toppers) >= 5


def test_models_enter_and_leave_the_top_50(days):
    ranked_days = collections.defaultdict(list)
    for day, rows in days.items():
        for slug, _ in ranked(rows):
            ranked_days[slug].append(day)
    first = {slug for slug, _ in ranked(days[FIRST_DATE])}
    last = {slug for slug, _ in ranked(days[LAST])}
    assert len(first & last) < 25
    came_and_went = [s for s, ds in ranked_days.items() if ds[0] > FIRST_DATE and ds[-1] < LAST]
    assert len(came_and_went) >= 20


def test_a_day_is_the_same_whatever_else_was_generated_before():
    day = dt.date(2025, 8, 15)
    rows = history.day_rows(0, day)
    history.day_rows.cache_clear()
    history.released_in_block.cache_clear()
    history.day_rows(0, dt.date(2026, 3, 1))  # another day first
    assert history.day_rows(0, day) == rows


DIGEST = """
import datetime as dt, hashlib
from rankings_etl.sandbox import history
days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(0, 690, 23)]
print(hashlib.sha256(repr([history.day_rows(0, day) for day in days]).encode()).hexdigest())
"""


def test_a_day_is_the_same_in_another_process_with_another_hash_seed():
    project = Path(history.__file__).resolve().parents[2]
    digests = set()
    for hash_seed in ("1", "12345"):
        out = subprocess.run(
            [sys.executable, "-c", DIGEST],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(project)},
        )
        digests.add(out.stdout.strip())
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(0, 690, 23)]
    here = hashlib.sha256(repr([history.day_rows(0, day) for day in days]).encode()).hexdigest()
    assert digests == {here}


def test_another_seed_is_another_history():
    day = dt.date(2025, 8, 15)
    assert history.day_rows(1, day) != history.day_rows(0, day)
    assert len(history.day_rows(1, day)) == 51
