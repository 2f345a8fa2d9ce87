"""The filtered rankings: exact segments and sampled estimates, derived from a day's rows (pure).

Every figure here is derived from the unfiltered feed, never drawn from a day's RNG, so the
unfiltered answers stay byte-identical (``test_history.py`` pins them):

- **A day's models.** The day's ranked rows as served, plus the models its ``other`` row sums
  (the synthetic history's tail, ``history.tail_weights``), with ``other`` apportioned among
  them by weight, exactly (largest remainder): the models' tokens sum to the day's total. A
  replay file has no tail: its ``other`` stays one pseudo-model that always lands in ``other``.
- **Fractions** are per (model, dimension), from their own string-seeded ``random.Random``
  (``"segment:{seed}:{slug}:{dimension}"``): constant over a model's life, the same in any
  process. Context buckets *partition* a model's tokens (apportioned exactly, so a model's
  buckets sum to its day); modality fractions *overlap* (a request with an image input and a
  tool call counts in both), each at most 1, so a segment-day's total never exceeds the day's.
- **Ranking** per segment and bucket as the real feed: zero-token models dropped, the top 50
  by tokens (ties by permaslug), then ``other`` summing the rest (omitted when there is none).
- **Sampled estimates** (``category``, ``language_type``) are made per ISO week: the model's
  week tokens x its fraction x a noise of up to ±NOISE, rounded to a multiple of SAMPLE_UNIT
  (an upsampled look): *not* sums of exact days, and free to differ from them.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import hashlib
import random
from collections.abc import Sequence

from rankings_etl.core.api_facts import CATEGORIES, CONTEXT_BUCKETS, LANGUAGE_TYPES, OTHER, TOP_N
from rankings_etl.core.windows import iso_week_start
from rankings_etl.sandbox.bucketing import Bucket, Span
from rankings_etl.sandbox.history import Rows
from rankings_etl.sandbox.sources import RowSource, rows_for_day

#: Fractions are held in parts per million (integers, so a split is exact).
PPM = 1_000_000
#: Sampled estimates are multiples of this (the sample is upsampled by it).
SAMPLE_UNIT = 100
#: Relative half-width of the uniform noise of a sampled estimate.
NOISE = 0.08
#: ``(name, value)`` pairs of the exact filters of one request (``modality``, ``context_bucket``).
Exact = tuple[tuple[str, str], ...]
#: ``day -> revision factor`` as a sorted tuple, so it can key a cache.
Factors = tuple[tuple[dt.date, float], ...]


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to integer ``weights``, summing to ``total`` exactly
    (largest remainder; equal remainders go to the earlier weight). All zero: all zero."""
    weight_sum = sum(weights)
    if weight_sum <= 0 or total <= 0:
        return [0] * len(weights)
    shares = [total * weight // weight_sum for weight in weights]
    remainders = [total * weight % weight_sum for weight in weights]
    left = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares


def seed_of(source: RowSource) -> int:
    return getattr(source, "seed", 0)


def _rng(seed: int, slug: str, dimension: str) -> random.Random:
    return random.Random(f"segment:{seed}:{slug}:{dimension}")


def _unit(text: str) -> float:
    """A uniform number in [0, 1) determined by ``text`` (cheaper than seeding a Random)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest()) / 2**64


# --- fractions per (model, dimension) ------------------------------------------------------


@functools.lru_cache(maxsize=65_536)
def context_weights(seed: int, slug: str) -> tuple[int, ...]:
    """Integer weights of the model's tokens in 1K, 10K, 100K, 1M, 10M contexts."""
    rng = _rng(seed, slug, "context_bucket")
    long_context = rng.random() < 0.5
    weights = (
        rng.uniform(0.05, 0.4),
        rng.uniform(0.2, 0.6),
        rng.uniform(0.05, 0.4),
        rng.uniform(0.01, 0.12) if long_context else 0.0,
        rng.uniform(0.0, 0.02) if long_context and rng.random() < 0.3 else 0.0,
    )
    return tuple(round(weight * PPM) for weight in weights)


@functools.lru_cache(maxsize=65_536)
def modality_fractions(seed: int, slug: str) -> dict[str, int]:
    """Parts per million of the model's tokens in each modality (overlapping, each <= PPM)."""
    rng = _rng(seed, slug, "modality")
    image_output = rng.uniform(0.5, 0.9) if rng.random() < 0.06 else 0.0
    text = 1.0 - image_output if image_output else rng.uniform(0.93, 1.0)
    image = rng.uniform(0.02, 0.25) if rng.random() < 0.45 else 0.0
    audio = rng.uniform(0.005, 0.05) if rng.random() < 0.12 else 0.0
    tool_calling = rng.uniform(0.05, 0.55) if rng.random() < 0.8 else 0.0
    fractions = {
        "text": text,
        "image": image,
        "image_output": image_output,
        "audio": audio,
        "tool_calling": tool_calling,
    }
    return {name: round(value * PPM) for name, value in fractions.items()}


@functools.lru_cache(maxsize=65_536)
def sampled_fractions(seed: int, slug: str, dimension: str) -> dict[str, float]:
    """The model's share of its tokens per category or per language type (estimates)."""
    rng = _rng(seed, slug, dimension)
    coder = "coder" in slug
    if dimension == "language_type":
        programming = rng.uniform(0.6, 0.95) if coder else rng.uniform(0.05, 0.4)
        return dict(zip(LANGUAGE_TYPES, (1.0 - programming, programming), strict=True))
    weights = {
        category: rng.expovariate(1.0) * (6.0 if coder and category == "programming" else 1.0)
        for category in CATEGORIES
    }
    coverage = rng.uniform(0.6, 0.95) / sum(weights.values())  # some traffic is unclassified
    fractions = {category: weight * coverage for category, weight in weights.items()}
    fractions["marketing/seo"] = fractions["marketing"] * rng.uniform(0.2, 0.5)  # a subset
    return fractions


def segment_tokens(seed: int, slug: str, tokens: int, exact: Exact) -> int:
    """A model's tokens restricted to the exact filters (their intersection when both)."""
    for name, value in exact:
        if name == "context_bucket":
            tokens = apportion(tokens, context_weights(seed, slug))[CONTEXT_BUCKETS.index(value)]
    for name, value in exact:
        if name == "modality":
            tokens = tokens * modality_fractions(seed, slug)[value] // PPM
    return tokens


# --- a day's models, and ranking ---------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def day_models(source: RowSource, day: dt.date, factor: float | None) -> Rows:
    """Every model's tokens on ``day``: the ranked rows, then the tail that ``other`` sums."""
    rows = rows_for_day(source, day, factor)
    models = [(slug, tokens) for slug, tokens in rows if slug != OTHER]
    other = sum(tokens for slug, tokens in rows if slug == OTHER)
    tail_of = getattr(source, "tail_weights", None)
    tail = tail_of(day) if tail_of is not None and other else ()
    if tail:
        weight_sum = sum(weight for _, weight in tail)
        weights = [int(weight / weight_sum * 2**48) for _, weight in tail]
        split = apportion(other, weights)
        models += [(slug, tokens) for (slug, _), tokens in zip(tail, split, strict=True) if tokens]
    elif other:
        models.append((OTHER, other))
    return tuple(models)


def rank(totals: dict[str, int]) -> Rows:
    """API order: the top 50 non-zero models by tokens (ties by permaslug), then ``other``."""
    ranked = sorted(
        ((slug, tokens) for slug, tokens in totals.items() if slug != OTHER and tokens > 0),
        key=lambda row: (-row[1], row[0]),
    )
    rest = sum(tokens for _, tokens in ranked[TOP_N:]) + totals.get(OTHER, 0)
    return tuple(ranked[:TOP_N]) + (((OTHER, rest),) if rest > 0 else ())


def exact_bucket_rows(source: RowSource, bucket: Bucket, exact: Exact, factors: Factors) -> Rows:
    """The rows of one bucket of the exact data: per-model sums of its days, ranked."""
    seed, revised = seed_of(source), dict(factors)
    totals: dict[str, int] = collections.defaultdict(int)
    for day in bucket.days():
        for slug, tokens in day_models(source, day, revised.get(day)):
            totals[slug] += segment_tokens(seed, slug, tokens, exact) if exact else tokens
    return rank(totals)


@functools.lru_cache(maxsize=512)
def week_models(source: RowSource, span: Span, factors: Factors) -> dict[str, int]:
    """Every model's tokens over the days of one (possibly partial) week."""
    revised = dict(factors)
    totals: dict[str, int] = collections.defaultdict(int)
    day = span[0]
    while day <= span[1]:
        for slug, tokens in day_models(source, day, revised.get(day)):
            totals[slug] += tokens
        day += dt.timedelta(days=1)
    return dict(totals)


def sampled_bucket_rows(
    source: RowSource, bucket: Bucket, sampled: tuple[str, str], factors: Factors
) -> Rows:
    """The rows of one bucket of the sampled data: weekly estimates (summed per month), ranked."""
    seed = seed_of(source)
    dimension, value = sampled
    totals: dict[str, int] = collections.defaultdict(int)
    for span in bucket.spans:
        monday = iso_week_start(span[0]).isoformat()
        week_factors = tuple((day, f) for day, f in factors if span[0] <= day <= span[1])
        for slug, tokens in week_models(source, span, week_factors).items():
            fraction = sampled_fractions(seed, slug, dimension)[value]
            if not fraction:
                continue
            noise = 1.0 + NOISE * (
                2 * _unit(f"sample:{seed}:{slug}:{dimension}:{value}:{monday}") - 1
            )
            totals[slug] += round(tokens * fraction * noise / SAMPLE_UNIT) * SAMPLE_UNIT
    return rank(totals)
