"""The `txlguard assess` and `txlguard law` commands, end to end through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from txlguard.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "contacts-blasted.json"
runner = CliRunner()


def test_example_case_is_unlawful_in_chinese() -> None:
    result = runner.invoke(app, ["assess", "--facts", str(EXAMPLE), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "违法" in result.output
    assert "civil-code-1032" in result.output
    assert "还需要弄清的问题" in result.output or "问题" in result.output


def test_json_output_has_design_shape() -> None:
    result = runner.invoke(app, ["assess", "--facts", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == "unlawful"
    assert set(data["facts"]) >= {"contacts_harvested", "threats", "harm_suffered"}
    for finding in data["findings"]:
        assert {"id", "regime", "provisions", "summary", "evidence"} <= set(finding)
        assert finding["regime"] in {"civil", "administrative", "criminal"}
        assert finding["provisions"]


def test_fail_on_unlawful_exits_one() -> None:
    result = runner.invoke(
        app, ["assess", "--facts", str(EXAMPLE), "--format", "json", "--fail-on", "unlawful"]
    )
    assert result.exit_code == 1


def test_facts_from_stdin() -> None:
    payload = json.dumps({"facts": {"threats": True}})
    result = runner.invoke(app, ["assess", "--facts", "-", "--format", "json"], input=payload)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "unlawful"


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"facts": {"threatz": true}}', "facts.threatz"),
        ('{"facts": {"threats": "yes"}}', "facts.threats"),
        ('{"facts": {}, "details": {"annual_rate": "high"}}', "details.annual_rate"),
        ('{"facts": {}, "details": {"start": "2025-02-30"}}', "details.start"),
        ('{"facts": {}, "colour": 1}', "colour"),
        ('{"facts": [1, 2]}', "facts"),
        ("{not json", "文件"),
    ],
)
def test_bad_fact_file_exits_two_naming_the_field(tmp_path: Path, content: str, field: str) -> None:
    path = tmp_path / "facts.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["assess", "--facts", str(path)])
    assert result.exit_code == 2
    assert field in result.stderr
    assert "错误" in result.stderr


def test_gbk_fact_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_bytes(
        json.dumps(
            {"facts": {"threats": True}, "details": {"lender_name": "某某贷"}}, ensure_ascii=False
        ).encode("gbk")
    )
    result = runner.invoke(app, ["assess", "--facts", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["details"]["lender_name"] == "某某贷"


def test_missing_file_and_both_inputs_are_bad_input(tmp_path: Path) -> None:
    assert runner.invoke(app, ["assess", "--facts", str(tmp_path / "nope.json")]).exit_code == 2
    assert runner.invoke(app, ["assess"]).exit_code == 2
    both = runner.invoke(app, ["assess", "--facts", str(EXAMPLE), "--text", str(EXAMPLE)])
    assert both.exit_code == 2


def test_law_show_list_search() -> None:
    shown = runner.invoke(app, ["law", "show", "civil-code-1032", "--format", "json"])
    assert shown.exit_code == 0
    assert "隐私权" in json.loads(shown.stdout)["text"]
    alias = runner.invoke(app, ["law", "show", "csl-41", "--format", "json"])
    assert json.loads(alias.stdout)["id"] == "csl-2017-41"
    assert runner.invoke(app, ["law", "show", "no-such-law-1"]).exit_code == 2
    listed = runner.invoke(app, ["law", "list", "--instrument", "pipl"])
    assert listed.exit_code == 0 and "pipl-13" in listed.stdout
    found = runner.invoke(app, ["law", "search", "通讯录"])
    assert found.exit_code == 0 and found.stdout.strip()


def test_installed_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "txlguard", "assess", "--facts", str(EXAMPLE), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "unlawful"
