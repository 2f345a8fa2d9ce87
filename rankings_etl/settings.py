"""Every setting the product reads from the environment, with its default, in one place.

The definitions (``Settings.from_env()`` once, when they load), every CLI command (through
:func:`option_default`), the scripts, the bench and the tests take their settings and defaults
from here; no other product module reads the environment (the event storage and ``rebuild``
ask :func:`event_batch_size`, :func:`event_trace_path` and :func:`dagster_home_is_set`). The
API key is the exception by design: the definitions pass it to Dagster as
``EnvVar("OPENROUTER_API_KEY")``, so its value is resolved at run time and never becomes
config; `rankings-etl budget` reads it only to show its fingerprint
(:func:`current_key_fingerprint`).

Names are literal ``os.getenv`` arguments on purpose: the deploy tests read them from this file
to check that every variable reaches the Compose services and the Helm pods.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

from rankings_etl.core.api_facts import DEFAULT_BASE_URL
from rankings_etl.core.keys import key_fingerprint
from rankings_etl.core.rate_limits import RATE_PER_DAY, RATE_PER_MINUTE


class SettingsError(ValueError):
    """A variable is set to a value the project cannot use; the message names both."""


@dataclasses.dataclass(frozen=True)
class Settings:
    #: OPENROUTER_BASE_URL
    base_url: str = DEFAULT_BASE_URL
    #: RANKINGS_DUCKDB_PATH
    duckdb_path: str = "data/rankings.duckdb"
    #: RANKINGS_BUDGET_DB
    budget_db: str = "data/rate_budget.sqlite"
    #: Whether RANKINGS_BUDGET_DB is set: then the definitions pass it as an ``EnvVar`` (a
    #: ``postgresql://`` URL may carry a password the UI must not show).
    budget_db_is_set: bool = False
    #: OPENROUTER_RATE_PER_MINUTE
    rate_per_minute: int = RATE_PER_MINUTE
    #: OPENROUTER_RATE_PER_DAY
    rate_per_day: int = RATE_PER_DAY
    #: RANKINGS_BUDGET_KEEP_FOR_SCHEDULES: slots of the day budget a run the schedules did not
    #: launch must leave free, so a big backfill cannot starve the next ticks. The default is
    #: what the ticks of one day send (daily 1 + 10 segments, weekly 14 + 2); a test keeps it
    #: equal to the registry's count.
    keep_for_schedules: int = 27
    #: RANKINGS_EXPORT_DIR
    export_dir: str = "data/exports"
    #: RANKINGS_SCHEDULE_CRON
    schedule_cron: str = "15 0 * * *"
    #: RANKINGS_AUTOMATION_INTERVAL_SECONDS
    automation_interval_seconds: int = 30

    @classmethod
    def from_env(cls) -> Settings:
        """The settings of this process: each variable that is set and not empty, else the
        default. An unusable number raises :class:`SettingsError` naming the variable."""
        budget_db = os.getenv("RANKINGS_BUDGET_DB")
        return cls(
            base_url=os.getenv("OPENROUTER_BASE_URL") or DEFAULTS.base_url,
            duckdb_path=os.getenv("RANKINGS_DUCKDB_PATH") or DEFAULTS.duckdb_path,
            budget_db=budget_db or DEFAULTS.budget_db,
            budget_db_is_set=bool(budget_db),
            rate_per_minute=_int(
                "OPENROUTER_RATE_PER_MINUTE",
                os.getenv("OPENROUTER_RATE_PER_MINUTE"),
                DEFAULTS.rate_per_minute,
            ),
            rate_per_day=_int(
                "OPENROUTER_RATE_PER_DAY",
                os.getenv("OPENROUTER_RATE_PER_DAY"),
                DEFAULTS.rate_per_day,
            ),
            keep_for_schedules=_int(
                "RANKINGS_BUDGET_KEEP_FOR_SCHEDULES",
                os.getenv("RANKINGS_BUDGET_KEEP_FOR_SCHEDULES"),
                DEFAULTS.keep_for_schedules,
            ),
            export_dir=os.getenv("RANKINGS_EXPORT_DIR") or DEFAULTS.export_dir,
            schedule_cron=os.getenv("RANKINGS_SCHEDULE_CRON") or DEFAULTS.schedule_cron,
            automation_interval_seconds=_int(
                "RANKINGS_AUTOMATION_INTERVAL_SECONDS",
                os.getenv("RANKINGS_AUTOMATION_INTERVAL_SECONDS"),
                DEFAULTS.automation_interval_seconds,
            ),
        )

    def environment(self) -> dict[str, str]:
        """These settings as the variables a child process reads (bench, tests, scripts)."""
        return {name: str(getattr(self, field)) for field, name in VARIABLES.items()}


def _int(name: str, value: str | None, default: int) -> int:
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a whole number") from None


DEFAULTS = Settings()

#: Each setting's variable, in the README's order (``budget_db_is_set`` is derived, not a variable).
VARIABLES: dict[str, str] = {
    "base_url": "OPENROUTER_BASE_URL",
    "duckdb_path": "RANKINGS_DUCKDB_PATH",
    "budget_db": "RANKINGS_BUDGET_DB",
    "rate_per_minute": "OPENROUTER_RATE_PER_MINUTE",
    "rate_per_day": "OPENROUTER_RATE_PER_DAY",
    "keep_for_schedules": "RANKINGS_BUDGET_KEEP_FOR_SCHEDULES",
    "export_dir": "RANKINGS_EXPORT_DIR",
    "schedule_cron": "RANKINGS_SCHEDULE_CRON",
    "automation_interval_seconds": "RANKINGS_AUTOMATION_INTERVAL_SECONDS",
}

#: (variable, default): the project's rows of the README's Configuration table, the key (no
#: default) first. A test compares them with the README.
ENVIRONMENT: tuple[tuple[str, str | None], ...] = (
    ("OPENROUTER_API_KEY", None),
    *((name, str(getattr(DEFAULTS, field))) for field, name in VARIABLES.items()),
)


#: Read when used, by code that runs inside Dagster's processes rather than by the definitions:
#: Dagster's own events-per-batch knob (our instance honours it), a diagnostic trace of event
#: writes, and Dagster's instance folder (``rankings-etl rebuild`` records its run there if set).
BATCH_SIZE_ENV = "DAGSTER_EVENT_BATCH_SIZE"
TRACE_ENV = "RANKINGS_EVENT_STORAGE_TRACE"
DAGSTER_HOME_ENV = "DAGSTER_HOME"


def event_batch_size() -> int | None:
    """``DAGSTER_EVENT_BATCH_SIZE`` when set (``0``: no batching), else None."""
    configured = os.environ.get(BATCH_SIZE_ENV)
    if configured is not None and configured.strip():
        return int(configured)
    return None


def event_trace_path() -> str | None:
    """The file ``RANKINGS_EVENT_STORAGE_TRACE`` names, if any."""
    return os.environ.get(TRACE_ENV) or None


def dagster_home_is_set() -> bool:
    return bool(os.environ.get(DAGSTER_HOME_ENV))


def option_default(name: str, default: object) -> Callable[[], str]:
    """A click ``default=`` that reads variable ``name`` when the command runs (empty = unset).

    The raw text goes through click's own type, so ``OPENROUTER_RATE_PER_DAY=lots`` is refused
    like ``--per-day lots`` would be.
    """
    return lambda: os.environ.get(name) or str(default)


def current_key_fingerprint() -> str | None:
    """The fingerprint of the key in ``OPENROUTER_API_KEY``, or None if none is set; the value
    itself never leaves this function."""
    api_key = os.getenv("OPENROUTER_API_KEY") or ""
    return key_fingerprint(api_key) if api_key.strip() else None
