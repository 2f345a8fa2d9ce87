"""``rankings-etl sandbox``: its help, its argument errors, start-up options that take effect."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from rankings_etl.commands.sandbox import sandbox
from rankings_etl.sandbox.faults import ALL_KINDS

from .helpers import KEY, error_of, get


def test_help_documents_every_option_and_every_fault_kind():
    result = CliRunner().invoke(sandbox, ["--help"])
    assert result.exit_code == 0
    text = result.output
    for option in sandbox.params:
        assert option.help, option.name
        for flag in option.opts:
            assert flag in text, flag
    for kind in ALL_KINDS:
        assert f"{kind}:" in text, kind
    for rule in ("clamped to 2025-01-01", "refused with 400", "including those refused with 400"):
        assert rule in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--today", "2026-02-30"], "'2026-02-30' is not a YYYY-MM-DD date"),
        (["--as-of", "yesterday"], "not an ISO date-time"),
        (["--port", "70000"], "70000 is not in the range"),
        (["--per-minute", "0"], "0 is not in the range x>=1"),
        (["--fault", "gremlins"], "unknown fault kind 'gremlins'"),
        (["--fault", "status:status=700"], "`status` must be an integer from 400 to 599"),
        (["--revise", "2026-11-22"], "is not DATE:FACTOR"),
        (["--keys", "/nonexistent/keys.txt"], "does not exist"),
        (["--frobnicate"], "No such option"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args, message):
    result = CliRunner().invoke(sandbox, args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_bad_replay_file_exits_2_naming_it(tmp_path):
    bad = tmp_path / "rows.csv"
    bad.write_text("date,slug\n2026-01-01,x\n")
    result = CliRunner().invoke(sandbox, ["--replay", str(bad)])
    assert result.exit_code == 2 and "missing column(s) model_permaslug, total_tokens" in (
        result.output
    )


def test_python_dash_m_serves_the_same_command():
    completed = subprocess.run(
        [sys.executable, "-m", "rankings_etl.sandbox", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert "Usage: rankings-etl sandbox" in completed.stdout and "--per-minute" in completed.stdout


def test_start_up_options_take_effect(sandbox_factory):
    server = sandbox_factory(
        key=[KEY],
        today="2026-03-01",
        as_of="2026-03-01T02:00:00Z",
        seed=7,
        fault=["status:status=503", '{"kind": "meta_version", "version": "v3"}'],
        revise=["2026-02-28:1.5"],
    )
    assert get(server, key="sk-or-v1-some-other-valid-looking-key").status_code == 401
    first = get(server)
    assert first.status_code == 503 and "HTTP 503" in error_of(first)
    body = get(server).json()
    assert body["meta"] == {
        "as_of": "2026-03-01T02:00:00.000Z",
        "version": "v3",
        "start_date": "2026-01-29",
        "end_date": "2026-02-28",
    }
    assert server.faults()["revisions"] == {"2026-02-28": 1.5}
    config = server.config()
    assert config["seed"] == 7 and config["keys"] != "any sk-or- key"
    assert KEY not in str(config)
