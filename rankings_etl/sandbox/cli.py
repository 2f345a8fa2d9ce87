"""``rankings-etl sandbox``: serve the offline rankings-daily API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from rankings_etl.sandbox.faults import ALL_KINDS, FaultError, fault_from_dict, parse_fault_flag

FAULT_HELP = "\n".join(f"  {kind}: {text}" for kind, text in sorted(ALL_KINDS.items()))


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a YYYY-MM-DD date") from None


@click.command(
    epilog="\b\nFault kinds (--fault KIND[:key=value,...], or POST /_sandbox/faults):\n"
    + FAULT_HELP
    + "\n\b\nRules the contract leaves open: the 366-day span is counted after start_date is "
    "clamped to 2025-01-01; end_date after the last completed UTC day is a 400; every "
    "authenticated request counts against the rate limits, 401s and 429s do not."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8787,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one and prints it).",
)
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, dir_okay=False),
    help="File of accepted API keys, one per line (default: any sk-or-... key).",
)
@click.option("--key", "keys", multiple=True, help="An accepted API key (repeatable).")
@click.option(
    "--per-minute",
    default=30,
    show_default=True,
    type=click.IntRange(1),
    help="Requests per rolling minute per key before 429.",
)
@click.option(
    "--per-day",
    default=500,
    show_default=True,
    type=click.IntRange(1),
    help="Requests per rolling 24 h per account before 429.",
)
@click.option("--as-of", help="Fix meta.as_of (default: the time of each response).")
@click.option(
    "--today",
    callback=_date,
    help="Fix today's UTC date, YYYY-MM-DD (the last completed day is the one before).",
)
@click.option(
    "--replay",
    type=click.Path(exists=True, dir_okay=False),
    help="Serve real rows from a CSV (date,model_permaslug,total_tokens) or JSON.",
)
@click.option(
    "--seed", default=0, show_default=True, type=int, help="Seed of the synthetic history."
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    help="Queue a fault at start-up, e.g. status:status=500,count=2 (repeatable).",
)
@click.option(
    "--revise",
    multiple=True,
    metavar="DATE:FACTOR",
    help="Scale one day's tokens, e.g. 2026-11-22:1.001 (repeatable).",
)
@click.option("--quiet", is_flag=True, help="No per-request log lines.")
def sandbox(
    host,
    port,
    keys_file,
    keys,
    per_minute,
    per_day,
    as_of,
    today,
    replay,
    seed,
    faults,
    revise,
    quiet,
):
    """Serve an OpenRouter-compatible GET /api/v1/datasets/rankings-daily offline.

    Deterministic synthetic history from 2025-01-01 to yesterday (51 rows a day), the
    documented validation, errors and rate limits, and scripted faults for tests. The admin
    API lives under /_sandbox/ (stats, faults, reset, config).
    """
    from rankings_etl.sandbox.replay import ReplaySource
    from rankings_etl.sandbox.server import SandboxConfig, make_server

    accepted = set(keys)
    if keys_file:
        accepted |= {
            line.strip() for line in Path(keys_file).read_text().splitlines() if line.strip()
        }
    try:
        queued = [parse_fault_flag(text) for text in faults]
        for item in revise:
            day, sep, factor = item.partition(":")
            if not sep:
                raise FaultError(f"--revise {item!r} is not DATE:FACTOR")
            queued.append(fault_from_dict({"kind": "revise", "date": day, "factor": factor}))
    except FaultError as exc:
        raise click.BadParameter(str(exc)) from None
    try:
        source = ReplaySource.from_file(replay) if replay else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--replay") from None
    config = SandboxConfig(
        per_minute=per_minute,
        per_day=per_day,
        as_of=as_of,
        today=today,
        seed=seed,
        keys=frozenset(accepted),
        replay=source,
        log=not quiet,
    )
    try:
        server = make_server(host, port, config)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    for fault in queued:
        server.state.faults.add(fault)
    bound_port = server.server_address[1]
    click.echo(f"sandbox listening on http://{host}:{bound_port}/api/v1", err=True)
    click.echo(f"PORT={bound_port}", err=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
