"""Benchmarks of rankings_etl against the sandbox: ``python -m bench`` (``make bench``).

Writes ``bench/results.md`` and ``bench/results.json``; see ``bench/__main__.py``.
"""
