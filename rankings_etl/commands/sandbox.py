"""``rankings-etl sandbox``: serve the offline Data API, rankings-daily and app-rankings (also
``python -m rankings_etl.sandbox``)."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap

import click

from rankings_etl.commands.options import parse_date_option, parsed_by
from rankings_etl.core.rate_limits import RATE_PER_DAY, RATE_PER_MINUTE
from rankings_etl.sandbox.apps import CATEGORY_OF_SUBCATEGORY
from rankings_etl.sandbox.config import normalize_as_of
from rankings_etl.sandbox.faults import ALL_KINDS, FaultError, fault_from_dict, parse_fault_flag

_FAULT_LINES = "\n".join(
    textwrap.fill(text, 92, initial_indent=f"  {kind}: ", subsequent_indent="      ")
    for kind, text in ALL_KINDS.items()
)

_SUBCATEGORIES: dict[str, list[str]] = {}
for _sub, _category in CATEGORY_OF_SUBCATEGORY.items():
    _SUBCATEGORIES.setdefault(_category, []).append(_sub)
_MAPPING = "; ".join(f"{cat}: {', '.join(subs)}" for cat, subs in _SUBCATEGORIES.items())
_MAPPING_LINES = textwrap.fill(_MAPPING, 92, initial_indent="  ", subsequent_indent="  ")

EPILOG = f"""\b
Faults (--fault at start-up, or POST /_sandbox/faults at run time):
{_FAULT_LINES}
\b
  Every fault takes `count` (responses it applies to, default 1, -1 = until cleared),
  `endpoint` (rankings-daily | app-rankings) and `match` (query parameters the request must
  carry, null = absent); a request consumes the first queued fault that matches it. Rankings
  data faults take `date` (default: the first date of the answer, a day or a week/month
  bucket) and act on rankings-daily only; app_* faults on app-rankings only.
  Examples: --fault status:status=503,count=2  --fault drop
            --fault '{{"kind": "hostile_slug", "variant": "sql"}}'
            --fault '{{"kind": "status", "status": 500, "match": {{"sort": "trending"}}}}'

\b
Admin API (loopback clients only, no key): GET/POST/DELETE /_sandbox/faults,
GET /_sandbox/stats, POST /_sandbox/reset, GET/POST /_sandbox/config (per_minute, per_day,
minute_seconds: how long the rate "minute" lasts, as_of, today), GET /_sandbox/health.

\b
Endpoints (one shared limiter: per key per minute and per account per day, across both):
- GET /api/v1/datasets/rankings-daily: start_date, end_date, period (day|week|month),
  modality, context_bucket (exact segments: context buckets partition each model's tokens,
  modalities overlap), category, language_type (sampled weekly estimates, default period
  week: whole ISO weeks dated by their Monday, the trailing one past end_date);
- GET /api/v1/datasets/app-rankings: start_date, end_date, sort (popular|trending), limit
  (1-100, default 50), offset (0-100; rank stays absolute), category, subcategory.

\b
Rules the public contract leaves open, as this sandbox applies them:
- the 366-day limit counts the resolved window, after start_date is clamped to 2025-01-01;
- an end_date after the last completed UTC day is refused with 400;
- every authenticated request counts against the limits, including those refused with 400;
  requests refused with 401 or 429 do not;
- the key never appears in logs, stats or errors, only its fingerprint (sha256, 12 hex);
- category with language_type, either with modality or context_bucket, an unknown filter
  value, and (as documented) period=day with category or language_type: 400;
- app-rankings' subcategory must belong to its category; the mapping is an assumption of
  this sandbox (the SDK says only "must be consistent"):
{_MAPPING_LINES}
"""


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (anything but loopback exposes the API to your network).",
)
@click.option(
    "--port",
    default=8787,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one (printed on stdout as PORT=<n>).",
)
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, dir_okay=False),
    help="File of accepted API keys, one `KEY [ACCOUNT]` per line (account: for the per-day "
    "limit; default one account). Without --keys/--key any key shaped sk-or-... is accepted.",
)
@click.option(
    "--key", "keys", multiple=True, metavar="KEY", help="An accepted API key (repeatable)."
)
@click.option(
    "--per-minute",
    default=RATE_PER_MINUTE,
    show_default=True,
    type=click.IntRange(1),
    help="Requests per rolling minute per key before 429.",
)
@click.option(
    "--per-day",
    default=RATE_PER_DAY,
    show_default=True,
    type=click.IntRange(1),
    help="Requests per rolling 24 h per account before 429.",
)
@click.option(
    "--as-of",
    callback=parsed_by(normalize_as_of),
    metavar="TIMESTAMP",
    help="Fix meta.as_of, e.g. 2026-05-12T02:00:00Z (default: the time of each response).",
)
@click.option(
    "--today",
    callback=parse_date_option,
    metavar="YYYY-MM-DD",
    help="Fix today's UTC date: the last completed day (default end_date, latest servable "
    "date) is the day before. Default: the real date; with --replay, the day after the file's "
    "last date.",
)
@click.option(
    "--replay",
    type=click.Path(exists=True, dir_okay=False),
    help="Serve the rows of a CSV (date,model_permaslug,total_tokens; other columns ignored) "
    "or of a saved JSON response instead of the synthetic history.",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    help="Seed of the synthetic history (same seed, same rows, in any process).",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="SPEC",
    help="Queue a fault at start-up: KIND[:key=value,...] or a JSON object (repeatable; "
    "kinds below).",
)
@click.option(
    "--revise",
    multiple=True,
    metavar="DATE:FACTOR",
    help="Scale one day's tokens until cleared, e.g. 2026-11-22:1.001 (repeatable).",
)
@click.option("--quiet", is_flag=True, help="No per-request log lines on stderr.")
def sandbox(
    host: str,
    port: int,
    keys_file: str | None,
    keys: tuple[str, ...],
    per_minute: int,
    per_day: int,
    as_of: str | None,
    today: dt.date | None,
    replay: str | None,
    seed: int,
    faults: tuple[str, ...],
    revise: tuple[str, ...],
    quiet: bool,
) -> None:
    """Serve OpenRouter-compatible rankings-daily and app-rankings endpoints, offline.

    A deterministic synthetic history from 2025-01-01 to the last completed UTC day (51 rows a
    day), or the rows of a replay file, with its segments and estimates; ~400 synthetic apps;
    the documented validation, error bodies and rate limits (429 with Retry-After); scripted
    faults for tests. Use any sk-or-... key. One log line per request on stderr.
    """
    from rankings_etl.core.rate_limits import DEFAULT_ACCOUNT
    from rankings_etl.sandbox.config import SandboxConfig
    from rankings_etl.sandbox.keys import read_keys_file
    from rankings_etl.sandbox.replay_source import ReplayError, ReplaySource
    from rankings_etl.sandbox.server import configure_logging, serve

    accepted: dict[str, str] = {}
    if keys_file:
        try:
            accepted.update(read_keys_file(keys_file))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--keys") from None
    accepted.update({key: accepted.get(key, DEFAULT_ACCOUNT) for key in keys})
    try:
        queued = [parse_fault_flag(text) for text in faults]
        for item in revise:
            day, sep, factor = item.partition(":")
            try:
                number = float(factor)
            except ValueError:
                number = None
            if not sep or number is None:
                raise FaultError(f"--revise {item!r} is not DATE:FACTOR, e.g. 2026-11-22:1.001")
            queued.append(fault_from_dict({"kind": "revise", "date": day, "factor": number}))
    except FaultError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        source = ReplaySource.from_file(replay) if replay else None
    except ReplayError as exc:
        raise click.BadParameter(str(exc), param_hint="--replay") from None

    config = SandboxConfig(
        per_minute=per_minute,
        per_day=per_day,
        as_of=as_of,
        today=today,
        seed=seed,
        keys=accepted,
        replay=source,
        faults=queued,
        log_requests=not quiet,
    )
    configure_logging(enabled=not quiet)

    def announce(bound_port: int) -> None:
        click.echo(f"PORT={bound_port}")
        sys.stdout.flush()
        shown = f"[{host}]" if ":" in host else host
        click.echo(
            f"sandbox: serving {config.replay.description if config.replay else 'synthetic'} "
            f"rankings on http://{shown}:{bound_port}/api/v1 (admin: /_sandbox/)",
            err=True,
        )

    try:
        serve(config, host, port, on_ready=announce)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
