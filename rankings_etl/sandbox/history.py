"""A deterministic synthetic history that looks like OpenRouter's real rankings.

Every day is generated from ``(seed, date)`` alone (string-seeded ``random.Random``, which does
not depend on PYTHONHASHSEED), so the same request returns the same rows in any process.
Shape, from ``shared/openrouter-rankings-api.md``: ~60 live models early in 2025 growing to
~400, daily totals growing from ~1e12 to ~2.5e13 tokens, the top 50 listed and everything else
in one ``other`` row holding 5-8 % of the day, permaslugs ``author/model-YYYYMMDD[:variant]``,
``:free`` variants ranked on their own, a ``stealth/...`` model that tops a few days, models
entering and leaving the top 50, and occasional exact ties (broken by permaslug).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import random

from rankings_etl.contract import FIRST_DATE, OTHER, TOP_N

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
UNIVERSE_SIZE = 560
#: The dataset's horizon for shaping growth; days beyond it keep growing gently.
HORIZON_DAYS = 700
STEALTH_SLUG = "stealth/quasar-alpha-20250403"
STEALTH_START = dt.date(2025, 4, 3)
STEALTH_DAYS = 12


@dataclasses.dataclass(frozen=True)
class Model:
    slug: str
    released: dt.date
    retired: dt.date
    popularity: float
    half_life_days: float


@functools.lru_cache(maxsize=8)
def universe(seed: int) -> tuple[Model, ...]:
    """Every model that ever exists, with its release, retirement and popularity."""
    rng = random.Random(f"universe:{seed}")
    models = []
    seen: set[str] = set()
    for index in range(UNIVERSE_SIZE):
        author = AUTHORS[index % len(AUTHORS)] if index < 40 else rng.choice(AUTHORS)
        if index < 70:  # alive when the dataset starts
            released = FIRST_DATE - dt.timedelta(days=rng.randint(1, 300))
        else:
            released = FIRST_DATE + dt.timedelta(days=rng.randint(0, HORIZON_DAYS + 60))
        family = rng.choice(FAMILIES)
        version = f"{rng.randint(1, 5)}.{rng.randint(0, 9)}"
        size = rng.choice(("", "-mini", "-pro", "-flash", "-large", "-instruct"))
        base = f"{author}/{family}-{version}{size}-{released:%Y%m%d}"
        if base in seen:
            continue
        seen.add(base)
        lifespan = rng.randint(200, 900)
        popularity = math.exp(rng.gauss(0, 1.4))
        half_life = rng.uniform(60, 400)
        retired = released + dt.timedelta(days=lifespan)
        models.append(Model(base, released, retired, popularity, half_life))
        if rng.random() < 0.12:  # a :free variant, ranked as its own entry
            models.append(
                Model(f"{base}:free", released, retired, popularity * 0.3, half_life * 0.7)
            )
    stealth_end = STEALTH_START + dt.timedelta(days=STEALTH_DAYS)
    models.append(Model(STEALTH_SLUG, STEALTH_START, stealth_end, 400.0, 1000.0))
    return tuple(models)


def day_total(day: dt.date, rng: random.Random) -> int:
    """All tokens of the day: ~1e12 at the start of 2025, ~2.5e13 two years on, weekly dips."""
    t = (day - FIRST_DATE).days / HORIZON_DAYS
    weekly = 0.9 if day.weekday() >= 5 else 1.0
    return int(1e12 * 25**t * weekly * math.exp(rng.gauss(0, 0.03)))


@functools.lru_cache(maxsize=4096)
def day_rows(seed: int, day: dt.date) -> tuple[tuple[str, int], ...]:
    """The day's rows in API order: the top 50 (ties by permaslug), then ``other``."""
    rng = random.Random(f"day:{seed}:{day.isoformat()}")
    weights = []
    for model in universe(seed):
        if not model.released <= day < model.retired:
            continue
        age = (day - model.released).days
        ramp = min(1.0, (age + 1) / 21)  # climbs for three weeks after release
        decay = 0.5 ** (age / model.half_life_days)
        weights.append((model.popularity * ramp * decay * math.exp(rng.gauss(0, 0.12)), model))
    weights.sort(key=lambda pair: -pair[0])
    top = weights[:TOP_N]
    total = day_total(day, rng)
    other_share = rng.uniform(0.05, 0.08) if len(weights) > TOP_N else 0.0
    top_weight = sum(weight for weight, _ in top)
    ranked = [
        [model.slug, max(1, int(total * (1 - other_share) * weight / top_weight))]
        for weight, model in top
    ]
    if rng.random() < 0.15:  # an exact tie somewhere in the ranking
        k = rng.randint(5, len(ranked) - 2)
        ranked[k + 1][1] = ranked[k][1]
    ranked.sort(key=lambda row: (-row[1], row[0]))
    rows = [(slug, tokens) for slug, tokens in ranked]
    if other_share:
        rows.append((OTHER, int(total * other_share)))
    return tuple(rows)


def live_model_count(seed: int, day: dt.date) -> int:
    return sum(1 for m in universe(seed) if m.released <= day < m.retired)
