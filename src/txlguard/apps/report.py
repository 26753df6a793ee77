"""The app audit: APK facts, labelled policy and agreement passages and the findings, in one model,
rendered as text (terminal), JSON or a self-contained HTML page (Jinja2)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from jinja2 import Environment
from pydantic import BaseModel, Field

from txlguard.apps.models import DATA_ZH, ApkFacts, CodePath
from txlguard.detect.models import Detection
from txlguard.detect.policy import default_policy_scanner, split_passages
from txlguard.detect.policy.document import PolicyDocument
from txlguard.detect.policy.purposes import PurposeStatement, find_purposes
from txlguard.ingest.readers.base import human_size
from txlguard.reason.app_rules import AppFinding, judge_app
from txlguard.report.render import template_environment
from txlguard.taxonomy import PolicyLabel

POLICY_LABEL_ZH = {
    "collects_contacts": "收集通讯录/通话记录/短信",
    "contacts_used_for_collection": "联系人用于催收",
    "forced_consent": "强制或捆绑同意",
    "shared_with_collectors": "提供给催收机构",
    "rights_waiver": "权利放弃条款",
    "separate_consent_described": "说明了单独同意",
}


class DocumentAudit(BaseModel):
    """The labelled passages of a privacy policy or agreement."""

    role: str = Field(description="policy | agreement")
    file: str
    encoding: str
    is_html: bool
    offsets: str = Field(description="what the offsets index")
    passages: int
    labels: list[str]
    detections: list[Detection]
    purposes: list[PurposeStatement] = Field(
        default_factory=list, description="purposes given in the passages that state collection of contacts"
    )


class AppAudit(BaseModel):
    """The whole audit; `txlguard app --format json` prints this."""

    apk: ApkFacts | None = None
    documents: list[DocumentAudit] = Field(default_factory=list)
    facts: dict[str, bool]
    findings: list[AppFinding]

    @property
    def violations(self) -> list[AppFinding]:
        return [f for f in self.findings if f.kind == "violation"]


def audit_document(document: PolicyDocument, role: str) -> DocumentAudit:
    """Label every passage of a document; offsets index the document's (extracted) text."""
    scanner = default_policy_scanner()
    detections: list[Detection] = []
    purposes: list[PurposeStatement] = []
    passages = split_passages(document.text)
    for passage in passages:
        found, _ = scanner.scan_passage(passage.text, passage.start)
        detections += found
        if any(d.label == "collects_contacts" for d in found):
            purposes += find_purposes(passage.text, passage.start)
    order = [label.value for label in PolicyLabel]
    labels = sorted({d.label for d in detections}, key=order.index)
    return DocumentAudit(
        role=role,
        file=document.name,
        encoding=document.encoding,
        is_html=document.is_html,
        offsets=document.offsets_note,
        passages=len(passages),
        labels=labels,
        detections=detections,
        purposes=purposes,
    )


def app_facts(apk: ApkFacts | None, documents: list[DocumentAudit]) -> dict[str, bool]:
    """The boolean facts the app rules read."""
    facts: dict[str, bool] = {}
    if apk is not None:
        for group in ("contacts", "call_log", "sms"):
            facts[f"perm_{group}"] = apk.requests(group)
            facts[f"code_{group}"] = apk.reads(group)
        facts["code_upload"] = apk.uploads()
        facts["code_endpoint"] = any(c.endpoints and c.queries for c in apk.code_paths)
    # a loan agreement is no privacy policy: with an agreement alone, what "the policy" omits is unknown
    facts["policy_given"] = any(d.role == "policy" for d in documents)
    for label in PolicyLabel:
        facts[label.value] = any(label.value in d.labels for d in documents)
    return facts


def build_audit(apk: ApkFacts | None, documents: list[DocumentAudit]) -> AppAudit:
    facts = app_facts(apk, documents)
    return AppAudit(apk=apk, documents=documents, facts=facts, findings=judge_app(facts))


def _kinds_zh(kinds: Sequence[str]) -> str:
    """通讯录、通话记录和短信 — the data an SDK's code reads, as the report names it."""
    names = [DATA_ZH[k] for k in kinds]
    return "和".join(["、".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


@cache
def _environment() -> Environment:
    env = template_environment("txlguard.apps")
    env.globals.update(label_zh=POLICY_LABEL_ZH, data_zh=DATA_ZH, kinds_zh=_kinds_zh)
    return env


def render_html(audit: AppAudit) -> str:
    """A self-contained page (inline styles), readable on a phone and printable."""
    return _environment().get_template("app_report.html.j2").render(a=audit)


def render_text(audit: AppAudit) -> str:
    """A plain-text summary for the terminal."""
    lines: list[str] = []
    apk = audit.apk
    if apk is not None:
        lines += [
            f"# App：{apk.app_name or apk.package}（{apk.package}，版本 {apk.version_name or '未知'}）",
            f"文件：{apk.file} · {human_size(apk.size)} · SHA-256 {apk.sha256}",
            "",
            "## 申请的权限",
        ]
        sensitive = [p for p in apk.permissions if not p.necessary]
        for p in sensitive:
            lines.append(f"- {p.name}（{p.zh}）——不属于网络借贷的必要个人信息")
        others = [p.name for p in apk.permissions if p.necessary]
        if others:
            lines.append(f"- 其他：{'、'.join(others)}")
        lines += ["", "## 读取通讯录、通话记录、短信的代码"]
        if not apk.has_code:
            lines.append("- 安装包中没有可分析的代码（classes.dex）")
        elif not apk.code_paths:
            lines.append("- 未发现查询通讯录、通话记录或短信的代码")
        # one method may read several kinds (contacts and call log): one entry, its URLs listed once
        by_method: dict[tuple[str, bool], list[CodePath]] = {}
        for c in apk.code_paths:
            by_method.setdefault((c.method, c.queries), []).append(c)
        for (method, queries), group in by_method.items():
            what = _kinds_zh(list(dict.fromkeys(c.data for c in group)))
            sdk = group[0].sdk
            lines.append(f"- {'查询' if queries else '引用'}{what}：{method}" + (f"（{sdk}）" if sdk else ""))
            for url in dict.fromkeys(u for c in group for u in c.endpoints):
                lines.append(f"  网络地址：{url}")
            for call in dict.fromkeys(n for c in group for n in c.network):
                lines.append(f"  网络调用：{call}")
        if apk.sdks:
            lines += ["", "## 第三方 SDK"]
            for s in apk.sdks:
                lines.append(
                    f"- {s.name}（{s.prefix}*，{s.classes} 个类）"
                    + (f"——其代码读取{_kinds_zh(s.reads)}" if s.reads else "")
                )
    for d in audit.documents:
        role = "隐私政策" if d.role == "policy" else "借款协议"
        lines += ["", f"## {role}：{d.file}（{d.passages} 段，{d.offsets}）"]
        if not d.detections:
            lines.append("- 未发现相关条款")
        for det in d.detections:
            lines.append(f"- [{POLICY_LABEL_ZH[det.label]}] {det.start}–{det.end}「{det.quote}」")
        given = list(dict.fromkeys(p.zh for p in d.purposes))
        if given:
            lines.append(f"- 收集通讯录的目的：{'、'.join(given)}")
    lines += ["", "## 结论"]
    if audit.violations:
        lines.append(f"发现 {len(audit.violations)} 个问题。")
    elif not audit.findings:
        lines.append("未发现违法违规问题。")
    for f in audit.findings:
        mark = "问题" if f.kind == "violation" else "说明"
        lines.append(f"- 【{mark}】{f.title_zh}：{f.summary_zh}")
        for cite in f.citations:
            lines.append(f"  依据：{cite.name_zh} {cite.article}（{cite.id}）{cite.caveat_zh}")
    return "\n".join(lines)
