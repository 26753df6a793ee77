"""`txlguard policy` (the DESIGN.md contract) and `txlguard app` through the real CLI, on real files."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from txlguard.cli import app
from txlguard.law import default_law_base
from txlguard.taxonomy import PolicyLabel

from .conftest import Apks

runner = CliRunner()
LABELS = {label.value for label in PolicyLabel}

COLLECT = "为评估您的信用，我们会读取并上传您的通讯录和通话记录。"
FORCED = "如您拒绝授权通讯录权限，您将无法申请借款。"
DENIAL = "我们不会读取您的通讯录，也不会联系您的亲友。"
WAIVER = "借款人同意，出借人在借款人逾期时联系其亲友、同事，不视为侵犯借款人的隐私权。"
SEPARATE = "读取通讯录前，我们会通过单独弹窗征得您的同意并说明用途；您可以随时在系统设置中关闭权限撤回同意。"

POLICY_HTML = f"""<!doctype html><html><head><meta charset="gbk"><title>隐私政策</title>
<style>body{{font-size:12px}}</style></head><body><h1>快捷借隐私政策</h1>
<p>{COLLECT}</p><p>{FORCED}</p><p>我们可能将您的借款信息提供给合作的第三方催收机构，用于贷后管理。</p>
<script>var x = "我们会读取您的通讯录";</script></body></html>"""
AGREEMENT = f"借款协议\n第八条 {WAIVER}\n第九条 借款人应按时还款。\n"


def _jsonl(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def test_policy_jsonl_keeps_order_ids_and_shape(tmp_path: Path) -> None:
    rows = [{"id": "z9", "text": DENIAL}, {"id": 7, "text": COLLECT}, {"id": "a", "text": WAIVER}]
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl(rows), encoding="utf-8")
    result = runner.invoke(app, ["policy", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["z9", "7", "a"]
    assert out[0]["labels"] == []
    assert out[1]["labels"] == ["collects_contacts"]
    assert set(out[2]["labels"]) == {"contacts_used_for_collection", "rights_waiver"}
    for o, row in zip(out, rows, strict=True):
        assert set(o) == {"id", "labels", "detections"}
        assert set(o["labels"]) <= LABELS
        for d in o["detections"]:
            assert set(d) == {"label", "start", "end", "quote", "confidence", "provisions"}
            assert str(row["text"])[d["start"] : d["end"]] == d["quote"]
            assert d["provisions"]


def test_policy_reads_gbk_from_stdin() -> None:
    data = _jsonl([{"id": "1", "text": FORCED}]).encode("gbk")
    result = runner.invoke(app, ["policy", "-"], input=data)
    assert result.exit_code == 0, result.output
    assert "forced_consent" in json.loads(result.stdout)["labels"]


def test_policy_rejects_malformed_lines_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    for content, message in [
        (_jsonl([{"id": "1", "text": COLLECT}]) + "{不是 JSON\n", "第2行不是有效的 JSON"),
        (_jsonl([{"id": "1"}]), "第1行缺少文本字段 text"),
        ('{"id": "1", "text": "a"}\n[1, 2]\n', "第2行"),
    ]:
        path.write_text(content, encoding="utf-8")
        result = runner.invoke(app, ["policy", str(path)])
        assert result.exit_code == 2
        assert message in result.stderr
        assert result.stdout == ""
    missing = runner.invoke(app, ["policy", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2 and "找不到" in missing.stderr


def test_policy_jsonl_with_html_in_the_text_stays_jsonl(tmp_path: Path) -> None:
    text = "<p>我们会读取并上传您的通讯录。</p>"
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl([{"id": "a1", "text": text}, {"id": 2, "text": f"前言\u2028{COLLECT}"}]), "utf-8")
    result = runner.invoke(app, ["policy", str(path)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a1", "2"]
    assert out[0]["labels"] == out[1]["labels"] == ["collects_contacts"]
    for o, source in zip(out, [text, f"前言\u2028{COLLECT}"], strict=True):
        assert all(source[d["start"] : d["end"]] == d["quote"] for d in o["detections"])


def test_policy_first_line_like_json_but_not_an_object_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    for content, message in [
        ('[{"id": "1", "text": "x"}]\n', "第1行应为 JSON 对象（{...}），而不是数组"),
        ("\n{本政策}适用于快捷借App。\n" + COLLECT, "第2行不是有效的 JSON（第2列附近）"),
        ('{"id": 1.5, "text": "x"}\n', "第1行的 id 应为字符串或整数"),
    ]:
        path.write_text(content, encoding="utf-8")
        result = runner.invoke(app, ["policy", str(path)])
        assert result.exit_code == 2, result.output
        assert message in result.stderr and result.stdout == ""
        assert "Expecting" not in result.stderr


def test_policy_splits_a_whole_html_document(tmp_path: Path) -> None:
    path = tmp_path / "policy.html"
    path.write_bytes(POLICY_HTML.encode("gbk"))
    result = runner.invoke(app, ["policy", str(path)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    labelled = {o["id"]: o["labels"] for o in out if o["labels"]}
    assert list(labelled.values()) == [
        ["collects_contacts"],
        ["collects_contacts", "forced_consent"],
        ["shared_with_collectors"],
    ]


def _cited(text: str) -> set[str]:
    return set(re.findall(r"（([a-z][a-z0-9-]+)）", text))


def test_app_text_report_cites_provisions_of_the_law_base(apks: Apks, tmp_path: Path) -> None:
    policy = tmp_path / "policy.html"
    policy.write_bytes(POLICY_HTML.encode("gbk"))
    agreement = tmp_path / "agreement.txt"
    agreement.write_text(AGREEMENT, encoding="utf-8")
    result = runner.invoke(
        app, ["app", str(apks.contacts_code), "--policy", str(policy), "--agreement", str(agreement)]
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "com.example.kuaijie" in text and "READ_CONTACTS" in text
    assert "https://risk.kuaijie.example/api/v2/contacts/upload" in text
    assert "同盾科技（cn.tongdun.*，1 个类）——其代码读取通话记录" in text
    assert "其代码读取通讯录" not in text  # the SDK queries the call log only
    assert "权利放弃条款" in text and "HTML" in text
    assert "收集通讯录的目的：风控、反欺诈或信用评估" in text
    cited = _cited(text)
    assert {"necessary-pi-rule-2021", "pipl-29", "civil-code-497", "pipl-16"} <= cited
    law = default_law_base()
    assert all(law.has(pid) for pid in cited)


def test_app_json_tells_the_fixtures_apart(apks: Apks) -> None:
    def audit(apk: Path) -> dict[str, object]:
        result = runner.invoke(app, ["app", str(apk), "--format", "json"])
        assert result.exit_code == 0, result.output
        data: dict[str, object] = json.loads(result.stdout)
        return data

    reader, clean = audit(apks.contacts_code), audit(apks.clean_code)
    manifest, plain = audit(apks.contacts_manifest), audit(apks.plain_manifest)
    facts = {
        name: a["facts"]
        for name, a in [("reader", reader), ("clean", clean), ("manifest", manifest), ("plain", plain)]
    }
    assert (
        facts["reader"]["perm_contacts"]
        and facts["reader"]["code_contacts"]
        and facts["reader"]["code_upload"]
    )  # type: ignore[index]
    assert facts["manifest"]["perm_contacts"] and not facts["manifest"]["code_contacts"]  # type: ignore[index]
    assert not any(facts["plain"][k] for k in ("perm_contacts", "perm_call_log", "code_contacts"))  # type: ignore[index]
    assert not any(facts["clean"][k] for k in ("perm_contacts", "perm_call_log", "code_contacts"))  # type: ignore[index]
    ids = lambda a: {f["id"] for f in a["findings"]}  # noqa: E731
    assert {"app-unnecessary-permissions", "app-code-reads-contacts", "app-code-uploads-contacts"} <= ids(
        reader
    )
    assert ids(plain) == set() and ids(clean) == set()
    law = default_law_base()
    for finding in reader["findings"]:  # type: ignore[attr-defined]
        assert finding["provisions"] and all(law.has(p) for p in finding["provisions"])
        assert [c["id"] for c in finding["citations"]] == finding["provisions"]


def test_app_html_report(apks: Apks, tmp_path: Path) -> None:
    policy = tmp_path / "policy.txt"
    policy.write_text(f"{COLLECT}\n{SEPARATE}\n", encoding="utf-8")
    out = tmp_path / "report.html"
    result = runner.invoke(
        app,
        ["app", str(apks.contacts_manifest), "--policy", str(policy), "--format", "html", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "快捷借" in page
    assert 'data-provision="necessary-pi-rule-2021"' in page
    assert "finding-separate-consent-described" in page
    assert "finding-no-separate-consent" not in page
    law = default_law_base()
    assert all(law.has(p) for p in re.findall(r'data-provision="([^"]+)"', page))


def test_app_without_apk_audits_texts_and_fails_on_violation(tmp_path: Path) -> None:
    agreement = tmp_path / "agreement.txt"
    agreement.write_text(AGREEMENT, encoding="utf-8")
    result = runner.invoke(
        app, ["app", "--agreement", str(agreement), "--format", "json", "--fail-on", "violation"]
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["apk"] is None
    assert "agreement-rights-waiver-void" in {f["id"] for f in data["findings"]}
    clean = tmp_path / "clean.txt"
    clean.write_text("借款人应按时还款。\n", encoding="utf-8")
    assert runner.invoke(app, ["app", "--policy", str(clean), "--fail-on", "violation"]).exit_code == 0


def test_app_bad_input_exits_two_in_chinese(tmp_path: Path) -> None:
    assert runner.invoke(app, ["app"]).exit_code == 2
    result = runner.invoke(app, ["app", str(tmp_path / "missing.apk")])
    assert result.exit_code == 2 and "找不到 APK 文件" in result.stderr
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["app", "--policy", str(empty)])
    assert result.exit_code == 2 and "是空的" in result.stderr


def test_app_limits_must_be_finite_and_positive(tmp_path: Path) -> None:
    policy = tmp_path / "policy.txt"
    policy.write_text(COLLECT, encoding="utf-8")
    for option in ("--max-size", "--memory", "--timeout"):
        for value in ("nan", "inf", "-inf", "0", "-1"):
            result = runner.invoke(app, ["app", "--policy", str(policy), option, value])
            assert result.exit_code == 2, (option, value, result.output)
            assert f"{option} 必须是大于 0 的有限数值" in result.stderr
            assert "Traceback" not in result.output


def test_an_agreement_alone_is_not_the_privacy_policy(apks: Apks, tmp_path: Path) -> None:
    agreement = tmp_path / "agreement.txt"
    agreement.write_text(AGREEMENT, encoding="utf-8")
    result = runner.invoke(
        app, ["app", str(apks.contacts_manifest), "--agreement", str(agreement), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["facts"]["perm_contacts"] and not data["facts"]["policy_given"]
    ids = {f["id"] for f in data["findings"]}
    assert "agreement-rights-waiver-void" in ids
    assert not ids & {"permission-undisclosed", "no-separate-consent"}
    policy = tmp_path / "policy.txt"
    policy.write_text("我们重视您的隐私。\n", encoding="utf-8")
    args = ["app", str(apks.contacts_manifest), "--agreement", str(agreement), "--format", "json"]
    with_policy = runner.invoke(app, [*args, "--policy", str(policy)])
    assert "permission-undisclosed" in {f["id"] for f in json.loads(with_policy.stdout)["findings"]}


def test_a_url_near_contact_reading_code_is_only_a_note(apks: Apks) -> None:
    result = runner.invoke(app, ["app", str(apks.url_only), "--format", "json"])
    assert result.exit_code == 0, result.output
    findings = {f["id"]: f for f in json.loads(result.stdout)["findings"]}
    assert "app-code-uploads-contacts" not in findings
    assert findings["app-code-endpoint"]["kind"] == "note"
    assert findings["app-code-endpoint"]["title_zh"] == "代码路径中出现网络地址"
    assert "app-code-reads-contacts" in findings
    text = runner.invoke(app, ["app", str(apks.url_only)]).stdout
    assert "【说明】代码路径中出现网络地址" in text and "pipl-51" not in text
    assert text.count("网络地址：https://www.kuaijie.example/help/privacy.html") == 1
