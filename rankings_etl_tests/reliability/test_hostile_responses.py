"""Hostile responses: every one refused clearly, bounded in time, nothing leaked or altered.

What an attacker or a broken proxy can send, through the real client against a real server on
loopback (the sandbox's faults, or a raw socket server below for what ASGI cannot send), over a
warehouse already holding a clean load of PRELOAD. Every refused case checks the four things
issue 16 asks for:

- the message: the failure names the problem, is one of the project's own exceptions, carries
  no chained cause, and holds no control byte and no key;
- the time bound: the run ended within the bound that governs it (plus start-up slack);
- the request count: exactly the requests the client's policy allows, counted by the server;
- nothing altered: every table's digest (row count and hash of every column) is unchanged.

The cases that are legal (a Latin-1 body declared as such, a key echoed in a valid 200, a big
revision) load, and show exactly what was stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import socket
import sqlite3
import threading
import time

import duckdb
import httpx
import pytest
from click.testing import CliRunner

from rankings_etl.commands.budget import budget as budget_command
from rankings_etl.core.api_facts import BIGINT_MAX, RANKINGS_DAILY_PATH
from rankings_etl.core.errors import OpenRouterDeadlineError
from rankings_etl.core.keys import key_fingerprint
from rankings_etl.core.windows import Window
from rankings_etl.datasets import table as table_spec
from rankings_etl.datasets import warehouse_specs
from rankings_etl.datasets.rankings_daily.assets import analytics_assets, rankings_daily
from rankings_etl.datasets.rankings_daily.checks import (
    AUTHORS_SUM,
    EVERY_MODEL_ONCE,
    GROWTH_ROWS,
    ONE_MARKET_ROW,
    SHARES_SUM,
    evaluate_rankings_contract,
)
from rankings_etl.datasets.rankings_daily.dataset import fetch_window, parse, request_for
from rankings_etl.datasets.rankings_daily.load import RankingsBatch, store_rankings
from rankings_etl.redaction import REDACTED
from rankings_etl.sandbox.faults import LATIN1_PREFIX
from rankings_etl.warehouse.build import build_table
from rankings_etl.warehouse.schema import ensure_schema
from rankings_etl_tests.integration.conftest import TEST_KEY
from rankings_etl_tests.integration.helpers import check_evaluations, materialize_range

from .conftest import FAULT_DATE, PRELOAD
from .support import (
    connect_read_only,
    wait_for_requests,
    warehouse_digest,
    warehouse_secret_hits,
)

#: The project's own exception types, as Dagster records a step's error.
OUR_ERRORS = {
    "RankingsError",
    "RankingsResponseError",
    "OpenRouterAPIError",
    "OpenRouterRateLimitedError",
    "OpenRouterServerError",
    "OpenRouterTransportError",
    "OpenRouterDeadlineError",
    "BudgetExhaustedError",
    "Failure",  # dg.Failure: the asset's contract-check refusal
}
#: Start-up and teardown of an in-process run (Dagster, DuckDB) on a busy 2-core machine, on
#: top of the bound the client promises.
SLACK_SECONDS = 15.0
CONTRACT = "breaks the API contract; nothing was written"
#: Short bounds so no case waits minutes: the client's own settings, not a mock.
FAST = {"attempt_timeout_seconds": 1.0, "run_timeout_seconds": 20.0, "max_attempts": 2}


@dataclasses.dataclass(frozen=True)
class Hostile:
    name: str
    faults: tuple[dict, ...]
    message: str  # part of the failure the run reports
    requests: int  # what the server saw
    bound: float  # seconds: the bound that governs the case (the run must end within it)
    settings: dict = dataclasses.field(default_factory=dict)  # client settings
    sandbox: dict = dataclasses.field(default_factory=dict)  # sandbox config for the re-run

    def __str__(self) -> str:
        return self.name


def data(kind: str, **params) -> dict:
    return {"kind": kind, "date": FAULT_DATE, **params}


REFUSED = [
    # 1. No deadline for a whole request: a body trickled a byte every 0.2 s.
    Hostile(
        "trickled_body_cut_at_the_attempt_deadline",
        ({"kind": "trickle", "interval": 0.2, "count": -1},),
        "the attempt deadline (1 s for connect, headers and the whole body; "
        "attempt_timeout_seconds) passed",
        2,
        2 * 1.0,
        FAST,
    ),
    Hostile(
        "trickled_body_cut_at_the_run_deadline",
        ({"kind": "trickle", "interval": 0.2, "count": -1},),
        "the run deadline (2.5 s for every window, retry and wait; run_timeout_seconds)",
        3,
        2.5,
        {**FAST, "run_timeout_seconds": 2.5, "max_attempts": 10},
    ),
    Hostile(
        "body_larger_than_max_body_bytes",
        (),
        "the body is larger than 4,096 bytes (max_body_bytes; HTTP 200); refused unread",
        1,
        FAST["run_timeout_seconds"],
        {**FAST, "max_body_bytes": 4096},
    ),
    # 3. The key in a 200 that fails parsing.
    Hostile(
        "meta_version_echoing_the_key",
        ({"kind": "meta_version", "version": f"Bearer {TEST_KEY}"},),
        f"has meta.version 'Bearer {REDACTED}'; this project understands 'v1' only",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    Hostile(
        "key_echoed_in_json_escapes",
        ({"kind": "echo_key", "escaped": True},),
        "echoes the API key in JSON escapes; refused so that it is neither stored nor shown",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    # 4. Text silently altered.
    Hostile(
        "invalid_utf8_in_a_permaslug",
        ({"kind": "invalid_utf8"},),
        "the body is not valid UTF-8 (no charset is declared): byte(s) ff at offset",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    Hostile(
        "latin1_body_without_a_declared_charset",
        ({"kind": "latin1_body", "declare": False},),
        "the body is not valid UTF-8 (no charset is declared): byte(s) e9 at offset",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    # 5. Raw exceptions instead of a message.
    Hostile(
        "json_nested_10000_deep_in_an_unknown_field",
        ({"kind": "deep_nesting", "depth": 10_000},),
        "nests JSON arrays or objects deeper than the parser allows",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    Hostile(
        "json_integer_of_5000_digits_in_an_unknown_field",
        ({"kind": "huge_number", "digits": 5000},),
        "holds a JSON number too long to convert (more than 4300 digits",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    Hostile(
        "tokens_of_5000_digits",
        (data("tokens_huge", digits=5000),),
        "(5002 chars) does not fit a 64-bit integer",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    Hostile(
        "as_of_beyond_the_utc_calendar",
        ({"kind": "meta_as_of", "value": "0001-01-01T00:00:00+05:00"},),
        "meta.as_of '0001-01-01T00:00:00+05:00' is not a representable UTC time",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    Hostile(
        "as_of_before_its_data",
        ({"kind": "meta_as_of", "value": "2020-01-01T00:00:00Z"},),
        "is before 2025-04-03, the last day it reports on",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    Hostile(
        "as_of_in_year_9999",
        ({"kind": "meta_as_of", "value": "9999-12-31T23:59:59Z"},),
        "is more than a day after the response was received",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    # 6. Accepted upstream, broken downstream.
    Hostile(
        "a_day_of_zero_tokens",
        (data("zero_tokens"),),
        f"on 1 day(s): {FAULT_DATE} (no_zero_token_rows: 51 row(s) with 0 tokens",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    Hostile(
        "one_zero_token_model",
        (data("zero_tokens", which="last"),),
        f"on 1 day(s): {FAULT_DATE} (no_zero_token_rows: 1 row(s) with 0 tokens",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    Hostile(
        "a_day_whose_sum_does_not_fit_bigint",
        (data("tokens_sum_overflow"),),
        f"on 1 day(s): {FAULT_DATE} (day_total_fits_bigint: the day's tokens sum to",
        1,
        FAST["run_timeout_seconds"],
        FAST,
    ),
    # 7. Restatements and control bytes.
    Hostile(
        "an_older_as_of_replacing_newer_rows",
        (),
        "on 3 day(s): 2025-04-01 (restatements_plausible: the response was generated at "
        "2026-11-23T02:00:00+00:00, before the loaded rows it would replace "
        "(2026-11-24T02:00:00+00:00)",
        1,
        FAST["run_timeout_seconds"],
        FAST,
        {"as_of": "2026-11-23T02:00:00.000Z"},
    ),
    Hostile(
        "control_bytes_in_every_error",
        (
            {
                "kind": "status",
                "status": 503,
                "count": -1,
                "message": "\x00\x1b[2J\x1b]0;owned\x07\r\nINFO forged \u202e",
            },
        ),
        "HTTP 503: server error: \\x00\\x1b[2J\\x1b]0;owned\\x07\\x0d\\x0aINFO forged \\u202e "
        "(gave up after 2 attempts: HTTP 503, HTTP 503)",
        2,
        FAST["run_timeout_seconds"],
        {**FAST, "backoff_initial_seconds": 0.01, "backoff_max_seconds": 0.02},
    ),
]


def failure_events(result):
    return [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]


def user_error(event):
    """The exception the step's code raised, as Dagster recorded it (below its own wrapper)."""
    error = event.event_specific_data.error
    while error.cls_name.startswith("DagsterExecutionStep") and error.cause is not None:
        error = error.cause
    return error


def assert_refused_clearly(result, message):
    """The run failed with one of our exceptions, naming the problem, with no control byte and
    no key in it. The one-line ``Failure`` keeps the error it summarizes chained below it (for
    whoever debugs); that error is ours too and chains nothing further."""
    assert not result.success
    (failure,) = failure_events(result)
    error = user_error(failure)
    chain = [error]
    while chain[-1].cause is not None and len(chain) < 3:
        chain.append(chain[-1].cause)
    assert all(link.cls_name in OUR_ERRORS for link in chain), error.to_string()
    assert len(chain) <= 2 and chain[-1].cause is None, error.to_string()
    assert all(link.context is None for link in chain), error.to_string()
    assert message in error.message, error.message
    text = error.message
    assert TEST_KEY not in error.to_string()
    # One logical line of printable text: a description with check summaries may run over a
    # few lines; none of them holds a control byte.
    assert all(line.isprintable() for line in text.splitlines()), repr(text)
    assert "\x1b" not in error.to_string() and "\x00" not in error.to_string()
    return error


def rerun(sandbox, resources, instance, faults=(), **sandbox_config):
    if sandbox_config:
        sandbox.configure(**sandbox_config)
    for fault in faults:
        sandbox.inject(**fault)
    started = time.monotonic()
    result = materialize_range(
        [rankings_daily, *analytics_assets], *PRELOAD, resources=resources, instance=instance
    )
    return result, time.monotonic() - started


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_hostile_responses_are_refused_clearly_in_bounded_time_changing_nothing(
    pinned_sandbox, make_resources, instance, loaded_warehouse, case
):
    before = warehouse_digest(loaded_warehouse)
    resources = make_resources(**case.settings)

    result, seconds = rerun(pinned_sandbox, resources, instance, case.faults, **case.sandbox)

    assert_refused_clearly(result, case.message)
    assert seconds < case.bound + SLACK_SECONDS
    requests = wait_for_requests(pinned_sandbox, case.requests)
    assert len(requests) == case.requests
    assert warehouse_digest(loaded_warehouse) == before


def test_the_attempt_deadline_holds_however_slowly_the_bytes_come(
    pinned_sandbox, make_resources, instance, loaded_warehouse
):
    """The trickle is cut at the deadline, not after the body: both attempts lasted ~1 s."""
    pinned_sandbox.inject("trickle", interval=0.2, count=-1)
    client = make_resources(**FAST)["openrouter"]
    started = time.monotonic()
    with pytest.raises(OpenRouterDeadlineError) as raised:
        fetch_window(client, Window(*(dt.date.fromisoformat(d) for d in PRELOAD)))
    seconds = time.monotonic() - started
    assert raised.value.bound == "attempt" and raised.value.__cause__ is None
    assert 2 * 1.0 <= seconds < 2 * 1.0 + 3
    assert "bytes of body received in 1.0 s" in str(raised.value)
    assert len(wait_for_requests(pinned_sandbox, 2)) == 2


# --- headers trickled: what ASGI cannot send, so a raw socket server -----------------------------


class HeaderTrickler:
    """Accepts connections, sends a status line, then one header byte every ``interval``."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def _accept(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while not self._stop.is_set():
                    conn.sendall(b"x")
                    time.sleep(self.interval)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._server.close()


@pytest.fixture
def header_trickler():
    server = HeaderTrickler()
    yield server
    server.close()


def test_headers_trickled_forever_are_cut_at_the_attempt_deadline(
    header_trickler, make_resources, instance, loaded_warehouse
):
    before = warehouse_digest(loaded_warehouse)
    resources = make_resources(base_url=header_trickler.base_url, timeout_seconds=30, **FAST)
    started = time.monotonic()
    result = materialize_range(
        [rankings_daily, *analytics_assets], *PRELOAD, resources=resources, instance=instance
    )
    seconds = time.monotonic() - started
    assert_refused_clearly(
        result,
        "the attempt deadline (1 s for connect, headers and the whole body; "
        "attempt_timeout_seconds) passed (no body received in 1.0 s) "
        "(gave up after 2 attempts: attempt deadline, attempt deadline)",
    )
    assert seconds < 2 * 1.0 + SLACK_SECONDS
    assert header_trickler.connections == 2
    assert warehouse_digest(loaded_warehouse) == before


# --- 429s with absurd Retry-After values ---------------------------------------------------------

ABSURD_RETRY_AFTER = [
    ("999999", "11 d 13 h"),
    ("1e12", "11,574,074 d 1 h"),
    ("Fri, 31 Dec 9999 23:59:59 GMT", "d "),
]


def ledger_penalties(budget_db):
    with sqlite3.connect(budget_db) as ledger:
        return ledger.execute("SELECT key_fp, until - at, reason FROM penalties").fetchall()


@pytest.mark.parametrize(
    ("retry_after", "asked"), ABSURD_RETRY_AFTER, ids=[a for a, _ in ABSURD_RETRY_AFTER]
)
def test_an_absurd_retry_after_is_refused_at_once_and_capped_where_it_is_recorded(
    pinned_sandbox, make_resources, instance, loaded_warehouse, budget_db, retry_after, asked
):
    before = warehouse_digest(loaded_warehouse)
    fp = key_fingerprint(TEST_KEY)

    result, seconds = rerun(
        pinned_sandbox,
        make_resources(**FAST),
        instance,
        [{"kind": "status", "status": 429, "retry_after": retry_after}],
    )

    error = assert_refused_clearly(result, "HTTP 429: rate limited, and the server asks to wait")
    assert asked in error.message
    assert "longer than the 2 min 0 s this client waits (max_retry_after_seconds)" in error.message
    assert f"every process backs off key {fp} for 1 h 0 min" in error.message
    assert f"`rankings-etl budget --clear-penalty {fp}` lifts it" in error.message
    assert seconds < FAST["run_timeout_seconds"] + SLACK_SECONDS
    assert len(wait_for_requests(pinned_sandbox, 1)) == 1
    assert warehouse_digest(loaded_warehouse) == before
    # Recorded capped at an hour (the default max_penalty_seconds), not for days or centuries.
    ((key, seconds_recorded, reason),) = ledger_penalties(budget_db)
    assert key == fp and seconds_recorded == pytest.approx(3600, abs=1)
    assert reason.startswith(f"HTTP 429 on {PRELOAD[0]}..{PRELOAD[1]}, Retry-After")

    # The next run is told why it cannot send and how to lift it; nothing is sent.
    result, _ = rerun(pinned_sandbox, make_resources(**FAST), instance)
    error = assert_refused_clearly(result, f"OpenRouter asked key {fp} to back off")
    assert f"`rankings-etl budget --clear-penalty {fp}` lifts it" in error.message
    assert pinned_sandbox.request_count() == 1

    # `rankings-etl budget` shows it, clears it, and the next run goes through.
    env = {"RANKINGS_BUDGET_DB": str(budget_db), "OPENROUTER_API_KEY": TEST_KEY}
    shown = CliRunner().invoke(budget_command, [], env=env)
    assert shown.exit_code == 0, shown.output
    assert "backing off until" in shown.output and "(in 59 min" in shown.output
    cleared = CliRunner().invoke(budget_command, ["--clear-penalty", fp], env=env)
    assert cleared.exit_code == 0, cleared.output
    assert f"cleared the back-off of key {fp}" in cleared.output
    assert "backing off until" not in cleared.output
    assert ledger_penalties(budget_db) == []
    result, _ = rerun(pinned_sandbox, make_resources(**FAST), instance)
    assert result.success
    assert pinned_sandbox.request_count() == 2


@pytest.mark.parametrize("retry_after", ["-5", "nan", "soon", "Wed, 99 Foo 2026 25:61:61 GMT"])
def test_an_unusable_retry_after_means_the_default_back_off_and_heals(
    pinned_sandbox, make_resources, instance, loaded_warehouse, budget_db, retry_after
):
    resources = make_resources(
        budget_settings={"penalty_seconds_without_retry_after": 0.5},
        backoff_initial_seconds=0.01,
        backoff_max_seconds=0.02,
        **FAST,
    )
    result, seconds = rerun(
        pinned_sandbox,
        resources,
        instance,
        [{"kind": "status", "status": 429, "retry_after": retry_after}],
    )
    assert result.success
    assert [r["status"] for r in wait_for_requests(pinned_sandbox, 2)] == [429, 200]
    assert seconds < FAST["run_timeout_seconds"] + SLACK_SECONDS
    ((_, seconds_recorded, reason),) = ledger_penalties(budget_db)
    assert seconds_recorded == pytest.approx(0.5, abs=0.01)
    assert "unusable Retry-After" in reason and reason.isprintable()


# --- legal but unusual: loaded exactly -----------------------------------------------------------


def raw_bodies(path):
    with connect_read_only(path) as con:
        return [
            body
            for (body,) in con.execute(
                "SELECT body FROM raw_responses ORDER BY fetched_at DESC"
            ).fetchall()
        ]


def sent_body(sandbox, fault) -> bytes:
    """What the sandbox sends for PRELOAD with ``fault``: fetched again, outside the client."""
    sandbox.inject(**fault)
    response = httpx.get(
        sandbox.base_url + RANKINGS_DAILY_PATH,
        params={"start_date": PRELOAD[0], "end_date": PRELOAD[1]},
        headers={"Authorization": f"Bearer {TEST_KEY}"},
    )
    return response.content


def test_a_latin1_body_declared_as_such_is_stored_exactly_as_received(
    pinned_sandbox, make_resources, instance, loaded_warehouse
):
    fault = {"kind": "latin1_body"}
    result, _ = rerun(pinned_sandbox, make_resources(**FAST), instance, [fault])
    assert result.success
    with connect_read_only(loaded_warehouse) as con:
        (slug,) = con.execute(
            "SELECT model_permaslug FROM rankings_daily WHERE starts_with(model_permaslug, $1)",
            [LATIN1_PREFIX],
        ).fetchone()
        shares = con.execute(
            "SELECT count(*) FROM model_share_daily WHERE model_permaslug = $1", [slug]
        ).fetchone()[0]
    assert slug.startswith("café/crème-") and "\ufffd" not in slug and shares == 1
    # The stored text re-encodes, in the declared charset, to exactly the bytes received.
    assert raw_bodies(loaded_warehouse)[0].encode("iso-8859-1") == sent_body(pinned_sandbox, fault)


@pytest.mark.parametrize("where", ["meta", "row"])
def test_a_key_echoed_in_a_valid_200_is_stored_redacted_and_nowhere_else(
    pinned_sandbox, make_resources, instance, loaded_warehouse, where
):
    fault = {"kind": "echo_key", "where": where}
    result, _ = rerun(pinned_sandbox, make_resources(**FAST), instance, [fault])
    assert result.success
    stored = raw_bodies(loaded_warehouse)[0]
    sent = sent_body(pinned_sandbox, fault).decode("utf-8")
    assert TEST_KEY in sent
    # The key replaced, every other character kept.
    assert stored == sent.replace(TEST_KEY, REDACTED)
    assert warehouse_secret_hits(loaded_warehouse, [TEST_KEY, TEST_KEY[10:]]) == []


def test_halving_a_loaded_day_is_loaded_and_reported_at_warn(
    pinned_sandbox, make_resources, instance, loaded_warehouse
):
    result, _ = rerun(
        pinned_sandbox,
        make_resources(**FAST),
        instance,
        [{"kind": "revise", "date": FAULT_DATE, "factor": 0.5}],
    )
    assert result.success
    check = check_evaluations(result)[("restatements_plausible", FAULT_DATE)]
    assert not check.passed and check.severity.value == "WARN"
    problem = check.metadata["problem"].value
    assert problem.startswith("a re-fetch changed the day's total by -50.00 %"), problem
    assert check.description == f"{FAULT_DATE}: {problem}"
    with connect_read_only(loaded_warehouse) as con:
        restated = con.execute(
            "SELECT count(*) FROM rankings_restatements WHERE date = $1", [FAULT_DATE]
        ).fetchone()[0]
    assert restated == 51


def test_a_slight_revision_passes_the_restatement_check(
    pinned_sandbox, make_resources, instance, loaded_warehouse
):
    result, _ = rerun(
        pinned_sandbox,
        make_resources(**FAST),
        instance,
        [{"kind": "revise", "date": FAULT_DATE, "factor": 1.001}],
    )
    assert result.success
    assert check_evaluations(result)[("restatements_plausible", FAULT_DATE)].passed


# --- what passes rankings_daily, every downstream table accepts -----------------------------------


def extreme_days() -> tuple[Window, str]:
    """A body of days at the edges the checks allow: a total of exactly 2^63-1, one model
    holding nearly all of it, ties broken by permaslug, ones, a tail-less day, unicode."""
    days = {
        "2025-05-01": [("big/model", BIGINT_MAX - 50)]
        + [(f"a/m{i:02d}", 1) for i in range(49)]
        + [("other", 1)],
        "2025-05-02": [(f"tie/m{i:02d}", 7) for i in range(50)],  # tail-less, all tied
        "2025-05-03": [(f"模型/ünï-{i:02d}:free", 10**12 - i) for i in range(50)]
        + [("other", 10**15)],
    }
    rows = [
        {"date": day, "model_permaslug": slug, "total_tokens": str(tokens)}
        for day, ranked in days.items()
        for slug, tokens in ranked
    ]
    meta = {
        "as_of": "2025-05-04T02:00:00Z",
        "version": "v1",
        "start_date": "2025-05-01",
        "end_date": "2025-05-03",
    }
    return Window(dt.date(2025, 5, 1), dt.date(2025, 5, 3)), json.dumps(
        {"data": rows, "meta": meta}
    )


def test_a_day_rankings_daily_accepts_is_accepted_by_every_downstream_table(tmp_path):
    window, body = extreme_days()
    response = parse(body, request_for(window), dt.datetime(2025, 5, 4, 3, tzinfo=dt.UTC), None)
    batch = RankingsBatch.from_responses([response])
    outcomes = evaluate_rankings_contract(
        batch.dates, batch.permaslugs, batch.total_tokens, batch.ranks
    )
    assert not [o.summary() for o in outcomes if o.blocks]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        ensure_schema(con, warehouse_specs())
        store_rankings(con, batch, window, None)
        for table, checks in (
            ("model_share_daily", [SHARES_SUM, EVERY_MODEL_ONCE]),
            ("market_daily", [ONE_MARKET_ROW]),
            ("author_share_daily", [AUTHORS_SUM]),
            ("model_growth_daily", [GROWTH_ROWS]),
        ):
            built = build_table(con, table_spec(table), window, checks)
            assert not built.blocked, [o.summary() for o in built.blocked]
            assert built.rows_written > 0
        total = con.execute(
            "SELECT total_tokens FROM market_daily WHERE date = '2025-05-01'"
        ).fetchone()[0]
    finally:
        con.close()
    assert total == BIGINT_MAX
