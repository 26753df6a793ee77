"""The `txlguard` command: a thin Typer skin over the library. Messages for people are Chinese."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from txlguard.app_cli import app as app_command
from txlguard.app_cli import policy
from txlguard.audit_cli import audit
from txlguard.case_cli import case_app
from txlguard.cli_common import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    FailOn,
    Format,
    err,
    fail,
    fails_on,
    input_name,
    out,
    read_input,
    show_markdown,
)
from txlguard.facts.structured import FactInputError, parse_fact_json
from txlguard.ingest.decoding import DecodingError, decode_bytes
from txlguard.keys_cli import keys_app, serve

app = typer.Typer(
    name="txlguard",
    help="通讯录卫士：判断网贷催收（爆通讯录、威胁、侮辱、冒充公检法）是否违法，并给出法律依据。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
law_app = typer.Typer(help="浏览法律库：法条、案例、投诉渠道。", no_args_is_help=True)
app.add_typer(law_app, name="law")
app.add_typer(case_app, name="case")
app.add_typer(keys_app, name="keys")
app.command("serve")(serve)
app.command("audit")(audit)
app.command("app")(app_command)
app.command("policy")(policy)


def read_text(source: str, what: str) -> str:
    try:
        return decode_bytes(read_input(source, what), source)[0]
    except DecodingError as exc:
        fail(str(exc))


# -- law --------------------------------------------------------------------------------------
@law_app.command("list")
def law_list(
    instrument: Annotated[str | None, typer.Option(help="只列出某部法律，如 pipl、civil-code")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="只列出该日期（YYYY-MM-DD）有效的条文")] = None,
) -> None:
    """列出法律库中的条文。"""
    from txlguard.law import default_law_base

    law = default_law_base()
    day = _parse_date(as_of, "--as-of") if as_of else None
    table = Table("编号", "法律", "条", "来源可靠性", "要点", show_lines=False)
    for p in law.provisions.values():
        if instrument and p.instrument != instrument:
            continue
        if day and not p.in_force_on(day):
            continue
        reliability = {"primary": "原文", "secondary": "二手", "unverified": "未核实"}[p.reliability]
        table.add_row(p.id, law.instruments[p.instrument].name_zh, p.article, reliability, p.gist_zh)
    out.print(table)


@law_app.command("show")
def law_show(
    provision_id: Annotated[str, typer.Argument(help="条文编号，如 civil-code-1032、pipl-13")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.text,
) -> None:
    """显示一个条文的原文、来源和生效日期。"""
    from txlguard.law import default_law_base

    law = default_law_base()
    if not law.has(provision_id):
        suggestions = [p.id for p in law.search(provision_id.replace("-", " "), limit=5)]
        hint = f"；你是不是要找：{'、'.join(suggestions)}" if suggestions else ""
        fail(f"法律库中没有编号为 {provision_id} 的条文{hint}")
    p = law.provision(provision_id)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(p.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
        return
    inst = law.instruments[p.instrument]
    lines = [
        f"# {inst.name_zh} {p.article}",
        f"`{p.id}` · 生效：{p.effective_from or '未知'}"
        + (f" · 失效：{p.repealed_on}" if p.repealed_on else ""),
        "",
        f"**要点**：{p.gist_zh}",
        "",
        p.text or f"（原文未收录：{p.summary_zh}）",
        "",
        f"来源：{p.source}",
    ]
    if p.replaced_by:
        lines.append(f"已由 {'、'.join(p.replaced_by)} 取代")
    show_markdown("\n".join(lines), fmt)


@law_app.command("search")
def law_search(words: Annotated[list[str], typer.Argument(help="关键词，如 通讯录 同意")]) -> None:
    """按关键词搜索条文。"""
    from txlguard.law import default_law_base

    law = default_law_base()
    hits = law.search(" ".join(words))
    if not hits:
        out.print("没有找到匹配的条文。")
        return
    for p in hits:
        out.print(
            f"[bold]{p.id}[/] {law.instruments[p.instrument].name_zh}{p.article}：{p.gist_zh}",
            highlight=False,
        )


# -- assess -----------------------------------------------------------------------------------
def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} 应为日期 YYYY-MM-DD，收到：{value}")


@app.command()
def assess(
    facts_file: Annotated[
        str | None, typer.Option("--facts", help="结构化事实 JSON 文件，- 表示标准输入")
    ] = None,
    text_file: Annotated[
        str | None, typer.Option("--text", help="借款人自述文本文件，- 表示标准输入")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="输出格式")] = Format.text,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="按哪一天的法律判断（默认：行为发生日或今天）")
    ] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="发现违法时以退出码 1 结束")] = FailOn.never,
) -> None:
    """根据事实或自述，判断催收行为是否违法，并列出法律依据。"""
    from txlguard.reason import assess as judge

    if (facts_file is None) == (text_file is None):
        fail("请只给出 --facts 或 --text 其中之一")
    if facts_file is not None:
        try:
            case = parse_fact_json(read_text(facts_file, "事实"))
        except FactInputError as exc:
            fail(f"事实文件有误，字段 {exc.field}：{exc.message_zh}")
    else:
        from txlguard.facts import extract_facts

        narrative = read_text(text_file or "-", "自述")
        if not narrative.strip():
            fail("自述文本为空")
        case = extract_facts(narrative)
    judgement = judge(case, _parse_date(as_of, "--as-of") if as_of else None)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(judgement.public(), ensure_ascii=False, indent=2) + "\n")
    else:
        from txlguard.report import render_markdown

        document = render_markdown(judgement)
        show_markdown(document, fmt)
    if fails_on(judgement.verdict, fail_on):
        raise typer.Exit(EXIT_FINDINGS)


# -- detection --------------------------------------------------------------------------------
class ScanFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    table = "table"


class ScanFailOn(StrEnum):
    never = "never"
    any = "any"


LABEL_ZH = {
    "disclosure_to_third_party": "向第三人披露债务",
    "threat_to_contacts": "威胁联系通讯录",
    "threat_of_exposure": "威胁曝光",
    "threat_of_violence": "暴力威胁",
    "insult": "侮辱",
    "impersonation": "冒充公检法/律师",
    "false_legal_threat": "虚假法律后果",
}


@app.command()
def check(
    text: Annotated[str, typer.Argument(help="一条催收短信或消息的原文")],
    recipient: Annotated[
        str | None, typer.Option(help="收信人：borrower（借款人）、contact（联系人）、unknown")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.text,
) -> None:
    """检查一条消息，标出违法内容及法律依据。"""
    from txlguard.detect import default_scanner
    from txlguard.detect.models import MessageInput
    from txlguard.law import default_law_base

    if recipient not in (None, "borrower", "contact", "unknown"):
        fail("--recipient 只能是 borrower、contact 或 unknown")
    result = default_scanner().scan(MessageInput(id="1", text=text, recipient=recipient))
    if fmt is Format.json:
        sys.stdout.write(json.dumps(result.public(), ensure_ascii=False) + "\n")
        return
    if not result.labels:
        out.print("[green]未发现违法内容。[/]", highlight=False)
        return
    law = default_law_base()
    out.print(_highlight(text, [(d.start, d.end) for d in result.detections if d.label in LABEL_ZH]))
    out.print(f"[bold red]发现 {len(result.labels)} 类问题：[/]", highlight=False)
    for d in result.detections:
        if d.label not in LABEL_ZH:
            continue
        cites = "、".join(
            f"{law.instruments[law.provision(p).instrument].name_zh}{law.provision(p).article}"
            for p in d.provisions[:4]
            if law.has(p)
        )
        out.print(f"- [bold]{LABEL_ZH[d.label]}[/]「{d.quote}」 置信度 {d.confidence:.2f}", highlight=False)
        if cites:
            out.print(f"  依据：{cites}", highlight=False)


def _highlight(text: str, spans: list[tuple[int, int]]) -> str:
    from rich.markup import escape

    pieces, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        pieces += [escape(text[last:start]), "[reverse red]", escape(text[start:end]), "[/]"]
        last = end
    pieces.append(escape(text[last:]))
    return "".join(pieces)


@app.command()
def scan(
    source: Annotated[str, typer.Argument(help="JSONL、CSV 或纯文本文件（每行一条），- 表示标准输入")],
    fmt: Annotated[ScanFormat, typer.Option("--format")] = ScanFormat.jsonl,
    fail_on: Annotated[
        ScanFailOn, typer.Option("--fail-on", help="any：任一消息有违法标签时以退出码 1 结束")
    ] = ScanFailOn.never,
) -> None:
    """批量检查消息，按 DESIGN.md 的格式输出每条消息的标签和检出位置。"""
    from txlguard.detect import default_scanner
    from txlguard.ingest.messages import MessageFileError, read_messages

    data = read_input(source, "消息")
    try:
        parsed = read_messages(data, input_name(source))
    except (MessageFileError, DecodingError) as exc:
        fail(str(exc))
    scanner = default_scanner()
    flagged = 0
    if fmt is ScanFormat.jsonl:  # streamed chunk by chunk: no list of all results
        write = sys.stdout.write
        done = 0
        try:
            for r in scanner.iter_scan(parsed.messages):
                flagged += bool(r.labels)
                write(json.dumps(r.public(), ensure_ascii=False) + "\n")
                done += 1
        except Exception as exc:  # a bug: say how far the output goes, with its own exit code
            sys.stdout.flush()
            err.print(
                f"[red]扫描在第 {done + 1} 条消息附近出错（{type(exc).__name__}），"
                f"已输出的前 {done} 条结果有效，其余未输出。请报告此问题。[/red]"
            )
            raise typer.Exit(EXIT_INTERNAL) from exc
    else:
        results = scanner.scan_batch(parsed.messages)
        flagged = sum(bool(r.labels) for r in results)
        if fmt is ScanFormat.table:
            table = Table("编号", "标签", "片段")
            for r in results:
                quotes = "；".join(d.quote for d in r.detections if d.label in LABEL_ZH)
                table.add_row(r.id, "、".join(LABEL_ZH.get(lb, lb) for lb in r.labels) or "—", quotes)
            out.print(table)
        else:
            items = [r.public() for r in results]
            sys.stdout.write(json.dumps(items, ensure_ascii=False, indent=2) + "\n")
    if fail_on is ScanFailOn.any and flagged:
        raise typer.Exit(EXIT_FINDINGS)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
