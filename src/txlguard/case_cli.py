"""`txlguard case …`: build a case from a borrower's evidence, judge it, export it.

A thin skin over :mod:`txlguard.store` and :mod:`txlguard.pipeline`. The store is the SQLite file in
the user data directory unless ``TXLGUARD_DATABASE_URL`` (and ``TXLGUARD_BLOB_DIR``) say otherwise.
Messages for people are Chinese; bad input exits with code 2 (DESIGN.md).

``case add`` is all-or-nothing *per file*: each file is read and stored in its own transaction, so
a bad file changes nothing and the good files of the same call are still added; the command then
exits with code 2 and names every file that failed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from txlguard.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    FailOn,
    Format,
    err,
    fail,
    fails_on,
    out,
    show_markdown,
)
from txlguard.ingest.readers.base import human_size
from txlguard.interview.cli import interview_command
from txlguard.report.render import ReportFormat

if TYPE_CHECKING:
    from txlguard.store import CaseSummary, EvidenceEntry, Store


case_app = typer.Typer(
    help="案件：保存证据原件（SHA-256 存证）、汇总研判、导出证据包。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


VERDICT_ZH = {
    "unlawful": "违法",
    "likely_unlawful": "很可能违法",
    "lawful": "未发现违法",
    "undetermined": "尚无法判断",
}
STATUS_ZH = {"ok": "原件完好", "missing": "原件缺失", "corrupt": "原件已被改动"}


class ListFormat(StrEnum):
    text = "text"
    json = "json"


@contextlib.contextmanager
def opened_store() -> Iterator[Store]:
    """The configured store, with Chinese errors for a database that cannot be opened."""
    from sqlalchemy.exc import SQLAlchemyError

    from txlguard.store import open_store

    try:
        store = open_store()
    except SQLAlchemyError as exc:
        fail(f"无法打开案件数据库（{type(exc).__name__}）：{str(exc).splitlines()[0]}")
    except ValueError as exc:  # a malformed TXLGUARD_DATABASE_URL
        fail(f"案件数据库地址无效：{exc}")
    except OSError as exc:  # e.g. the database's directory cannot be created
        fail(f"无法打开案件数据库：{exc.strerror or exc}（{exc.filename or ''}）")
    try:
        yield store
    finally:
        store.close()


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """Store errors (unknown case id, missing original…) become exit code 2 with their Chinese text."""
    from txlguard.store import StoreError

    try:
        yield
    except StoreError as exc:
        fail(str(exc))


def local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "—"


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# -- new / list / show ------------------------------------------------------------------------
@case_app.command("new")
def case_new(
    title: Annotated[str, typer.Option("--title", "-t", help="案件标题，如“某某贷 爆通讯录”")],
) -> None:
    """新建案件，只输出案件编号。"""
    if not title.strip():
        fail("案件标题不能为空")
    with opened_store() as store, store_errors():
        case = store.create_case(title)
    sys.stdout.write(case.id + "\n")


@case_app.command("list")
def case_list(fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.text) -> None:
    """列出所有案件。"""
    with opened_store() as store:
        cases = store.list_cases()
    if fmt is ListFormat.json:
        _json([c.model_dump(mode="json") for c in cases])
        return
    if not cases:
        out.print("还没有案件。用 txlguard case new --title 标题 新建一个。", highlight=False)
        return
    table = Table("编号", "标题", "创建时间", "证据", "记录", "最近结论")
    for c in cases:
        verdict = VERDICT_ZH.get(c.last_verdict, c.last_verdict) if c.last_verdict else "未研判"
        table.add_row(
            c.id,
            escape(c.title),
            local(c.created_at),
            str(c.evidence_count),
            str(c.communication_count),
            verdict,
        )
    out.print(table)


@case_app.command("show")
def case_show(
    case_id: Annotated[str, typer.Argument(help="案件编号")],
    fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.text,
) -> None:
    """显示案件：每份证据的文件名、SHA-256、记录数、原件是否完好，以及最近一次结论。"""
    with opened_store() as store, store_errors():
        case = store.case(case_id)
        evidence = store.evidence(case.id)
        status = {e.sha256: store.original_status(e.sha256).value for e in evidence}
        latest = store.latest_judgement(case.id)
    if fmt is ListFormat.json:
        _json(
            {
                "case": case.model_dump(mode="json"),
                "evidence": [{**e.model_dump(mode="json"), "original": status[e.sha256]} for e in evidence],
                "communications": case.communication_count,
                "last_judgement": latest.model_dump(mode="json") if latest else None,
            }
        )
        return
    out.print(
        f"[bold]{escape(case.title)}[/]  编号 {case.id}  创建于 {local(case.created_at)}", highlight=False
    )
    out.print(f"证据 {len(evidence)} 份，共 {case.communication_count} 条短信/通话/消息记录", highlight=False)
    for n, e in enumerate(evidence, 1):
        state = status[e.sha256]
        colour = "green" if state == "ok" else "bold red"
        out.print(
            f"{n}. {escape(e.name)}  {e.kind} · {human_size(e.size)} · {e.communications} 条记录 · "
            f"添加于 {local(e.added_at)} · [{colour}]{STATUS_ZH[state]}[/]",
            highlight=False,
        )
        out.print(f"   SHA-256 {e.sha256}", highlight=False)
    if latest is None:
        out.print("尚未研判：运行 txlguard case judge " + case.id, highlight=False)
    else:
        verdict = latest.judgement.get("verdict_zh") or VERDICT_ZH.get(latest.verdict, latest.verdict)
        out.print(
            f"最近结论：[bold]{escape(str(verdict))}[/]（{local(latest.judged_at)}，"
            f"依据 {len(latest.evidence_sha256s)} 份证据）",
            highlight=False,
        )


# -- add --------------------------------------------------------------------------------------
def _read_file(path: Path, limit: int) -> bytes:
    """The file's bytes; a Chinese ValueError for what cannot be read."""
    if not path.exists():
        raise ValueError(f"找不到文件：{path}")
    if path.is_dir():
        raise ValueError(f"{path} 是一个目录，请给出其中的文件（例如 {path}/*.png）")
    try:
        size = path.stat().st_size
        if size > limit:
            raise ValueError(
                f"{path.name} 太大（{human_size(size)}），单个文件最多 {human_size(limit)}；请拆分后分别添加"
            )
        return path.read_bytes()
    except OSError as exc:
        raise ValueError(f"无法读取 {path}：{exc.strerror or exc}") from exc


@case_app.command("add")
def case_add(
    case_id: Annotated[str, typer.Argument(help="案件编号")],
    files: Annotated[
        list[Path], typer.Argument(help="证据文件：短信备份 XML、通话记录、CSV、聊天记录、截图…")
    ],
) -> None:
    """向案件添加证据文件。每个文件单独保存：坏文件不会写入任何内容，其他文件照常添加。"""
    from txlguard.ingest.models import IngestError
    from txlguard.ingest.readers.base import MAX_FILE_BYTES
    from txlguard.store import StoreError

    failures = 0
    with opened_store() as store:
        with store_errors():
            case = store.case(case_id)
        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        with progress:
            task = progress.add_task("添加证据", total=len(files))
            for path in files:
                progress.update(task, description=f"读取 {escape(path.name)}")
                try:
                    result = store.add_evidence(case.id, _read_file(path, MAX_FILE_BYTES), path.name)
                except (ValueError, StoreError, OSError) as exc:  # IngestError is a ValueError
                    failures += 1
                    message = f"无法保存（{exc.strerror or exc}）" if isinstance(exc, OSError) else str(exc)
                    if path.name not in message and str(path) not in message:
                        message = f"{path}：{message}"
                    kind = "无法读取" if isinstance(exc, IngestError) else "失败"
                    err.print(f"[bold red]{kind}：[/]{escape(message)}（未写入任何内容）", highlight=False)
                else:
                    e = result.evidence
                    colour = "yellow" if result.status == "exists" else "green"
                    out.print(
                        f"[{colour}]{result.message_zh}[/]：{escape(path.name)}（{e.kind}，{e.communications} 条记录，"
                        f"SHA-256 {e.sha256}）",
                        highlight=False,
                    )
                progress.advance(task)
    if failures:
        err.print(
            f"[bold red]{failures} 个文件未能添加[/]，其余 {len(files) - failures} 个已处理。",
            highlight=False,
        )
        raise typer.Exit(EXIT_BAD_INPUT)


# -- judge ------------------------------------------------------------------------------------
def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} 应为日期 YYYY-MM-DD，收到：{value}")


@case_app.command("judge")
def case_judge(
    case_id: Annotated[str, typer.Argument(help="案件编号")],
    fmt: Annotated[Format, typer.Option("--format", help="输出格式")] = Format.text,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="按哪一天的法律判断（默认：行为发生日或今天）")
    ] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="发现违法时以退出码 1 结束")] = FailOn.never,
) -> None:
    """研判案件：对全部证据做检测、时段频率检查、事实归纳和法律推理，保存并输出结论。"""
    from txlguard.pipeline import judge_case

    day = _parse_date(as_of, "--as-of") if as_of else None
    with opened_store() as store, store_errors():
        case = store.case(case_id)
        if case.evidence_count == 0 and not store.answers(case.id):
            err.print(
                f"[yellow]提示：[/]案件 {case.id} 还没有证据，结论只能是“尚无法判断”；"
                f"先用 txlguard case add {case.id} 文件… 添加证据。",
                highlight=False,
            )
        with store.transaction() as session:
            judgement = judge_case(session, case.id, as_of=day)
    if fmt is Format.json:
        _json(judgement.public())
    else:
        from txlguard.report import render_markdown

        document = render_markdown(judgement)
        show_markdown(document, fmt)
    if fails_on(judgement.verdict, fail_on):
        raise typer.Exit(EXIT_FINDINGS)


# -- interview (txlguard.interview) ------------------------------------------------------------
case_app.command("interview")(interview_command)


# -- export -----------------------------------------------------------------------------------
def archive_name(entry: EvidenceEntry) -> str:
    """``originals/<sha256>-<name>``, the name reduced to a safe single path component."""
    base = PurePath(entry.name.replace("\\", "/")).name
    safe = "".join("_" if (ch < " " or ch in '<>:"|?*\x7f') else ch for ch in base).strip(" .")
    return f"originals/{entry.sha256}-{(safe or 'evidence')[:120]}"


def write_case_zip(store: Store, case: CaseSummary, archive: zipfile.ZipFile) -> list[str]:
    """Originals, ``manifest.json``, ``findings.json`` and ``SHA256SUMS``; returns the problems found."""
    from txlguard import __version__
    from txlguard.store import BlobError

    problems: list[str] = []
    items: list[dict[str, Any]] = []
    sums: list[str] = []
    for entry in store.evidence(case.id):
        item: dict[str, Any] = {
            "sha256": entry.sha256,
            "size": entry.size,
            "name": entry.name,
            "media_type": entry.media_type,
            "kind": entry.kind,
            "communications": entry.communications,
            "received_at": entry.received_at.isoformat(),
            "added_at": entry.added_at.isoformat(),
        }
        try:
            data = store.read_original(entry.sha256)  # checked against its hash
        except BlobError as exc:
            problems.append(str(exc))
            item.update(path=None, original="missing_or_altered")
        else:
            path = archive_name(entry)
            archive.writestr(path, data)
            sums.append(f"{entry.sha256}  {path}\n")
            item.update(path=path, original="ok")
        items.append(item)
    latest = store.latest_judgement(case.id)
    manifest: dict[str, Any] = {
        "format": "txlguard-case-export/1",
        "generator": f"txlguard {__version__}",
        "exported_at": datetime.now(UTC).isoformat(),
        "case": {"id": case.id, "title": case.title, "created_at": case.created_at.isoformat()},
        "hash_algorithm": "sha256",
        "evidence": items,
        "communications": case.communication_count,
        "findings": "findings.json",
    }
    findings: dict[str, Any] = {
        "case_id": case.id,
        "judged_at": latest.judged_at.isoformat() if latest else None,
        "evidence_sha256s": latest.evidence_sha256s if latest else [],
        "judgement": latest.judgement if latest else None,
    }
    archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    archive.writestr("findings.json", json.dumps(findings, ensure_ascii=False, indent=2) + "\n")
    archive.writestr("SHA256SUMS", "".join(sums))
    return problems


@case_app.command("export")
def case_export(
    case_id: Annotated[str, typer.Argument(help="案件编号")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="导出的 zip 文件")],
) -> None:
    """导出证据包（zip）：全部原件、带 SHA-256 和大小的清单 manifest.json、结论 findings.json。

    原件缺失或与哈希不符时，其余内容照常导出，清单中标注该份证据，并以退出码 2 结束。
    """
    if out_file.is_dir():
        fail(f"{out_file} 是一个目录，请给出 zip 文件名，例如 {out_file / 'case.zip'}")
    if not out_file.parent.exists():
        fail(f"目录不存在：{out_file.parent}")
    with opened_store() as store, store_errors():
        case = store.case(case_id)
        fd, tmp_name = tempfile.mkstemp(prefix=".txlguard-export-", suffix=".zip", dir=out_file.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                problems = write_case_zip(store, case, archive)
            tmp.replace(out_file)  # a failed export never leaves half a zip under the final name
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        judged = case.last_verdict is not None
    for problem in problems:
        err.print(f"[bold red]警告：[/]{escape(problem)}；清单中已标注", highlight=False)
    if not judged:
        err.print(
            f"[yellow]提示：[/]案件尚未研判，findings.json 中没有结论；可先运行 txlguard case judge {case.id}",
            highlight=False,
        )
    out.print(
        f"已导出：{escape(str(out_file))}（{case.evidence_count - len(problems)} 份原件，"
        "manifest.json，findings.json，SHA256SUMS）",
        highlight=False,
    )
    if problems:
        raise typer.Exit(EXIT_BAD_INPUT)


# -- report / letters -------------------------------------------------------------------------
def _write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename, so a failure never leaves half a file under its name."""
    fd, tmp_name = tempfile.mkstemp(prefix=".txlguard-", suffix=path.suffix, dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _judged_material(case_id: str, as_of: str | None) -> Any:
    """Judge the case afresh (so the report matches the evidence and answers now) and gather it."""
    from txlguard.pipeline import judge_case
    from txlguard.report.build import gather

    day = _parse_date(as_of, "--as-of") if as_of else None
    with opened_store() as store, store_errors():
        case = store.case(case_id)
        with store.transaction() as session:
            judge_case(session, case.id, as_of=day)
        return gather(store, case.id)


@case_app.command("report")
def case_report(
    case_id: Annotated[str, typer.Argument(help="案件编号")],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="html、pdf、docx、md 或 json")
    ] = ReportFormat.html,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="输出文件（html、md、json 可省略，输出到屏幕）")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="按哪一天的法律判断（默认：行为发生日或今天）")
    ] = None,
) -> None:
    """生成案件报告：结论、法律分析（条文原文和施行日期）、证据清单（含哈希和截图位置）、时间线、类似案例、下一步。

    生成前会按当前的证据和问答重新研判并保存结论。
    """
    from txlguard.report.build import build_case_report
    from txlguard.report.render import render_html, render_json, render_markdown, render_pdf

    if out_file is None and fmt in (ReportFormat.pdf, ReportFormat.docx):
        fail(f"{fmt.value.upper()} 是二进制文件，请用 --out 指定保存位置，例如 --out 报告.{fmt.value}")
    if out_file is not None:
        if out_file.is_dir():
            fail(f"{out_file} 是一个目录，请给出文件名，例如 {out_file / ('报告.' + fmt.value)}")
        if not out_file.parent.exists():
            fail(f"目录不存在：{out_file.parent}")
    report = build_case_report(_judged_material(case_id, as_of))
    if fmt is ReportFormat.pdf:
        data = render_pdf(report)
    elif fmt is ReportFormat.docx:
        from txlguard.report.docx import render_report_docx

        data = render_report_docx(report)
    elif fmt is ReportFormat.html:
        data = render_html(report).encode("utf-8")
    elif fmt is ReportFormat.md:
        data = render_markdown(report).encode("utf-8")
    else:
        data = render_json(report).encode("utf-8")
    if out_file is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    _write_atomically(out_file, data)
    out.print(
        f"已生成报告：{escape(str(out_file))}（{VERDICT_ZH.get(report.verdict, report.verdict)}，"
        f"{len(report.findings)} 项法律分析，{len(report.evidence)} 条证据摘录）",
        highlight=False,
    )


class LetterFormat(StrEnum):
    docx = "docx"
    md = "md"
    both = "both"


@case_app.command("letters")
def case_letters(
    case_id: Annotated[str, typer.Argument(help="案件编号")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="保存文书的目录（不存在会新建）")],
    fmt: Annotated[LetterFormat, typer.Option("--format", help="docx、md 或 both")] = LetterFormat.both,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="按哪一天的法律判断（默认：行为发生日或今天）")
    ] = None,
) -> None:
    """生成投诉、举报、报案材料、要求函和民事起诉状草稿（只写案件已经确认的事实，附证据哈希）。"""
    from txlguard.report.build import build_case_report
    from txlguard.report.letters import build_letters, render_letter_markdown

    if out_dir.exists() and not out_dir.is_dir():
        fail(f"{out_dir} 不是目录")
    report = build_case_report(_judged_material(case_id, as_of))
    letters = build_letters(report)
    if not letters:
        out.print(
            f"没有生成文书：案件目前的结论是“{VERDICT_ZH.get(report.verdict, report.verdict)}”，"
            "没有已确认的违法事实可以写进文书。可以先运行 txlguard case interview 补充事实。",
            highlight=False,
        )
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"无法创建目录 {out_dir}：{exc.strerror or exc}")
    written: list[Path] = []
    for letter in letters:
        if fmt in (LetterFormat.md, LetterFormat.both):
            path = out_dir / f"{letter.file_stem}.md"
            _write_atomically(path, render_letter_markdown(letter).encode("utf-8"))
            written.append(path)
        if fmt in (LetterFormat.docx, LetterFormat.both):
            from txlguard.report.docx import render_letter_docx

            path = out_dir / f"{letter.file_stem}.docx"
            _write_atomically(path, render_letter_docx(letter))
            written.append(path)
    out.print(f"已生成 {len(letters)} 份文书，保存在 {escape(str(out_dir))}：", highlight=False)
    for path in written:
        out.print(f"  {escape(path.name)}", highlight=False)
    blanks = sorted({b for letter in letters for b in letter.blanks_zh})
    out.print(f"提交前请补全【请填写】处：{'、'.join(blanks)}", highlight=False)
