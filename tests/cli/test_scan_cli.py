"""`txlguard scan` and `txlguard check` through the real CLI, with real files in several encodings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from txlguard.cli import app
from txlguard.taxonomy import MessageLabel

runner = CliRunner()
LABELS = {label.value for label in MessageLabel}

THREAT = "今天不还钱，就给你通讯录里所有人发短信，告诉他们你欠钱不还"
REMINDER = "【某某贷】尊敬的用户，您的借款已逾期3天，请及时还款，如已还款请忽略。"


def _jsonl(lines: list[dict[str, object]]) -> str:
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"


def test_jsonl_scan_keeps_order_and_design_shape(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        _jsonl([{"id": "a", "text": REMINDER}, {"id": "b", "text": THREAT, "recipient": "borrower"}]),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["scan", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["labels"] == []
    assert "threat_to_contacts" in rows[1]["labels"]
    for row in rows:
        assert set(row) == {"id", "labels", "detections"}
        assert set(row["labels"]) <= LABELS
    text = THREAT
    for det in rows[1]["detections"]:
        assert set(det) == {"label", "start", "end", "quote", "confidence", "provisions"}
        assert text[det["start"] : det["end"]] == det["quote"]


def test_fail_on_any_exits_one(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text(THREAT + "\n", encoding="utf-8")
    assert runner.invoke(app, ["scan", str(path), "--fail-on", "any"]).exit_code == 1
    path.write_text(REMINDER + "\n", encoding="utf-8")
    assert runner.invoke(app, ["scan", str(path), "--fail-on", "any"]).exit_code == 0


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_csv_in_chinese_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "msgs.csv"
    path.write_bytes(f"编号,短信内容\n1,{REMINDER}\n2,{THREAT}\n".encode(encoding))
    result = runner.invoke(app, ["scan", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[1]["labels"]


def test_plain_text_from_stdin() -> None:
    result = runner.invoke(app, ["scan", "-", "--format", "table"], input=f"{REMINDER}\n{THREAT}\n")
    assert result.exit_code == 0, result.output
    assert "威胁联系通讯录" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"id": "1", "text": "ok"}\n{"id": 2, "text": \n', "第2行"),
        (b'{"id": "1", "txt": "ok"}\n', "text"),
        (b'{"id": "1", "text": "ok", "recipient": "boss"}\n', "recipient"),
        (b"\x00\x01\x02\xff\xfe\xfa" * 50, "文本"),
    ],
)
def test_bad_files_exit_two_in_chinese(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    result = runner.invoke(app, ["scan", str(path)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_empty_and_huge_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["scan", str(empty)])
    assert result.exit_code == 0 and result.stdout == ""
    huge = tmp_path / "huge.txt"
    huge.write_text("催" * 1_000_000 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(huge)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "1"


def test_check_highlights_and_cites() -> None:
    result = runner.invoke(app, ["check", THREAT])
    assert result.exit_code == 0, result.output
    assert "威胁联系通讯录" in result.stdout
    assert "依据" in result.stdout
    lawful = runner.invoke(app, ["check", REMINDER])
    assert "未发现" in lawful.stdout
    as_json = runner.invoke(app, ["check", THREAT, "--format", "json"])
    assert "threat_to_contacts" in json.loads(as_json.stdout)["labels"]


def test_a_crash_mid_scan_says_how_far_the_jsonl_output_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamed output stays valid up to the failure; the exit code is not that of findings (1)."""
    import txlguard.detect
    from txlguard.detect import Scanner

    scanner = Scanner(chunk_size=2)
    confirm = scanner._confirm

    def failing(msg, *args, **kwargs):  # type: ignore[no-untyped-def]
        if msg.id == "c":
            raise RuntimeError("injected fault")
        return confirm(msg, *args, **kwargs)

    monkeypatch.setattr(scanner, "_confirm", failing)
    monkeypatch.setattr(txlguard.detect, "default_scanner", lambda: scanner)
    path = tmp_path / "in.jsonl"
    path.write_text(
        _jsonl([{"id": i, "text": THREAT, "recipient": "borrower"} for i in ("a", "b", "c", "d")]),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["scan", str(path), "--format", "jsonl", "--fail-on", "any"])
    assert result.exit_code == 3
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "b"]
    assert "已输出的前 2 条结果有效" in result.stderr
