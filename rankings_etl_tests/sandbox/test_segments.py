"""The filtered rankings: exact segments (modality, context bucket) and their buckets."""

import collections
import datetime as dt
import hashlib
import json

import pytest

from rankings_etl.core.api_facts import CONTEXT_BUCKETS, MODALITIES, OTHER, TOP_N
from rankings_etl.core.windows import Window
from rankings_etl.sandbox import history, segments
from rankings_etl.sandbox.bucketing import Bucket
from rankings_etl.sandbox.history import SyntheticSource
from rankings_etl.sandbox.payload import build_body

from .helpers import assert_day_in_contract_order, by_date, get

SOURCE = SyntheticSource(0)
FIRST, LAST = dt.date(2025, 1, 1), dt.date(2026, 11, 24)
SEGMENTS = [("modality", m) for m in MODALITIES] + [("context_bucket", c) for c in CONTEXT_BUCKETS]


def all_days():
    return [FIRST + dt.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]


def day_segment(day, name, value):
    return segments.exact_bucket_rows(SOURCE, Bucket(day, ((day, day),)), ((name, value),), ())


def total(rows):
    return sum(tokens for _, tokens in rows)


def test_unfiltered_bodies_are_byte_identical_to_before_the_filters_existed():
    # Computed with the sandbox of main 0e62196 (before segments) over the same two windows.
    digest = hashlib.sha256()
    for start in (dt.date(2025, 1, 1), dt.date(2026, 1, 2)):
        body, _ = build_body(SOURCE, Window(start, start + dt.timedelta(days=330)), {"as_of": "x"})
        digest.update(body)
    assert digest.hexdigest() == "8831348141d7da6d855d057bc8ab4ae29f6acdd232768f9268ed4c2ed01d39fc"


@pytest.mark.parametrize(("name", "value"), SEGMENTS, ids=[v for _, v in SEGMENTS])
def test_every_segment_day_of_all_history_keeps_the_feeds_rules_and_stays_within_the_day(
    name, value
):
    for day in all_days():
        rows = day_segment(day, name, value)
        slugs = [slug for slug, _ in rows]
        assert len(rows) <= TOP_N + 1 and len(set(slugs)) == len(slugs), day
        assert all(tokens > 0 for _, tokens in rows), day  # zero-token models are dropped
        if OTHER in slugs:
            assert slugs.index(OTHER) == len(slugs) - 1 == TOP_N, day
        ranked = [(-tokens, slug) for slug, tokens in rows if slug != OTHER]
        assert ranked == sorted(ranked), day
        assert total(rows) <= total(history.day_rows(0, day)), day


def test_context_buckets_partition_the_day_exactly_and_each_models_tokens():
    for day in all_days()[::7]:
        day_rows = history.day_rows(0, day)
        buckets = [day_segment(day, "context_bucket", value) for value in CONTEXT_BUCKETS]
        assert sum(total(rows) for rows in buckets) == total(day_rows), day
        for slug, tokens in day_rows:
            if slug != OTHER:  # every ranked model's buckets sum to its day
                split = [
                    segments.segment_tokens(0, slug, tokens, (("context_bucket", v),))
                    for v in CONTEXT_BUCKETS
                ]
                assert sum(split) == tokens, (day, slug)


def test_modalities_overlap_each_within_the_day():
    overlapping = 0
    for day in all_days()[::7]:
        day_total = total(history.day_rows(0, day))
        totals = [total(day_segment(day, "modality", value)) for value in MODALITIES]
        assert all(0 < t <= day_total for t in totals), day
        overlapping += sum(totals) > day_total
    assert overlapping > 50  # text alone is ~95 % of a day; image and tools come on top


def test_sparse_segments_list_fewer_models_and_no_other():
    rows = day_segment(FIRST, "modality", "image_output")
    assert 0 < len(rows) < TOP_N and OTHER not in [slug for slug, _ in rows]


def test_both_exact_filters_give_their_intersection():
    both = dict(
        segments.exact_bucket_rows(
            SOURCE,
            Bucket(FIRST, ((FIRST, FIRST),)),
            (("modality", "tool_calling"), ("context_bucket", "100K")),
            (),
        )
    )
    tools = dict(day_segment(FIRST, "modality", "tool_calling"))
    bucket = dict(day_segment(FIRST, "context_bucket", "100K"))
    for slug, tokens in both.items():
        if slug != OTHER and slug in tools and slug in bucket:
            assert tokens <= min(tools[slug], bucket[slug])


def test_apportion_is_exact_and_proportional():
    assert segments.apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert segments.apportion(0, [1, 2]) == [0, 0]
    assert segments.apportion(7, [0, 0]) == [0, 0]
    shares = segments.apportion(10**13 + 7, [3, 5, 11, 0, 2])
    assert sum(shares) == 10**13 + 7 and shares[3] == 0


# --- over HTTP -------------------------------------------------------------------------------


def test_a_segment_is_served_per_day_in_contract_order_within_the_unfiltered_day(sandbox):
    window = {"start_date": "2025-06-01", "end_date": "2025-06-10"}
    plain = by_date(get(sandbox, **window).json()["data"])
    for name, value in SEGMENTS:
        response = get(sandbox, **window, **{name: value})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["meta"]["start_date"] == "2025-06-01"
        days = by_date(body["data"])
        assert sorted(days) == sorted(plain)
        for date, rows in days.items():
            assert_day_in_contract_order(rows)
            assert sum(int(r["total_tokens"]) for r in rows) <= sum(
                int(r["total_tokens"]) for r in plain[date]
            )
    assert sandbox.request_count(status=200) == 1 + len(SEGMENTS)


def test_context_buckets_sum_to_the_unfiltered_day_over_http(sandbox):
    window = {"start_date": "2026-03-01", "end_date": "2026-03-04"}
    day_totals = day_sums(get(sandbox, **window))
    bucket_totals = collections.Counter()
    for value in CONTEXT_BUCKETS:
        bucket_totals.update(day_sums(get(sandbox, **window, context_bucket=value)))
    assert dict(bucket_totals) == day_totals


def day_sums(response):
    sums = collections.Counter()
    for row in response.json()["data"]:
        sums[row["date"]] += int(row["total_tokens"])
    return dict(sums)


def test_period_day_is_the_default_and_unfiltered_period_day_is_the_same_body(sandbox):
    sandbox.configure(as_of="2026-05-12T02:00:00Z")
    window = {"start_date": "2025-06-01", "end_date": "2025-06-03"}
    assert get(sandbox, **window, period="day").content == get(sandbox, **window).content
    text = get(sandbox, **window, modality="text").content
    assert get(sandbox, **window, modality="text", period="day").content == text


@pytest.mark.parametrize("filters", [{}, {"modality": "tool_calling"}, {"context_bucket": "1M"}])
def test_exact_weeks_and_months_sum_the_windows_days_under_the_buckets_start(sandbox, filters):
    window = {"start_date": "2025-06-04", "end_date": "2025-08-06"}  # a Wednesday to a Wednesday
    daily = day_sums(get(sandbox, **window, **filters))
    for period, key in (
        ("week", lambda d: d - dt.timedelta(days=d.weekday())),
        ("month", lambda d: d.replace(day=1)),
    ):
        expected = collections.Counter()
        for date, tokens in daily.items():
            expected[key(dt.date.fromisoformat(date)).isoformat()] += tokens
        response = get(sandbox, **window, **filters, period=period)
        assert day_sums(response) == dict(expected), period
        days = by_date(response.json()["data"])
        assert min(days) < window["start_date"]  # 2025-06-02 (Monday) / 2025-06-01
        for rows in days.values():
            assert len(rows) <= 51
            assert_day_in_contract_order(rows)


def test_a_segment_day_is_the_same_whatever_window_or_process_asks(sandbox, sandbox_factory):
    wide = get(sandbox, start_date="2025-05-01", end_date="2025-05-31", modality="image")
    narrow = get(sandbox, start_date="2025-05-15", end_date="2025-05-15", modality="image")
    other = get(sandbox_factory(), start_date="2025-05-15", end_date="2025-05-15", modality="image")
    day = by_date(wide.json()["data"])["2025-05-15"]
    assert by_date(narrow.json()["data"])["2025-05-15"] == day
    assert json.loads(other.content)["data"] == day
