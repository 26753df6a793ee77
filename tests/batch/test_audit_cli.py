"""`txlguard audit` on the command line: output, exit 2 on bad input, resume after a killed process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from txlguard.cli import app

runner = CliRunner()
HEADER = "id,borrower_id,counterparty,recipient,agent_id,channel,timestamp,text\n"


def _csv(path: Path, n: int) -> Path:
    lines = [HEADER]
    for i in range(n):
        text = "今天不还就给你通讯录所有人发信息" if i % 7 == 0 else f"您的借款{i}元已逾期，请尽快还款。"
        role = "contact" if i % 11 == 0 else "borrower"
        lines.append(
            f"M{i},B{i // 10},1380000{i % 10:04d},{role},A{i % 3},sms,2025-03-0{1 + i % 9} 2{i % 4}:15,{text}\n"
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_audit_writes_the_outputs_and_says_so_in_chinese(tmp_path: Path) -> None:
    src = _csv(tmp_path / "in.csv", 120)
    result = runner.invoke(
        app, ["audit", str(src), "--out", str(tmp_path / "out"), "--processes", "1", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "审计完成：120 条记录" in result.output
    for name in ("summary.json", "summary.html", "log_findings.parquet", "rejects.jsonl", "manifest.jsonl"):
        assert (tmp_path / "out" / name).exists()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"))
    assert summary["by_label"]["threat_to_contacts"] >= 17
    assert summary["log_findings"]["off_hours_contact"]["findings"] > 0


def test_bad_input_exits_2_with_a_chinese_message(tmp_path: Path) -> None:
    src = _csv(tmp_path / "in.csv", 5)
    cases = [
        ([str(tmp_path / "missing.csv")], "找不到输入文件"),
        ([str(tmp_path / "*.parquet")], "没有文件匹配"),
        ([str(src), "--column-map", "text=正文"], "没有列映射指定的列「正文」"),
        ([str(src), "--column-map", "text"], "应写成 字段=列名"),
        ([str(src), "--chunk-size", "0"], "--chunk-size 至少为 1"),
        ([str(src), "--spark-master", "local[1]"], "--spark-master 只用于 --engine spark"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["audit", *args, "--out", str(tmp_path / "o"), "--quiet"])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    (tmp_path / "notext.csv").write_text("id,time\n1,2025-03-01 10:00\n", encoding="utf-8")
    result = runner.invoke(
        app, ["audit", str(tmp_path / "notext.csv"), "--out", str(tmp_path / "o2"), "--quiet"]
    )
    assert result.exit_code == 2 and "找不到内容列" in result.output


def test_a_killed_audit_resumes_to_the_same_outputs(tmp_path: Path) -> None:
    import pandas as pd

    src = _csv(tmp_path / "in.csv", 3000)
    args = ["audit", str(src), "--chunk-size", "100", "--processes", "1", "--quiet"]
    cut = tmp_path / "cut"
    child = subprocess.Popen(
        [sys.executable, "-m", "txlguard", *args, "--out", str(cut)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    manifest = cut / "manifest.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if manifest.exists() and len(manifest.read_text("utf-8").splitlines()) >= 3:
            break
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    done_before = len(manifest.read_text("utf-8").splitlines())
    assert 3 <= done_before < 30, "the audit should have been killed mid-run"
    assert not (cut / "summary.json").exists()
    resumed = runner.invoke(app, [*args, "--out", str(cut)])
    assert resumed.exit_code == 0, resumed.output
    assert f"跳过上次已完成的 {done_before} 个分块" in resumed.output
    whole = runner.invoke(app, [*args, "--out", str(tmp_path / "whole")])
    assert whole.exit_code == 0
    for name in ("log_findings.parquet",):
        pd.testing.assert_frame_equal(pd.read_parquet(cut / name), pd.read_parquet(tmp_path / "whole" / name))

    def results(out: Path) -> pd.DataFrame:
        parts = sorted((out / "results").glob("part-*.parquet"))
        return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)

    pd.testing.assert_frame_equal(results(cut), results(tmp_path / "whole"))
    assert len(results(cut)) == 3000
