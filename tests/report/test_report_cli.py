"""`txlguard case report` and `txlguard case letters` through the real CLI, on the judged case's store."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from txlguard.cli import app

from .conftest import JudgedCase

runner = CliRunner()


@pytest.fixture
def env(judged_case: JudgedCase, monkeypatch: pytest.MonkeyPatch) -> JudgedCase:
    monkeypatch.setenv("TXLGUARD_DATABASE_URL", f"sqlite:///{judged_case.root / 'cases.sqlite'}")
    monkeypatch.setenv("TXLGUARD_BLOB_DIR", str(judged_case.root / "blobs"))
    return judged_case


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def test_report_to_stdout_as_markdown_and_json(env: JudgedCase) -> None:
    md = run("case", "report", env.case_id, "--format", "md")
    assert md.exit_code == 0, md.output
    assert "## 法律分析" in md.stdout and env.screenshot_sha256 in md.stdout
    js = run("case", "report", env.case_id, "--format", "json")
    assert js.exit_code == 0, js.output
    data = json.loads(js.stdout)
    assert data["case_id"] == env.case_id and data["verdict"] == "unlawful"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_report_as_pdf_and_html_files(env: JudgedCase, tmp_path: Path) -> None:
    pdf = tmp_path / "报告.pdf"
    result = run("case", "report", env.case_id, "--format", "pdf", "--out", str(pdf))
    assert result.exit_code == 0, result.output
    assert "已生成报告" in result.stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "法律分析" in text and "证据清单" in text
    html = tmp_path / "report.html"
    assert run("case", "report", env.case_id, "--out", str(html)).exit_code == 0
    assert html.read_text("utf-8").startswith("<!doctype html>")
    assert not list(tmp_path.glob(".txlguard-*")), "no temporary file is left behind"


def test_report_bad_input_exits_2_in_chinese(env: JudgedCase, tmp_path: Path) -> None:
    no_out = run("case", "report", env.case_id, "--format", "pdf")
    assert no_out.exit_code == 2 and "--out" in no_out.stderr
    missing_dir = run("case", "report", env.case_id, "--format", "md", "--out", str(tmp_path / "无" / "r.md"))
    assert missing_dir.exit_code == 2 and "目录不存在" in missing_dir.stderr
    unknown = run("case", "report", "nosuchcase", "--format", "md")
    assert unknown.exit_code == 2 and "nosuchcase" in unknown.stderr
    bad_format = run("case", "report", env.case_id, "--format", "pptx")
    assert bad_format.exit_code == 2


def test_letters_are_written_as_markdown(env: JudgedCase, tmp_path: Path) -> None:
    out_dir = tmp_path / "文书"
    result = run("case", "letters", env.case_id, "--out", str(out_dir), "--format", "md")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == [
        "1-金融监管投诉书.md",
        "2-个人信息违法举报.md",
        "3-报案材料.md",
        "4-停止侵害及删除个人信息要求函.md",
        "5-民事起诉状.md",
    ]
    assert "【请填写】" in result.stdout
    civil = (out_dir / "5-民事起诉状.md").read_text("utf-8")
    assert civil.startswith("# 民事起诉状") and env.screenshot_sha256 in civil


def test_letters_into_a_file_path_exits_2(env: JudgedCase, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    result = run("case", "letters", env.case_id, "--out", str(target))
    assert result.exit_code == 2 and "不是目录" in result.stderr
