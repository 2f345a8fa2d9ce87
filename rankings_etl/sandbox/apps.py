"""The synthetic app rankings behind ``GET /api/v1/datasets/app-rankings`` (pure).

About 400 apps (``app_id`` 1..400), each with a name from word lists, a category and
subcategory, a release day, a popularity, a ramp-up and a decay, and a number of tokens per
request. Their daily tokens are deterministic: one ``random.Random`` per day, seeded with a
string (``"apps-day:{seed}:{date}"``), so a day depends only on ``(seed, date)``. An app climbs
for its ramp-up days, then decays; there is no traffic before 2025-01-01. So ``trending`` lists
mostly the apps still climbing (plus every app in the first four weeks of the dataset, whose
preceding windows have no traffic).

- ``popular``: by the window's tokens (ties by ``app_id``), apps without tokens omitted.
- ``trending``: by the window's tokens minus the mean of the three equal-length windows just
  before it (ties by ``app_id``); only apps with a positive excess are listed, so trending
  returns fewer rows than popular. Rows carry the window's tokens and requests.
- ``category``/``subcategory`` keep the apps of that (sub)category; ranks are re-numbered.
- Paging: the rows ``[offset, offset + limit)`` with ``rank = offset + i + 1`` (absolute).

The subcategory -> category mapping is **an assumption of this sandbox**: the SDK says only
that the pair "must be consistent" (openrouter 1.3.84, ``operations/getapprankings.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import random

from rankings_etl.core.api_facts import APP_CATEGORIES, APP_SUBCATEGORIES, FIRST_DATE
from rankings_etl.core.windows import Window

#: subcategory -> its category (the sandbox's assumption; see the module docstring).
CATEGORY_OF_SUBCATEGORY = {
    **dict.fromkeys(
        ("cli-agent", "ide-extension", "cloud-agent", "programming-app", "native-app-builder"),
        "coding",
    ),
    **dict.fromkeys(("creative-writing", "video-gen", "image-gen", "audio-gen"), "creative"),
    **dict.fromkeys(("roleplay", "game"), "entertainment"),
    **dict.fromkeys(
        ("writing-assistant", "general-chat", "personal-agent", "legal"), "productivity"
    ),
}
assert sorted(CATEGORY_OF_SUBCATEGORY) == sorted(APP_SUBCATEGORIES)
assert set(CATEGORY_OF_SUBCATEGORY.values()) == set(APP_CATEGORIES)

APP_COUNT = 400
FIRST_WORDS = (
    "Blue", "Swift", "Quiet", "Bright", "Deep", "Open", "Rapid", "Clever", "Silver", "Lucid",
    "Nimble", "Iron", "Cosmic", "Polar", "Amber", "Vivid", "Solid", "Echo", "North", "Pixel",
)  # fmt: skip
SECOND_WORDS = (
    "Pilot", "Forge", "Studio", "Agent", "Writer", "Canvas", "Tavern", "Coder", "Desk", "Muse",
    "Quest", "Scribe", "Lab", "Works", "Chat", "Shell", "Sketch", "Voice", "Realm", "Notes",
)  # fmt: skip
#: Tokens per request by category (coding agents send long contexts).
TOKENS_PER_REQUEST = {
    "coding": (8_000, 40_000),
    "creative": (1_500, 6_000),
    "productivity": (1_000, 5_000),
    "entertainment": (2_000, 9_000),
}
#: Tokens a day of an app of popularity 1 at its peak.
BASE_TOKENS = 2.0e9


@dataclasses.dataclass(frozen=True, slots=True)
class App:
    app_id: int
    name: str
    category: str
    subcategory: str
    released: int  # date ordinal of its first day of traffic
    log_popularity: float
    ramp_days: int
    half_life_days: float
    tokens_per_request: int


@functools.lru_cache(maxsize=8)
def catalog(seed: int) -> tuple[App, ...]:
    """The apps, ``app_id`` 1..APP_COUNT (names unique)."""
    rng = random.Random(f"apps:{seed}")
    subcategories = sorted(CATEGORY_OF_SUBCATEGORY)
    first = FIRST_DATE.toordinal()
    apps, names = [], set()
    for app_id in range(1, APP_COUNT + 1):
        name = f"{rng.choice(FIRST_WORDS)} {rng.choice(SECOND_WORDS)}"
        if name in names:
            name = f"{name} {app_id}"
        names.add(name)
        subcategory = rng.choice(subcategories)
        category = CATEGORY_OF_SUBCATEGORY[subcategory]
        low, high = TOKENS_PER_REQUEST[category]
        apps.append(
            App(
                app_id=app_id,
                name=name,
                category=category,
                subcategory=subcategory,
                released=first - 300 + rng.randrange(950),
                log_popularity=rng.gauss(0.0, 1.5),
                ramp_days=rng.randint(20, 150),
                half_life_days=rng.uniform(60, 400),
                tokens_per_request=rng.randint(low, high),
            )
        )
    return tuple(apps)


@functools.lru_cache(maxsize=8192)
def day_tokens(seed: int, day: dt.date) -> tuple[int, ...]:
    """Each app's tokens on ``day`` (index i is ``app_id`` i + 1); none before 2025-01-01."""
    apps = catalog(seed)
    if day < FIRST_DATE:
        return (0,) * len(apps)
    rng = random.Random(f"apps-day:{seed}:{day.isoformat()}")
    ordinal = day.toordinal()
    scale = BASE_TOKENS * (0.85 if day.weekday() >= 5 else 1.0)
    tokens = []
    for app in apps:
        noise = rng.random()
        age = ordinal - app.released
        if age < 0:
            tokens.append(0)
            continue
        ramp = min(1.0, (age + 1) / app.ramp_days)
        decay = 0.5 ** (max(0, age - app.ramp_days) / app.half_life_days)
        weight = math.exp(app.log_popularity + 0.3 * (noise - 0.5)) * ramp * decay
        tokens.append(int(scale * weight))
    return tuple(tokens)


def window_tokens(seed: int, start: dt.date, end: dt.date) -> list[int]:
    """Each app's tokens over ``start..end`` (inclusive)."""
    totals = [0] * APP_COUNT
    day = start
    while day <= end:
        totals = [a + b for a, b in zip(totals, day_tokens(seed, day), strict=True)]
        day += dt.timedelta(days=1)
    return totals


def ranked_apps(
    seed: int,
    window: Window,
    sort: str,
    category: str | None = None,
    subcategory: str | None = None,
) -> list[tuple[App, int]]:
    """(app, window tokens) in ranking order, every app that qualifies."""
    tokens = window_tokens(seed, window.start, window.end)
    apps = catalog(seed)
    chosen = [
        index
        for index, app in enumerate(apps)
        if (category is None or app.category == category)
        and (subcategory is None or app.subcategory == subcategory)
        and tokens[index] > 0
    ]
    if sort == "trending":
        span = dt.timedelta(days=window.days)
        before = window_tokens(seed, window.start - 3 * span, window.start - dt.timedelta(days=1))
        # excess = tokens - before / 3, compared as 3 * tokens - before (integers, exact)
        excess = {index: 3 * tokens[index] - before[index] for index in chosen}
        chosen = sorted((i for i in chosen if excess[i] > 0), key=lambda i: (-excess[i], i))
    else:
        chosen.sort(key=lambda i: (-tokens[i], i))
    return [(apps[index], tokens[index]) for index in chosen]


def app_rows(
    seed: int,
    window: Window,
    sort: str,
    limit: int,
    offset: int,
    category: str | None = None,
    subcategory: str | None = None,
) -> list[dict]:
    """The rows of one page, as the API sends them (``total_tokens`` a decimal string)."""
    ranked = ranked_apps(seed, window, sort, category, subcategory)
    return [
        {
            "app_id": app.app_id,
            "app_name": app.name,
            "rank": offset + position + 1,
            "total_requests": max(1, tokens // app.tokens_per_request),
            "total_tokens": str(tokens),
        }
        for position, (app, tokens) in enumerate(ranked[offset : offset + limit])
    ]
