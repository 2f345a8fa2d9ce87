"""An offline OpenRouter-compatible Data API server (rankings-daily, with its filters, and
app-rankings), for tests, demos and benchmarks.

Modules, by what they hold: ``history`` (the deterministic synthetic data), ``replay_source``
(rows from a file), ``sources`` (the row-source protocol), ``segments`` (modality, context
bucket, category and language-type rankings derived from a day's rows), ``bucketing`` (which
days each ``date`` of a week/month answer covers), ``apps`` (the synthetic app rankings),
``validation`` (query parameters -> query or 400), ``endpoints`` (each endpoint's validator and
body builder), ``keys`` (Authorization and accepted keys), ``ratelimit`` (rolling windows, one
limiter for every endpoint), ``faults`` (the fault queue and what faults do), ``payload`` (the
rankings JSON body), ``stats`` (the request log), ``config``/``state`` (settings and what a
running server remembers), ``app`` (the starlette app), ``server`` (uvicorn) and ``testing`` (a
real server in a subprocess, for tests). The command line, ``rankings-etl sandbox``, is
:mod:`rankings_etl.commands.sandbox`; shared facts (dates, windows, limits, key fingerprints,
the API's enums) come from :mod:`rankings_etl.core`.
"""
