"""Keys and the JSON body (pure, no server), including how fast a full window is built."""

import datetime as dt
import json
import time

import pytest

from rankings_etl.core.keys import key_fingerprint
from rankings_etl.core.windows import Window
from rankings_etl.sandbox import history
from rankings_etl.sandbox.faults import Fault
from rankings_etl.sandbox.history import SyntheticSource
from rankings_etl.sandbox.keys import account_for, bearer_key, read_keys_file
from rankings_etl.sandbox.payload import build_body


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Bearer sk-or-v1-abc", "sk-or-v1-abc"),
        ("bearer   sk-or-v1-abc  ", "sk-or-v1-abc"),
        (None, None),
        ("", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("Basic sk-or-v1-abc", None),
        ("sk-or-v1-abc", None),
        ("Bearer sk-or v1", None),
    ],
)
def test_the_bearer_key_is_read_or_the_header_is_malformed(header, key):
    assert bearer_key(header) == key


def test_any_sk_or_key_is_valid_unless_keys_are_listed():
    assert account_for("sk-or-v1-0123", {}) == "default"
    assert account_for("sk-or-abc", {}) is None  # too short
    assert account_for("not-a-key-at-all", {}) is None
    listed = {"sk-or-one": "team-a"}
    assert account_for("sk-or-one", listed) == "team-a"
    assert account_for("sk-or-v1-0123", listed) is None


def test_a_keys_file_maps_keys_to_accounts(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text("# sandbox keys\nsk-or-one team-a\n\nsk-or-two   # default account\n")
    assert read_keys_file(path) == {"sk-or-one": "team-a", "sk-or-two": "default"}
    path.write_text("sk-or-one team-a extra\n")
    with pytest.raises(ValueError, match="line 1: expected `KEY \\[ACCOUNT\\]`") as refused:
        read_keys_file(path)
    assert "sk-or-one" not in str(refused.value)


def test_a_fingerprint_is_short_stable_and_not_the_key():
    fp = key_fingerprint("sk-or-v1-secret")
    assert fp == key_fingerprint("sk-or-v1-secret") != key_fingerprint("sk-or-v1-secret2")
    assert len(fp) == 12 and int(fp, 16) >= 0 and "secret" not in fp


def naive_body(source, window, meta):
    rows = []
    day = window.start
    while day <= window.end:
        rows += [
            {"date": day.isoformat(), "model_permaslug": slug, "total_tokens": str(tokens)}
            for slug, tokens in source.day_rows(day)
        ]
        day += dt.timedelta(days=1)
    return {"data": rows, "meta": meta}


def test_the_fast_body_is_the_plain_json_encoding():
    source = SyntheticSource(0)
    window = Window(dt.date(2025, 6, 1), dt.date(2025, 6, 10))
    meta = {"as_of": "2026-05-12T02:00:00.000Z", "version": "v1"}
    body, rows = build_body(source, window, meta)
    assert json.loads(body) == naive_body(source, window, meta) and rows == 510


def test_a_data_fault_changes_only_its_date_and_a_date_outside_the_window_nothing():
    source = SyntheticSource(0)
    window = Window(dt.date(2025, 6, 1), dt.date(2025, 6, 3))
    plain = json.loads(build_body(source, window, {})[0])["data"]
    faulted = json.loads(build_body(source, window, {}, fault=Fault("tailless"))[0])["data"]
    assert [r for r in plain if r["model_permaslug"] != "other" or r["date"] != "2025-06-01"] == (
        faulted
    )
    outside = Fault("tailless", params={"date": "2025-07-01"})
    assert json.loads(build_body(source, window, {}, fault=outside)[0])["data"] == plain


def test_a_366_day_window_is_generated_whole_and_encoded_the_same_twice(record_property):
    """Cold: a seed nothing has generated yet, caches empty (~0.15-0.3 s on a 2-core box: the
    times are recorded, not asserted; a loaded machine must not fail the suite)."""
    source = SyntheticSource(seed=424242)
    history.day_rows.cache_clear()
    window = Window(dt.date(2025, 11, 24), dt.date(2026, 11, 24))
    started = time.perf_counter()
    body, rows = build_body(source, window, {"version": "v1"})
    cold = time.perf_counter() - started
    started = time.perf_counter()
    again, _ = build_body(source, window, {"version": "v1"})
    warm = time.perf_counter() - started
    record_property("cold_366_day_build_s", round(cold, 3))
    record_property("warm_366_day_build_s", round(warm, 3))
    print(f"366 days: cold {cold:.3f} s, warm {warm:.3f} s, {len(body) / 1e6:.2f} MB")
    assert rows == 366 * 51
    assert again == body
