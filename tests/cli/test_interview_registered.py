"""`txlguard case interview` is reachable from the top-level command."""

from __future__ import annotations

from typer.testing import CliRunner

from txlguard.cli import app


def test_case_interview_is_a_case_command() -> None:
    result = CliRunner().invoke(app, ["case", "interview", "--help"])
    assert result.exit_code == 0
    assert "--answers" in result.stdout and "--again" in result.stdout
