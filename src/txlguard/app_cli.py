"""`txlguard app` (audit a lending app: APK, privacy policy, loan agreement) and `txlguard policy`
(label policy passages, TAXONOMY §4) — thin skins over :mod:`txlguard.apps` and
:mod:`txlguard.detect.policy`."""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from txlguard.cli_common import EXIT_FINDINGS, fail, input_name, out, read_input

if TYPE_CHECKING:  # imported when a command runs, so that `txlguard --help` stays quick
    from txlguard.detect.policy import PolicyInput
    from txlguard.detect.policy.document import PolicyDocument

MAX_PASSAGE_CHARS = 1_000_000


class AppFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


class PolicyFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"


class AppFailOn(StrEnum):
    never = "never"
    violation = "violation"


def _read_document(source: str, role_zh: str) -> PolicyDocument:
    from txlguard.detect.policy.document import DocumentError, read_document

    try:
        return read_document(read_input(source, role_zh), input_name(source, basename=True))
    except DocumentError as exc:
        fail(str(exc))


def _positive(value: float, option: str) -> float:
    """A finite number above 0 (Typer lets nan and inf through a float option)."""
    if not math.isfinite(value) or value <= 0:
        fail(f"{option} 必须是大于 0 的有限数值，而不是 {value}")
    return value


def _megabytes(value: float, option: str) -> int:
    size = _positive(value, option) * 1024 * 1024
    if not math.isfinite(size):
        fail(f"{option} 过大：{value}")
    return int(size)


def app(
    apk: Annotated[str | None, typer.Argument(help="安卓安装包（.apk）；只审查文本时可省略")] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", help="隐私政策（HTML 或纯文本，任意常见编码）")
    ] = None,
    agreement: Annotated[str | None, typer.Option("--agreement", help="借款协议（HTML 或纯文本）")] = None,
    fmt: Annotated[AppFormat, typer.Option("--format", help="输出格式")] = AppFormat.text,
    output: Annotated[Path | None, typer.Option("--out", help="写入文件而不是标准输出")] = None,
    max_size: Annotated[float, typer.Option("--max-size", help="APK 大小上限（MB）")] = 64.0,
    timeout: Annotated[float, typer.Option("--timeout", help="APK 分析时间上限（秒）")] = 300.0,
    memory: Annotated[float, typer.Option("--memory", help="APK 分析内存上限（MB）")] = 2048.0,
    fail_on: Annotated[
        AppFailOn, typer.Option("--fail-on", help="violation：发现问题时以退出码 1 结束")
    ] = AppFailOn.never,
) -> None:
    """审查网贷 App：权限、读取通讯录的代码、隐私政策和借款协议条款，并给出法律依据。"""
    from txlguard.apps import (
        ApkError,
        ApkLimits,
        analyse_apk,
        audit_document,
        build_audit,
        render_html,
        render_text,
    )

    if apk is None and policy is None and agreement is None:
        fail("请给出 APK 文件，或用 --policy / --agreement 给出隐私政策、借款协议")
    timeout = _positive(timeout, "--timeout")
    limits = ApkLimits(
        max_bytes=_megabytes(max_size, "--max-size"),
        timeout_seconds=timeout,
        memory_bytes=_megabytes(memory, "--memory"),
    )
    documents = []
    for source, role, role_zh in ((policy, "policy", "隐私政策"), (agreement, "agreement", "借款协议")):
        if source is not None:
            documents.append(audit_document(_read_document(source, role_zh), role))
    facts = None
    if apk is not None:
        try:
            facts = analyse_apk(Path(apk), limits)
        except ApkError as exc:
            fail(str(exc))
    audit = build_audit(facts, documents)
    if fmt is AppFormat.json:
        rendered = json.dumps(audit.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    elif fmt is AppFormat.html:
        rendered = render_html(audit)
    else:
        rendered = render_text(audit) + "\n"
    if output is not None:
        try:
            output.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            fail(f"无法写入 {output}：{exc.strerror}")
        out.print(f"已写入 {output}", highlight=False)
    else:
        sys.stdout.write(rendered)
    if fail_on is AppFailOn.violation and audit.violations:
        raise typer.Exit(EXIT_FINDINGS)


def _policy_inputs(data: bytes, name: str) -> list[PolicyInput]:
    """JSONL lines ``{"id", "text"}`` when the first non-blank line is a JSON object (whatever the
    text holds, HTML included); any other text (a policy as HTML or text) is split into passages
    with ids p1, p2, … whose offsets index the passage."""
    from txlguard.detect.policy import PolicyInput, split_passages
    from txlguard.detect.policy.document import DocumentError, read_document
    from txlguard.ingest.decoding import DecodingError, decode_bytes
    from txlguard.ingest.jsonl import JsonlError, first_line, is_object_line, parse_object, read_jsonl

    try:
        text, _ = decode_bytes(data, name)
    except DecodingError as exc:
        fail(str(exc))
    first = first_line(text)
    if first is not None and first[1].startswith(("{", "[")) and not is_object_line(first[1]):
        try:
            parse_object(first[1], first[0])
        except JsonlError as exc:
            fail(f'{exc}；按 JSONL 读取时每行应为 {{"id": …, "text": …}}')
    if first is None or not first[1].startswith("{"):
        try:
            document = read_document(data, name)
        except DocumentError as exc:
            fail(str(exc))
        return [PolicyInput(id=f"p{i}", text=p.text) for i, p in enumerate(split_passages(document.text), 1)]
    try:
        return [PolicyInput(id=raw["id"], text=raw["text"]) for _, raw in read_jsonl(text, MAX_PASSAGE_CHARS)]
    except JsonlError as exc:
        fail(str(exc))


def policy(
    source: Annotated[
        str, typer.Argument(help='JSONL（每行 {"id", "text"}），或整份政策（HTML/纯文本）；- 表示标准输入')
    ],
    fmt: Annotated[PolicyFormat, typer.Option("--format")] = PolicyFormat.jsonl,
) -> None:
    """标注隐私政策、借款协议段落（TAXONOMY §4），按 DESIGN.md 的格式逐行输出标签和位置。"""
    from txlguard.detect.policy import default_policy_scanner

    items = _policy_inputs(read_input(source, "政策"), input_name(source))
    results = default_policy_scanner().scan_batch(items)
    if fmt is PolicyFormat.json:
        sys.stdout.write(json.dumps([r.public() for r in results], ensure_ascii=False, indent=2) + "\n")
        return
    write = sys.stdout.write
    for r in results:
        write(json.dumps(r.public(), ensure_ascii=False) + "\n")
