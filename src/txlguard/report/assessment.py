"""Render a judgement in plain Chinese: the verdict first, then findings, provisions and next steps."""

from __future__ import annotations

from txlguard.law import LawBase, default_law_base
from txlguard.reason.models import Finding, Judgement

REGIME_ZH = {"civil": "民事", "administrative": "行政", "criminal": "刑事"}
STATUS_ZH = {"established": "已确认", "possible": "待证实"}
STRENGTH_ZH = {"strong": "强", "moderate": "中", "weak": "弱"}
TRUTH_ZH = {True: "是", False: "否", None: "未知"}


def _provision_line(law: LawBase, pid: str) -> str:
    p = law.provision(pid)
    name = law.instruments[p.instrument].name_zh
    return f"- **{name}{p.article}**（`{p.id}`）{p.caveat_zh}：{p.gist_zh}"


def _finding_block(law: LawBase, f: Finding) -> list[str]:
    lines = [
        f"### {f.id}. {f.title_zh}",
        "",
        f"{REGIME_ZH[f.regime]} · {STATUS_ZH[f.status]} · 证据强度：{STRENGTH_ZH[f.strength]}（{f.confidence:.2f}）",
        "",
        f.summary,
        "",
        "依据：",
        *[_provision_line(law, pid) for pid in f.provisions],
    ]
    if f.remedies:
        lines += ["", "可以主张：", *[f"- {r.text_zh}" for r in f.remedies]]
    if f.authorities:
        names = [law.channels[c].name_zh for c in f.authorities if c in law.channels]
        lines += ["", "可以找：" + "、".join(names)]
    if f.evidence:
        lines += ["", "证据：", *[f"- 「{e.quote}」（{e.source}）" for e in f.evidence[:5]]]
    if f.missing:
        lines += ["", "尚待证实：" + "、".join(f.missing)]
    lines += [*[f"> {n}" for n in f.notes_zh], ""]
    return lines


def render_markdown(judgement: Judgement, law: LawBase | None = None) -> str:
    """The judgement as a Markdown document in Simplified Chinese."""
    law = law or default_law_base()
    lines = [
        "# 通讯录卫士 · 评估结论",
        "",
        f"**结论：{judgement.verdict_zh}**（可信度 {judgement.confidence:.2f}）",
        "",
        f"法律适用日期：{' 至 '.join(judgement.law_as_of)}",
        "",
        "## 事实",
        "",
        *[
            f"- {law.code(code).name_zh}（`{code}`）：{TRUTH_ZH[value]}"
            for code, value in judgement.facts.items()
        ],
        "",
    ]
    by_regime = {
        r: [f for f in judgement.findings if f.regime == r] for r in ("civil", "administrative", "criminal")
    }
    for regime, items in by_regime.items():
        if items:
            lines += [
                f"## {REGIME_ZH[regime]}责任",
                "",
                *[ln for f in items for ln in _finding_block(law, f)],
            ]
    if judgement.questions:
        lines += ["## 还需要弄清的问题", ""]
        lines += [f"{i}. {q.text_zh}（{q.why_zh}）" for i, q in enumerate(judgement.questions, 1)]
        lines.append("")
    if judgement.notes_zh:
        lines += ["## 说明", "", *[f"- {n}" for n in judgement.notes_zh], ""]
    lines += ["---", "本结论由规则自动生成，供了解权利和准备材料之用，不构成正式法律意见。"]
    return "\n".join(lines)
