"""An offline OpenRouter-compatible rankings-daily server, for tests, demos and benchmarks.

Modules, by what they hold: ``history`` (the deterministic synthetic data), ``replay_source``
(rows from a file), ``validation`` (query parameters -> window or 400), ``keys``
(Authorization and accepted keys), ``ratelimit`` (rolling windows), ``faults`` (the fault queue
and what faults do), ``payload`` (the JSON body), ``stats`` (the request log),
``config``/``state`` (settings and what a running server remembers), ``app`` (the starlette
app), ``server`` (uvicorn) and ``testing`` (a real server in a subprocess, for tests). The
command line, ``rankings-etl sandbox``, is :mod:`rankings_etl.commands.sandbox`; shared facts
(dates, windows, limits, key fingerprints) come from :mod:`rankings_etl.core`.
"""
