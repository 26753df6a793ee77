"""The app-audit rules (reason/data/app_rules.yaml): every cited provision exists, conditions hold
as written."""

from __future__ import annotations

import re

from txlguard.law import default_law_base
from txlguard.reason.app_rules import app_rules, judge_app
from txlguard.taxonomy import PolicyLabel

FACTS = {
    "perm_contacts",
    "perm_call_log",
    "perm_sms",
    "code_contacts",
    "code_call_log",
    "code_sms",
    "code_upload",
    "code_endpoint",
    "policy_given",
    *(label.value for label in PolicyLabel),
}


def test_every_rule_cites_provisions_of_the_law_base_and_names_known_facts() -> None:
    law = default_law_base()
    for rule in app_rules():
        assert rule.provisions or rule.kind == "note", rule.id
        for pid in rule.provisions:
            assert law.has(pid), (rule.id, pid)
        assert {*rule.when.all, *rule.when.any, *rule.when.none} <= FACTS, rule.id
        # YAML folding leaves no space between two Chinese characters
        assert not re.search(
            r"[\u3000-\u9fff\uff00-\uffef]\s+[\u3000-\u9fff\uff00-\uffef]", rule.summary_zh
        ), rule.id


def _ids(**facts: bool) -> set[str]:
    return {f.id for f in judge_app(facts)}


def test_separate_consent_is_judged_only_with_a_policy() -> None:
    assert "no-separate-consent" not in _ids(perm_contacts=True)
    assert "no-separate-consent" in _ids(perm_contacts=True, policy_given=True)
    found = _ids(
        perm_contacts=True, policy_given=True, separate_consent_described=True, collects_contacts=True
    )
    assert "no-separate-consent" not in found and "separate-consent-described" in found
    assert "permission-undisclosed" not in found


def test_violations_come_before_notes() -> None:
    findings = judge_app({"separate_consent_described": True, "rights_waiver": True, "policy_given": True})
    assert [f.kind for f in findings] == ["violation", "note"]
    assert findings[0].facts == ["rights_waiver"]


def test_nothing_found_without_facts() -> None:
    assert judge_app({}) == []


def test_the_report_names_what_an_sdk_reads() -> None:
    from txlguard.apps import ApkFacts, Sdk, build_audit, render_html, render_text

    sdks = [
        Sdk(prefix="cn.tongdun.", name="同盾科技", kind="风控", classes=3, reads=["call_log", "sms"]),
        Sdk(prefix="com.a.", name="甲", kind="风控", classes=1, reads=["contacts", "call_log", "sms"]),
        Sdk(prefix="com.umeng.", name="友盟", kind="统计", classes=2),
    ]
    apk = ApkFacts(file="a.apk", sha256="0" * 64, size=1, package="com.example", has_code=True, sdks=sdks)
    audit = build_audit(apk, [])
    text, page = render_text(audit), render_html(audit)
    assert "同盾科技（cn.tongdun.*，3 个类）——其代码读取通话记录和短信" in text
    assert "甲（com.a.*，1 个类）——其代码读取通讯录、通话记录和短信" in text
    assert "友盟（com.umeng.*，2 个类）\n" in text + "\n"
    assert "其代码读取通话记录和短信</span>" in page and page.count("其代码读取通讯录") == 1


def test_sensitive_information_rules_cite_the_standard_and_mark_secondary_sources() -> None:
    law = default_law_base()
    findings = {
        f.id: f
        for f in judge_app(
            {"code_contacts": True, "policy_given": True, "contacts_used_for_collection": True}
        )
    }
    for rule in ("app-code-reads-contacts", "no-separate-consent"):
        assert "gbt-35273-2020" in findings[rule].provisions
    for finding in findings.values():
        for cite in finding.citations:
            reliability = law.provision(cite.id).reliability
            assert cite.reliability == reliability
            assert cite.caveat_zh == ("" if reliability == "primary" else "（二手来源，效力待核实）")
    standard = next(c for c in findings["no-separate-consent"].citations if c.id == "gbt-35273-2020")
    assert standard.caveat_zh == "（二手来源，效力待核实）"
    # what only a secondary source says is reported as such, not stated as fact
    assert "据二手资料" in findings["policy-contacts-for-collection"].summary_zh
    assert "催收行业规范也禁止" not in findings["policy-contacts-for-collection"].summary_zh
    assert "据二手引用" in findings["app-code-reads-contacts"].summary_zh


def test_the_text_report_tags_secondary_sources() -> None:
    from txlguard.apps import build_audit, render_html, render_text

    audit = build_audit(None, [])
    audit.findings = judge_app({"code_contacts": True})
    text = render_text(audit)
    assert "（gbt-35273-2020）（二手来源，效力待核实）" in text
    assert "（pipl-28）\n" in text
    assert "（二手来源，效力待核实）：" in render_html(audit)


def test_get_accounts_is_no_contacts_permission() -> None:
    from txlguard.apps import ApkFacts, Permission
    from txlguard.apps.report import app_facts
    from txlguard.apps.worker import _permission_table

    table = _permission_table()
    assert table["android.permission.GET_ACCOUNTS"]["group"] == "accounts"
    assert table["android.permission.READ_CONTACTS"]["group"] == "contacts"
    accounts = Permission(name="android.permission.GET_ACCOUNTS", **table["android.permission.GET_ACCOUNTS"])
    apk = ApkFacts(file="a.apk", sha256="0" * 64, size=1, package="com.example", permissions=[accounts])
    facts = app_facts(apk, [])
    assert not facts["perm_contacts"]
    assert not {f.id for f in judge_app({**facts, "policy_given": True})}
