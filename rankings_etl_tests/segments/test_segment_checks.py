"""rankings_segments_daily without the network: its requests, its parser, every contract check
on hand-built bodies (each passing on a good body and failing on a broken one)."""

import dataclasses
import datetime as dt

import pytest

from rankings_etl.core.errors import RankingsResponseError
from rankings_etl.core.windows import Window
from rankings_etl.datasets.rankings_segments_daily import dataset as segments
from rankings_etl.datasets.rankings_segments_daily.checks import SEGMENTS_CHECKS

from .bodies import FETCHED, body, ranked_list, request

D1, D2 = dt.date(2025, 6, 1), dt.date(2025, 6, 2)
WINDOW = Window(D1, D2)


def response(rows_by_day, window=WINDOW, **filters):
    filters = filters or {"modality": "text"}
    rows = [row for day_rows in rows_by_day for row in day_rows]
    return segments.parse(
        body(window, rows), request(segments.NAME, window, **filters), FETCHED, None
    )


def good(**filters):
    return response([ranked_list(D1), ranked_list(D2, ranked=50)], **filters)


def outcomes(*responses):
    return {o.spec.name: o for o in segments.evaluate(list(responses), WINDOW)}


def test_all_history_is_20_requests_and_a_day_is_10():
    history = segments.requests(Window(dt.date(2025, 1, 1), dt.date(2026, 11, 30)))
    assert len(history) == 20
    assert segments.DATASET.requests_for(Window(D1, D1)) == 10
    asked = {(r.params.get("modality"), r.params.get("context_bucket")) for r in history}
    assert len(asked) == 10
    for each in history:
        filters = set(each.params) - {"start_date", "end_date"}
        assert len(filters) == 1 and each.window.days <= 366
        assert each.label.startswith(f"{filters.pop()}=")
    assert history[0].params == {
        "start_date": "2025-01-01",
        "end_date": "2026-01-01",
        "modality": "text",
    }


def test_a_good_run_passes_every_check_with_a_verdict_on_every_day():
    found = outcomes(good(), good(context_bucket="1M"))
    names = {spec.name for spec in SEGMENTS_CHECKS} - {"segment_total_within_day_total"}
    assert set(found) == names
    for outcome in found.values():
        assert outcome.passed, outcome.summary()
        assert outcome.dates == (D1, D2)


def test_short_lists_without_a_tail_are_legal():
    short = response([ranked_list(D1, ranked=3, other=False), ranked_list(D2, ranked=1)])
    assert all(o.passed for o in outcomes(short).values())


@pytest.mark.parametrize(
    ("name", "break_list", "expected"),
    [
        (
            "rows_per_segment_day",
            lambda rows: rows.insert(-1, {**rows[0], "model_permaslug": "lab9/extra"}),
            "52 rows (51 ranked + 1 `other`)",
        ),
        (
            "other_at_most_once_and_last",
            lambda rows: rows.insert(0, rows.pop()),
            "`other` at position 1 of 51",
        ),
        (
            "tokens_non_increasing",
            lambda rows: rows.__setitem__(3, {**rows[3], "total_tokens": "999999"}),
            "rank 4 has more tokens (999999) than rank 3",
        ),
        (
            "no_duplicate_models",
            lambda rows: rows.__setitem__(2, {**rows[1]}),
            "appears more than once",
        ),
    ],
)
def test_each_list_check_fails_on_its_broken_list_naming_the_segment(name, break_list, expected):
    rows = ranked_list(D2, ranked=50)
    break_list(rows)
    broken = response([ranked_list(D1), rows], context_bucket="10K")
    found = outcomes(good(), broken)
    assert found[name].blocks
    assert list(found[name].errors) == [D2]
    assert found[name].errors[D2].startswith("context_bucket=10K: ")
    assert expected in found[name].errors[D2]


def test_ranks_beyond_the_top_50_fail_contiguity():
    found = outcomes(response([ranked_list(D1), ranked_list(D2, ranked=51)]))
    assert found["ranks_unique_and_contiguous"].errors == {
        D2: "modality=text: ranks run to 51, beyond the top 50"
    }
    assert found["rows_per_segment_day"].blocks


def test_two_other_rows_fail_the_other_check():
    rows = ranked_list(D2)
    rows.append(dict(rows[-1]))
    found = outcomes(response([ranked_list(D1), rows]))
    assert found["other_at_most_once_and_last"].errors[D2] == (
        "modality=text: 2 `other` rows beside 5 ranked models"
    )


def test_a_segment_with_no_rows_on_a_day_warns_and_does_not_block():
    found = outcomes(good(), response([ranked_list(D1)], context_bucket="10M"))
    present = found["segment_days_present"]
    assert not present.blocks and present.severity == "WARN"
    assert present.warnings == {D2: "no rows for context_bucket=10M (1 of 2 lists)"}
    assert all(o.passed for n, o in found.items() if n != "segment_days_present")


def test_several_failing_segments_of_a_day_are_named_together():
    rows = ranked_list(D1)
    rows.insert(0, rows.pop())
    found = outcomes(
        response([rows], window=Window(D1, D1)),
        response([list(rows)], window=Window(D1, D1), modality="audio"),
    )
    assert found["other_at_most_once_and_last"].errors[D1] == (
        "modality=text: `other` at position 1 of 6; modality=audio: `other` at position 1 of 6"
    )


def test_the_parser_names_the_segment_in_its_refusals():
    rows = ranked_list(D1) + [{**ranked_list(D1)[0], "date": "2025-06-03"}]
    with pytest.raises(RankingsResponseError) as refused:
        response([rows], context_bucket="100K")
    assert str(refused.value).startswith(
        "rankings-daily response (context_bucket=100K) for 2025-06-01..2025-06-02, row 6: "
        "date 2025-06-03 is outside the window"
    )


def test_a_response_remembers_its_request_so_its_segment_is_known():
    parsed = good(modality="tool_calling")
    assert parsed.request.params["modality"] == "tool_calling"
    unfiltered = dataclasses.replace(parsed, request=request(segments.NAME, WINDOW))
    with pytest.raises(ValueError, match="filtered on exactly one of modality, context_bucket"):
        segments.evaluate([unfiltered], WINDOW)
