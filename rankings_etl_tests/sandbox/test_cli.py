import subprocess
import sys

from click.testing import CliRunner

from rankings_etl.sandbox.cli import sandbox


def test_help_documents_every_option_and_fault_kind():
    text = CliRunner().invoke(sandbox, ["--help"]).output
    for option in sandbox.params:
        for flag in option.opts:
            assert flag in text
    for kind in ("status", "drop", "truncate", "tailless", "revise", "hostile_slug"):
        assert kind in text


def test_bad_arguments_exit_2_with_a_message():
    result = CliRunner().invoke(sandbox, ["--today", "2026-02-30"])
    assert result.exit_code == 2 and "not a YYYY-MM-DD date" in result.output
    result = CliRunner().invoke(sandbox, ["--fault", "gremlins"])
    assert result.exit_code == 2 and "unknown fault kind" in result.output


def test_the_console_script_serves_help():
    completed = subprocess.run(
        [sys.executable, "-m", "rankings_etl.cli", "sandbox", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0 and "--per-minute" in completed.stdout
