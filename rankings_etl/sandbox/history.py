"""A deterministic synthetic history that looks like OpenRouter's real rankings (pure).

Shape, from ``docs/OPENROUTER_API.md``:

- ~70 live models on 2025-01-01 growing to ~400 by late 2026 (then levelling off), of which the
  top 50 are listed, plus one ``other`` row holding 5-8 % of the day;
- daily totals growing from ~1e12 to ~2.5e13 tokens (weekends dip), then growing gently;
- permaslugs shaped ``author/model-YYYYMMDD[:variant]`` from 14 authors, ``:free`` variants
  ranked as their own entries, and ``stealth/...`` models that top the ranking for a few days;
- models are released, climb for three weeks, decay and are retired, so they enter and leave
  the top 50 over time; some days hold an exact tie (broken by permaslug, as the API does).

Determinism: models are released in 28-day blocks, each block and each day drawn from a
``random.Random`` seeded with a string (``"day:<seed>:<date>"``). String seeds go through SHA-512,
not ``hash()``, so the rows of a date depend only on ``(seed, date)``: not on the requested window,
the process, the order of requests, or ``PYTHONHASHSEED``. The history is open-ended, so it keeps
its shape whatever "today" is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import random

from rankings_etl.core.api_facts import FIRST_DATE, OTHER, TOP_N

AUTHORS = (
    "openai",
    "anthropic",
    "google",
    "meta-llama",
    "mistralai",
    "deepseek",
    "qwen",
    "x-ai",
    "moonshotai",
    "z-ai",
    "minimax",
    "cohere",
    "nvidia",
    "microsoft",
)
FAMILIES = (
    "nova",
    "atlas",
    "orion",
    "lyra",
    "vega",
    "helix",
    "quill",
    "ember",
    "pulse",
    "drift",
    "sable",
    "ionic",
    "prism",
    "tundra",
    "zephyr",
    "cobalt",
)
SIZES = ("", "-mini", "-pro", "-flash", "-large", "-instruct", "-coder")

#: Releases are drawn per block of this many days (block 0 starts on FIRST_DATE).
BLOCK_DAYS = 28
#: A model lives this many days at most, so a day only looks this far back for releases.
MAX_LIFESPAN = 900
MIN_LIFESPAN = 200
#: Releases per day before 2025 and once the market has grown (linear in between).
RELEASE_RATE_START = 0.11
RELEASE_RATE_GROWN = 0.85
RELEASE_GROWTH_DAYS = 500
#: Days over which the market grows from its early-2025 size to its late-2026 size.
GROWTH_DAYS = 700
TOTAL_START = 1.0e12
TOTAL_GROWN = 2.5e13
#: Yearly growth of the daily total after GROWTH_DAYS.
LATER_GROWTH_PER_YEAR = 0.15
#: Share of the day held by the models outside the top 50 (the ``other`` row).
OTHER_SHARE = (0.052, 0.078)
#: Probability that a day holds an exact tie between two ranked models.
TIE_PROBABILITY = 0.15
FREE_VARIANT_PROBABILITY = 0.12
#: A new model reaches its full popularity after this many days.
RAMP_DAYS = 21
#: Width of the uniform day-to-day noise on a model's log weight.
DAY_NOISE = 0.4

#: Anonymous models that top the ranking during their short public test: (slug, first day,
#: days). From its fifth day a stealth model outweighs the day's strongest model by 25 %.
STEALTH_MODELS = (
    ("stealth/quasar-alpha-20250403", dt.date(2025, 4, 3), 14),
    ("stealth/horizon-beta-20260212", dt.date(2026, 2, 12), 10),
)
STEALTH_LEAD = 1.25
STEALTH_RAMP_DAYS = 5

Rows = tuple[tuple[str, int], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Model:
    slug: str
    released: int  # date ordinal of the first day with traffic
    retired: int  # date ordinal of the first day without
    log_popularity: float
    decay_per_day: float  # ln 2 / half-life in days


_FIRST = FIRST_DATE.toordinal()


def _block_of(ordinal: int) -> int:
    return (ordinal - _FIRST) // BLOCK_DAYS


def release_rate(ordinal: int) -> float:
    """Models released per day around ``ordinal``."""
    grown = min(1.0, max(0.0, (ordinal - _FIRST) / RELEASE_GROWTH_DAYS))
    return RELEASE_RATE_START + (RELEASE_RATE_GROWN - RELEASE_RATE_START) * grown


@functools.lru_cache(maxsize=1024)
def released_in_block(seed: int, block: int) -> tuple[Model, ...]:
    """The models (and their ``:free`` variants) first served during one 28-day block."""
    rng = random.Random(f"block:{seed}:{block}")
    first_day = _FIRST + block * BLOCK_DAYS
    expected = release_rate(first_day) * BLOCK_DAYS
    count = int(expected) + (rng.random() < expected - int(expected))
    models: list[Model] = []
    seen: set[str] = set()
    for _ in range(count):
        released = first_day + rng.randrange(BLOCK_DAYS)
        author = rng.choice(AUTHORS)
        name = f"{rng.choice(FAMILIES)}-{rng.randint(1, 5)}.{rng.randint(0, 9)}{rng.choice(SIZES)}"
        slug = f"{author}/{name}-{dt.date.fromordinal(released):%Y%m%d}"
        lifespan = rng.randint(MIN_LIFESPAN, MAX_LIFESPAN)
        log_popularity = rng.gauss(0.0, 1.4)
        decay = math.log(2) / rng.uniform(60, 400)
        free = rng.random() < FREE_VARIANT_PROBABILITY
        if slug in seen:
            continue
        seen.add(slug)
        models.append(Model(slug, released, released + lifespan, log_popularity, decay))
        if free:
            models.append(
                Model(
                    f"{slug}:free",
                    released,
                    released + lifespan,
                    log_popularity + math.log(0.3),
                    decay * 1.4,
                )
            )
    return tuple(models)


def live_models(seed: int, day: dt.date) -> list[Model]:
    """Every regular model with traffic on ``day`` (released on or before it, not retired)."""
    ordinal = day.toordinal()
    return [
        model
        for block in range(_block_of(ordinal - MAX_LIFESPAN), _block_of(ordinal) + 1)
        for model in released_in_block(seed, block)
        if model.released <= ordinal < model.retired
    ]


def live_stealth(day: dt.date) -> list[tuple[str, int]]:
    """(slug, age in days) of the stealth models with traffic on ``day``."""
    return [
        (slug, (day - start).days)
        for slug, start, days in STEALTH_MODELS
        if start <= day < start + dt.timedelta(days=days)
    ]


def day_total(day: dt.date, rng: random.Random) -> int:
    """All tokens of the day: ~1e12 early in 2025, ~2.5e13 late in 2026, with weekend dips."""
    elapsed = (day.toordinal() - _FIRST) / GROWTH_DAYS
    grown = (TOTAL_GROWN / TOTAL_START) ** min(1.0, max(0.0, elapsed))
    later = 1.0 + LATER_GROWTH_PER_YEAR * max(0.0, elapsed - 1.0) * GROWTH_DAYS / 365
    weekly = 0.9 if day.weekday() >= 5 else 1.0
    return int(TOTAL_START * grown * later * weekly * math.exp(rng.gauss(0.0, 0.03)))


def _weighted_models(seed: int, day: dt.date, rng: random.Random) -> list[tuple[float, str]]:
    """(weight, slug) of every model live on ``day``, heaviest first (draws from ``rng``)."""
    ordinal = day.toordinal()
    rand, exp = rng.random, math.exp
    weighted = []
    for model in live_models(seed, day):
        age = ordinal - model.released
        # Popularity decays with age; day-to-day noise is uniform in log space (±DAY_NOISE/2).
        weight = exp(model.log_popularity - model.decay_per_day * age + DAY_NOISE * (rand() - 0.5))
        if age < RAMP_DAYS - 1:  # climbs for three weeks after release
            weight *= (age + 1) / RAMP_DAYS
        weighted.append((weight, model.slug))
    stealth = live_stealth(day)
    if stealth:
        strongest = max((weight for weight, _ in weighted), default=1.0)
        for slug, age in stealth:
            ramp = min(1.0, (age + 1) / STEALTH_RAMP_DAYS)
            weighted.append((STEALTH_LEAD * strongest * ramp, slug))
    weighted.sort(reverse=True)
    return weighted


@functools.lru_cache(maxsize=4096)
def day_rows(seed: int, day: dt.date) -> Rows:
    """The day's rows in API order: the top 50 by tokens (ties by permaslug), then ``other``."""
    rng = random.Random(f"day:{seed}:{day.isoformat()}")
    weighted = _weighted_models(seed, day, rng)
    top = weighted[:TOP_N]
    total = day_total(day, rng)
    other_share = rng.uniform(*OTHER_SHARE) if len(weighted) > TOP_N else 0.0
    top_tokens = total * (1 - other_share)
    top_weight = sum(weight for weight, _ in top)
    ranked = [[slug, max(1, int(top_tokens * weight / top_weight))] for weight, slug in top]
    if rng.random() < TIE_PROBABILITY and len(ranked) > 7:
        k = rng.randint(5, len(ranked) - 2)
        ranked[k + 1][1] = ranked[k][1]  # tokens are descending, so order stays valid
    ranked.sort(key=lambda row: (-row[1], row[0]))
    rows = [(slug, tokens) for slug, tokens in ranked]
    if other_share:
        ranked_sum = sum(tokens for _, tokens in rows)
        rows.append((OTHER, round(ranked_sum * other_share / (1 - other_share))))
    return tuple(rows)


@functools.lru_cache(maxsize=1024)
def tail_weights(seed: int, day: dt.date) -> tuple[tuple[str, float], ...]:
    """(slug, weight) of the models outside the day's top 50: the ones its ``other`` row sums.

    The segments split ``other`` among them by weight. Drawn from a fresh copy of the day's
    RNG, so computing them never changes :func:`day_rows`.
    """
    rng = random.Random(f"day:{seed}:{day.isoformat()}")
    return tuple((slug, weight) for weight, slug in _weighted_models(seed, day, rng)[TOP_N:])


def live_model_count(seed: int, day: dt.date) -> int:
    return len(live_models(seed, day)) + len(live_stealth(day))


class SyntheticSource:
    """The synthetic history as a row source: every date from 2025-01-01 on has rows."""

    description = "synthetic"

    def __init__(self, seed: int = 0):
        self.seed = seed

    def day_rows(self, day: dt.date) -> Rows:
        return day_rows(self.seed, day) if day >= FIRST_DATE else ()

    def tail_weights(self, day: dt.date) -> tuple[tuple[str, float], ...]:
        return tail_weights(self.seed, day) if day >= FIRST_DATE else ()

    def last_day(self) -> dt.date | None:
        """Open-ended: the last served day follows "today"."""
        return None
