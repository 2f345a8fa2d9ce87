"""How much a materialization records: what holds for every partition of the run, or more.

In a range run Dagster copies one ``MaterializeResult``'s metadata onto the event of every
partition. Row counts, the window, the requests and budget spent and the citation hold for
each of them. A Markdown preview of the newest day and the market's figures for its last day
describe that one day: on partition 2025-01-01 of a 693-day backfill they are wrong, and
writing them 693 times doubled the bytes of every materialization event the backfill stores
(measured in ``bench/results.md``). So they ride only on runs short enough to be about their
days: the daily run and hand-picked ranges.
"""

from rankings_etl.windows import Window

#: Runs of up to this many days carry the newest day's preview and the market's plotted figures.
RUN_DETAIL_MAX_DAYS = 31


def shows_run_details(window: Window) -> bool:
    """Whether a run over ``window`` attaches its run-level details to each partition."""
    return window.days <= RUN_DETAIL_MAX_DAYS
