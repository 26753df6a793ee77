"""Render a :class:`CaseReport` as HTML (Jinja2), PDF (WeasyPrint), Markdown or JSON.

One model, several skins: every format shows the same verdict, findings, provisions, evidence and
steps. DOCX lives in :mod:`txlguard.report.docx` because python-docx builds documents in code.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from enum import StrEnum
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from txlguard.ingest.readers.base import CHINA_TZ, human_size
from txlguard.report.model import CaseReport


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    docx = "docx"
    md = "md"
    json = "json"


def localtime(moment: datetime) -> str:
    """China wall-clock time; times read without a zone are shown as read."""
    local = moment if moment.tzinfo is None else moment.astimezone(CHINA_TZ)
    return f"{local:%Y-%m-%d %H:%M}"


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def template_environment(package: str) -> Environment:
    """The Jinja2 settings every report page shares (autoescaped, strict), for the templates of
    ``package``: the case report here, the app audit in :mod:`txlguard.apps.report`."""
    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filesize=human_size)
    return env


@cache
def environment() -> Environment:
    env = template_environment("txlguard.report")
    env.filters.update(localtime=localtime, data_uri=data_uri)
    return env


def render_html(report: CaseReport) -> str:
    """A self-contained HTML page (styles and images inline), readable on a phone and printable."""
    return environment().get_template("case_report.html.j2").render(r=report)


def render_pdf(report: CaseReport) -> bytes:
    """The HTML page typeset to A4 by WeasyPrint in Debian's Noto CJK fonts."""
    from PIL import ImageFile
    from weasyprint import HTML  # type: ignore[import-untyped]

    # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would let the
    # evidence readers accept truncated screenshots afterwards (in a server, every later upload).
    # The report's own images are complete PNGs, so the strict default is restored.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    pdf: bytes = HTML(string=render_html(report)).write_pdf()
    return pdf


def render_json(report: CaseReport) -> str:
    return json.dumps(report.public(), ensure_ascii=False, indent=2) + "\n"


def render_markdown(report: CaseReport) -> str:
    """Plain Markdown: the same sections as the HTML, without images."""
    r = report
    out = [
        f"# {r.title}",
        "",
        f"通讯录卫士 · 案件报告 · 案件编号 `{r.case_id}` · 生成时间 {localtime(r.generated_at)}"
        f" · 适用法律的日期 {' 至 '.join(r.law_as_of)}",
        "",
        f"**{r.verdict_zh}**",
        "",
        *[f"- {s}" for s in r.plain_summary_zh[1:]],
        "",
        "## 接下来怎么做",
        "",
    ]
    for i, step in enumerate(r.next_steps, 1):
        out.append(f"{i}. **{step.title_zh}** {step.detail_zh}")
        if step.contact_zh:
            out.append(f"   - 联系方式：{step.contact_zh}")
        if step.bring_zh:
            out.append(f"   - 准备：{'；'.join(step.bring_zh)}")
    out.append("")
    if r.timeline.days:
        line = r.timeline
        text = f"共 {line.total} 次来自对方的来电或信息，涉及 {line.counterparties} 个号码或账号"
        if line.allowed_hours:
            text += f"，其中 {line.total_off_hours} 次在 {line.allowed_hours[0]}—{line.allowed_hours[1]} 之外"
        out += ["## 催收时间线", "", text + "。", "", "| 日期 | 次数 | 时段外 |", "| --- | --- | --- |"]
        out += [f"| {d.day} | {d.contacts} | {d.off_hours} |" for d in line.days]
        out.append("")
    out += ["## 法律分析", ""]
    groups = r.by_regime()
    if not groups:
        out += ["根据已知事实，没有认定违法行为。", ""]
    for name, items in groups:
        out += [f"### {name}", ""]
        for f in items:
            out += [
                f"#### {f.id}. {f.title_zh}（{f.status_zh}，证据强度{f.strength_zh} {f.confidence:.2f}）",
                "",
                f.summary_zh,
                "",
            ]
            if f.evidence:
                out += ["证据：" + "、".join(f.evidence), ""]
            if f.remedies_zh:
                out += ["可以主张：" + "；".join(f.remedies_zh), ""]
            if f.authorities_zh:
                out += ["可以找：" + "、".join(f.authorities_zh), ""]
            if f.missing_zh:
                out += ["尚待证实：" + "、".join(f.missing_zh), ""]
            out += [f"> 注：{n}" for n in f.notes_zh]
            out.append("")
            out += ["法律依据：" + "、".join(r.provision(pid).citation_zh for pid in f.provisions), ""]
    for f in r.explanatory_notes():
        out += [f"**说明：{f.title_zh}** {f.summary_zh}", ""]
    out += ["## 认定的事实", "", "| 事实 | 结论 |", "| --- | --- |"]
    out += [f"| {fact.name_zh} | {fact.value_zh} |" for fact in r.facts]
    out += ["", "## 证据清单", ""]
    if r.evidence:
        out += ["| 编号 | 内容 | 来源 | 时间 | SHA-256 |", "| --- | --- | --- | --- | --- |"]
        for e in r.evidence:
            when = localtime(e.occurred_at) if e.occurred_at else "—"
            marked = "".join(f"**{text}**" if hit else text for text, hit in e.segments())
            quote = marked.replace("|", "\\|").replace("\n", " ")
            out.append(
                f"| {e.ref} | {quote}（{e.label_zh}） | {e.file_name or '—'} | {when} | {e.sha256 or '—'} |"
            )
        out.append("")
    out += ["证据原件：", ""]
    out += [f"- {f.name}（{f.kind}，{f.items} 条）SHA-256 `{f.sha256}`" for f in r.evidence_files]
    out.append("")
    if r.similar_cases:
        out += ["## 类似案例", ""]
        for c in r.similar_cases:
            number = f"，{c.number}" if c.number else ""
            out += [
                f"- **{c.title_zh}**（{c.forum_zh}，{c.year}年{number}；可靠性 {c.reliability}）",
                f"  {c.holding_zh} 结果：{c.outcome_zh} 相同之处：{'；'.join(c.shared_zh)}",
            ]
        out.append("")
    if r.open_questions:
        out += ["## 还需要弄清的问题", ""]
        for i, q in enumerate(r.open_questions, 1):
            out.append(f"{i}. {q.text_zh}（{q.why_zh}）")
            if q.hint_zh:
                out.append(f"   - 怎样查到：{q.hint_zh}")
        out.append("")
    if r.provisions:
        out += [
            "## 引用的法律条文",
            "",
            f"以下条文均为案件行为发生期间（{' 至 '.join(r.law_as_of)}）有效的规定。",
            "",
        ]
        for p in r.provisions:
            flag = "（要点摘要，非原文）" if p.text_kind == "summary" else ""
            out.append(f"- **{p.citation_zh}**（`{p.id}`，{p.dates_zh}）{flag}")
            out.append(f"  要点：{p.gist_zh}")
            out += [f"  > {ln}" for ln in p.text.splitlines() if ln.strip()]
        out.append("")
    if r.notes_zh:
        out += ["## 说明", "", *[f"- {n}" for n in r.notes_zh], ""]
    out += ["---", r.disclaimer_zh, ""]
    return "\n".join(out)
