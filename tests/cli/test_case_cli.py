"""`txlguard case new|add|list|show|judge|export`, end to end through the real CLI and real files.

Runs on a SQLite file and, when ``TXLGUARD_TEST_DATABASE_URL`` is set, on PostgreSQL too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner, Result

from txlguard.cli import app
from txlguard.ingest.testing import sms_backup_xml

CHINA = timezone(timedelta(hours=8))
COLLECTOR = "17103258890"
runner = CliRunner()


def day(d: int, h: int, m: int = 0) -> datetime:
    return datetime(2025, 6, d, h, m, tzinfo=CHINA)


SMS = sms_backup_xml(
    [
        (COLLECTOR, day(10, 10), 1, "您在某某贷的借款已逾期，请今天18点前还款。"),
        (COLLECTOR, day(11, 23, 40), 1, "今天不还就给你通讯录所有人发信息，说你是老赖"),
        (COLLECTOR, day(12, 9), 1, "我是XX市公安局经侦大队的，你已涉嫌诈骗罪，48小时内将被拘留"),
        (COLLECTOR, day(12, 9, 5), 2, "我下周一定还"),
    ]
)
NOTE = "催收员给我妈妈打电话，说我欠钱不还是骗子。\n\n他们还在家族群里发了我的身份证照片。\n".encode()


@pytest.fixture
def env(db_url: URL, blob_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh case store (the root conftest's database + blob directory) configured through the
    environment, as the CLI finds it; returns a folder with evidence files."""
    monkeypatch.setenv("TXLGUARD_DATABASE_URL", db_url.render_as_string(hide_password=False))
    monkeypatch.setenv("TXLGUARD_BLOB_DIR", str(blob_dir))
    files = tmp_path / "files"
    files.mkdir()
    (files / "sms.xml").write_bytes(SMS)
    (files / "自述.txt").write_bytes(NOTE)
    return files


def run(*args: str) -> Result:
    return runner.invoke(app, ["case", *args])


def new_case(title: str = "某某贷 爆通讯录") -> str:
    result = run("new", "--title", title)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_new_prints_only_the_id(env: Path) -> None:
    result = run("new", "--title", "测试案件")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"[23456789a-z]{12}\n", result.stdout)
    assert result.stderr == ""


def test_add_list_show(env: Path) -> None:
    case_id = new_case()
    result = run("add", case_id, str(env / "sms.xml"), str(env / "自述.txt"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("已添加：sms.xml") and sha(SMS) in lines[0] and "4 条记录" in lines[0]
    assert lines[1].startswith("已添加：自述.txt") and sha(NOTE) in lines[1]

    again = run("add", case_id, str(env / "sms.xml"))
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("已存在：sms.xml")

    listed = run("list")
    assert listed.exit_code == 0 and case_id in listed.stdout and "某某贷" in listed.stdout
    [row] = json.loads(run("list", "--format", "json").stdout)
    assert (row["id"], row["evidence_count"], row["communication_count"]) == (case_id, 2, 6)

    shown = run("show", case_id)
    assert shown.exit_code == 0, shown.output
    assert sha(SMS) in shown.stdout and sha(NOTE) in shown.stdout
    assert "共 6 条" in shown.stdout and "原件完好" in shown.stdout and "尚未研判" in shown.stdout
    data = json.loads(run("show", case_id, "--format", "json").stdout)
    assert [(e["sha256"], e["size"], e["original"]) for e in data["evidence"]] == [
        (sha(SMS), len(SMS), "ok"),
        (sha(NOTE), len(NOTE), "ok"),
    ]


def test_bad_files_are_refused_alone_with_chinese_errors(env: Path) -> None:
    case_id = new_case()
    (env / "truncated.xml").write_bytes(SMS[: len(SMS) // 2])
    (env / "shot.png").write_bytes(b"PK\x03\x04" + bytes(200))  # a zip posing as a screenshot
    blobs = Path(os.environ["TXLGUARD_BLOB_DIR"])
    result = run(
        "add",
        case_id,
        str(env / "truncated.xml"),
        str(env / "sms.xml"),
        str(env / "shot.png"),
        str(env / "不存在.txt"),
    )
    assert result.exit_code == 2
    assert result.stdout.startswith("已添加：sms.xml")  # the good file in the same call is kept
    errors = result.stderr
    for name in ("truncated.xml", "shot.png", "不存在.txt"):
        assert name in errors
    assert "找不到文件" in errors and "3 个文件未能添加" in errors
    assert has_chinese(errors)
    data = json.loads(run("show", case_id, "--format", "json").stdout)
    assert [e["sha256"] for e in data["evidence"]] == [sha(SMS)]
    assert [p.name for p in blobs.rglob("*") if p.is_file()] == [sha(SMS)]


def test_unknown_case_and_bad_arguments_exit_2(env: Path) -> None:
    for args in (
        ("add", "nosuchcase99", str(env / "sms.xml")),
        ("show", "nosuchcase99"),
        ("judge", "nosuchcase99"),
        ("export", "nosuchcase99", "--out", str(env / "x.zip")),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "找不到案件 nosuchcase99" in result.stderr
    assert not (env / "x.zip").exists()
    case_id = new_case()
    assert run("add", case_id, str(env)).exit_code == 2  # a directory
    assert run("export", case_id, "--out", str(env / "no" / "such" / "dir.zip")).exit_code == 2
    assert run("new", "--title", "  ").exit_code == 2


def test_export_zip_has_originals_manifest_and_findings(env: Path) -> None:
    case_id = new_case()
    assert run("add", case_id, str(env / "sms.xml"), str(env / "自述.txt")).exit_code == 0
    out = env / "证据包.zip"
    result = run("export", case_id, "--out", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert f"originals/{sha(SMS)}-sms.xml" in names
        assert f"originals/{sha(NOTE)}-自述.txt" in names
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["case"]["id"] == case_id
        for item in manifest["evidence"]:
            data = archive.read(item["path"])
            assert sha(data) == item["sha256"] and len(data) == item["size"]
        assert {i["sha256"] for i in manifest["evidence"]} == {sha(SMS), sha(NOTE)}
        findings = json.loads(archive.read("findings.json"))
        assert findings["case_id"] == case_id and findings["judgement"] is None
        sums = archive.read("SHA256SUMS").decode()
        assert f"{sha(SMS)}  originals/{sha(SMS)}-sms.xml" in sums
    assert "尚未研判" in result.stderr
    assert [p.name for p in env.iterdir() if p.name.startswith(".txlguard-export")] == []


def test_entry_point_runs_case_commands(env: Path) -> None:
    """The installed command line (python -m txlguard), in a fresh process."""
    made = subprocess.run(
        [sys.executable, "-m", "txlguard", "case", "new", "--title", "子进程"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    case_id = made.stdout.strip()
    added = subprocess.run(
        [sys.executable, "-m", "txlguard", "case", "add", case_id, str(env / "sms.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert sha(SMS) in added.stdout


def test_judge_prints_the_assess_shape_and_stores_it(env: Path) -> None:
    case_id = new_case()
    assert run("add", case_id, str(env / "sms.xml")).exit_code == 0
    result = run("judge", case_id, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] in ("unlawful", "likely_unlawful")
    assert data["facts"]["threats"] is True
    assert data["facts"]["impersonation"] is True
    assert data["facts"]["harassment_pattern"] is True  # 23:40
    assert data["findings"]
    for finding in data["findings"]:
        assert {"id", "regime", "provisions", "summary", "evidence"} <= set(finding)
        assert finding["regime"] in ("civil", "administrative", "criminal")
    assert data["law_as_of"] == ["2025-06-10", "2025-06-12"]  # the law of the conduct's days

    [row] = json.loads(run("list", "--format", "json").stdout)
    assert row["last_verdict"] == data["verdict"]
    assert "最近结论" in run("show", case_id).stdout

    out = env / "case.zip"
    assert run("export", case_id, "--out", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        findings = json.loads(archive.read("findings.json"))
    assert findings["judgement"] == data
    assert findings["evidence_sha256s"] == [sha(SMS)]

    markdown = run("judge", case_id, "--format", "markdown")
    assert markdown.exit_code == 0 and "违法" in markdown.stdout and "civil-code" in markdown.stdout
    assert run("judge", case_id, "--fail-on", "likely").exit_code == 1


def test_a_screenshot_is_read_judged_and_kept(env: Path) -> None:
    """A PNG rendered with Debian's CJK font goes through OCR into the case and its judgement."""
    font_path = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not font_path.exists():
        pytest.skip("fonts-noto-cjk is not installed (scripts/install-system-deps.sh installs it)")
    pytest.importorskip("rapidocr_onnxruntime")
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path), 30, index=2)  # face 2: Simplified Chinese
    image = Image.new("RGB", (720, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((20, 40, 660, 100), 12, fill=(235, 235, 235))
    draw.text((36, 50), "我是市公安局经侦大队的，你已涉嫌诈骗罪", font=font, fill="black")
    draw.rounded_rectangle((20, 160, 660, 220), 12, fill=(235, 235, 235))
    draw.text((36, 170), "今天不还就给你通讯录所有人发信息", font=font, fill="black")
    image.save(env / "截图.png")
    png = (env / "截图.png").read_bytes()

    case_id = new_case()
    added = run("add", case_id, str(env / "截图.png"))
    assert added.exit_code == 0, added.output
    assert "image-ocr" in added.stdout and sha(png) in added.stdout
    data = json.loads(run("judge", case_id, "--format", "json").stdout)
    assert data["facts"]["impersonation"] is True
    assert data["facts"]["threats"] is True
    shown = json.loads(run("show", case_id, "--format", "json").stdout)
    assert shown["evidence"][0]["sha256"] == sha(png)
