"""`txlguard case interview ID`: the guided interview in a terminal (Rich), or answers from a file.

Every answer is stored the moment it is given (``Store.set_answer``), so stopping — 退出, Ctrl-D,
Ctrl-C — loses nothing and the next run resumes where this one stopped. The case's evidence is read
once at the start; after each answer the plan is recomputed from the stored answers, so questions
an answer made moot disappear. Nothing but the answers is stored: ``case judge`` saves a judgement.

Registered by ``case_cli`` as ``case_app.command("interview")(interview_command)``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from txlguard.cli_common import err, fail, out
from txlguard.interview.answers import AnswerError, coerce_answer, format_answer, normalise, parse_answer
from txlguard.interview.planner import Plan, PlannedQuestion, Planner
from txlguard.interview.questions import AnswerValue, InterviewQuestion, QuestionBook, default_question_book

if TYPE_CHECKING:
    from txlguard.pipeline import EvidenceFacts
    from txlguard.store import Store

EXIT_INTERRUPTED = 130
SKIP_WORDS = frozenset(["跳过", "skip", "s"])
QUIT_WORDS = frozenset(["退出", "结束", "q", "quit", "exit"])

_PROMPT_ZH = {
    "yes_no": "是/否/不知道",
    "choice": "输入序号",
    "number": "数字",
    "integer": "数字",
    "rate": "年化利率",
    "date": "日期",
    "text": "文字",
}


class _Stop(Exception):
    """The person ended the interview (退出 or end of input)."""


def _read_evidence(store: Store, case_id: str) -> EvidenceFacts:
    from txlguard.pipeline import read_case_evidence

    status = err.status("正在分析案件证据…") if err.is_terminal else contextlib.nullcontext()
    with status, store.reading() as session:
        return read_case_evidence(session, case_id)


def _planner(evidence: EvidenceFacts, book: QuestionBook) -> Planner:
    from txlguard.pipeline import judge_facts

    return Planner(lambda answers: judge_facts(answers, evidence), book)


def _verdict_lines(case_id: str, plan: Plan) -> None:
    out.print(f"目前的结论（尚未保存）：[bold]{escape(plan.judgement.verdict_zh)}[/]", highlight=False)
    out.print(f"运行 txlguard case judge {case_id} 保存研判", highlight=False)


# -- --answers FILE -------------------------------------------------------------------------------
def _answers_from_file(path: Path, book: QuestionBook) -> dict[str, AnswerValue]:
    """Every answer of the file, checked as typed answers are; the first bad one exits with code 2."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        fail(f"找不到回答文件：{path}")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"无法读取回答文件 {path}：{exc}")
    except json.JSONDecodeError as exc:
        fail(f"回答文件不是有效的 JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}")
    if not isinstance(raw, dict):
        fail('回答文件的顶层应为 JSON 对象，形如 {"contacts_harvested": true, "loan_principal": "3000元"}')
    parsed: dict[str, AnswerValue] = {}
    for key, value in raw.items():
        question = book.questions.get(key)
        if question is None:
            fail(f"{key}：不是可以回答的问题；可用的键：{'、'.join(book.questions)}")
        try:
            parsed[key] = coerce_answer(question, value)
        except AnswerError as exc:
            fail(f"{key}：{exc.message_zh}（收到 {json.dumps(value, ensure_ascii=False)}）")
    return parsed


def _apply_file(store: Store, case_id: str, path: Path, book: QuestionBook) -> None:
    from txlguard.store import repository as repo

    answers = _answers_from_file(path, book)
    with store.transaction() as session:  # all or nothing
        for key, value in answers.items():
            repo.set_answer(session, case_id, key, value)
    out.print(f"已保存 {len(answers)} 个回答。", highlight=False)
    plan = _planner(_read_evidence(store, case_id), book).plan(store.answers(case_id))
    if plan.questions:
        out.print(
            f"还有 {len(plan.questions)} 个问题可以补充：{'、'.join(p.question.key for p in plan.questions)}；"
            f"运行 txlguard case interview {case_id} 逐题回答。",
            highlight=False,
        )
    _verdict_lines(case_id, plan)


# -- interactive ----------------------------------------------------------------------------------
def _show(planned: PlannedQuestion, number: int, remaining: int) -> None:
    q = planned.question
    out.print(f"[bold]{number}.[/] {escape(q.text_zh)}  [dim]（还剩 {remaining} 题）[/]", highlight=False)
    if q.why_zh:
        out.print(f"   [dim]为什么问：{escape(q.why_zh)}[/]", highlight=False)
    if q.hint_zh:
        out.print(f"   [dim]提示：{escape(q.hint_zh)}[/]", highlight=False)
    for n, choice in enumerate(q.choices, 1):
        out.print(f"   {n}. {escape(choice.label_zh)}", highlight=False)
    if planned.revisiting:
        previous = format_answer(q, planned.previous)
        out.print(f"   当前回答：{escape(previous)}（直接回车保留）", highlight=False)


def _ask(planned: PlannedQuestion) -> tuple[bool, AnswerValue]:
    """(answered, value): False when skipped. Re-prompts until the answer can be read."""
    q = planned.question
    while True:
        try:
            raw = out.input(f"   回答（{_PROMPT_ZH[q.kind]}；跳过/退出）› ")
        except EOFError:
            raise _Stop from None
        word = normalise(raw)
        if word in QUIT_WORDS:
            raise _Stop
        if word in SKIP_WORDS:
            return False, None
        if not word and planned.revisiting:
            return True, planned.previous
        try:
            return True, parse_answer(q, raw)
        except AnswerError as exc:
            # on stdout, between the prompts it answers (stderr would be out of order when captured)
            out.print(f"   [bold red]无法识别：[/]{escape(exc.message_zh)}", highlight=False)


def _topic_header(book: QuestionBook, q: InterviewQuestion) -> None:
    out.print(f"\n[bold cyan]── {escape(book.topic(q.topic).title_zh)} ──[/]", highlight=False)


def _interview(store: Store, case_id: str, planner: Planner, again: bool) -> None:
    book = planner.book
    answers: dict[str, AnswerValue] = dict(store.answers(case_id))
    revisit = {k for k in answers if k in book.questions} if again else set()
    skipped: set[str] = set()
    plan = planner.plan(answers, revisit=revisit)
    earlier = len([k for k in answers if k in book.questions]) if not again else 0
    summary = f"还有 {len(plan.questions)} 个问题需要回答"
    extras = []
    if plan.settled_by_case:
        extras.append(f"{len(plan.settled_by_case)} 个问题已由证据或其他回答说明，不再询问")
    if earlier:
        extras.append(f"之前已回答 {earlier} 个，要重新回答请加 --again")
    out.print(summary + (f"（{'；'.join(extras)}）" if extras else "") + "。", highlight=False)
    if not plan.questions:
        _verdict_lines(case_id, plan)
        return
    out.print(
        "每个回答都会立即保存；输入“跳过”暂不回答，“退出”随时结束，下次运行从这里继续。", highlight=False
    )
    number, topic = 0, ""
    try:
        while plan.questions:
            planned = plan.questions[0]
            if planned.question.topic != topic:
                topic = planned.question.topic
                _topic_header(book, planned.question)
            number += 1
            _show(planned, number, len(plan.questions))
            answered, value = _ask(planned)
            key = planned.question.key
            revisit.discard(key)
            if not answered:
                skipped.add(key)
                out.print("   已跳过，下次运行会再问。", highlight=False)
            elif planned.revisiting and value == planned.previous:
                out.print(f"   已保留：{escape(format_answer(planned.question, value))}", highlight=False)
            else:
                store.set_answer(case_id, key, value)
                answers[key] = value
                out.print(
                    f"   [green]已保存：[/]{escape(format_answer(planned.question, value))}", highlight=False
                )
            before = set(plan.facts.notes)
            plan = planner.plan(answers, revisit=revisit, skip=skipped)
            for note in plan.facts.notes:
                if note not in before:
                    out.print(f"   [yellow]推算：[/]{escape(note)}", highlight=False)
    except _Stop:
        out.print("\n已停止。已回答的问题都已保存；再次运行 txlguard case interview " + case_id + " 继续。")
        _verdict_lines(case_id, planner.plan(answers))
        return
    except KeyboardInterrupt:
        out.print("\n已中断。已回答的问题都已保存；再次运行 txlguard case interview " + case_id + " 继续。")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    out.print("\n[bold]问答完成。[/]", highlight=False)
    _verdict_lines(case_id, planner.plan(answers))


@contextlib.contextmanager
def _case_store() -> Iterator[Store]:
    from txlguard.case_cli import opened_store, store_errors

    with opened_store() as store, store_errors():
        yield store


def interview_command(
    case_id: Annotated[str, typer.Argument(help="案件编号")],
    again: Annotated[
        bool, typer.Option("--again", help="重新回答已经回答过的问题（证据已说明的仍不问）")
    ] = False,
    answers_file: Annotated[
        Path | None,
        typer.Option("--answers", help="从 JSON 文件批量回答：{问题键: 回答}，回答的写法与逐题回答相同"),
    ] = None,
) -> None:
    """问答：只问推理还需要的事实（平台、借款、通讯录授权、联系了谁、威胁辱骂、后果），证据已说明的不问，可中断后继续。"""
    book = default_question_book()
    if answers_file is not None and again:
        fail("--again 用于逐题重新回答，不能与 --answers 同时使用")
    with _case_store() as store:
        case = store.case(case_id)
        if answers_file is not None:
            _apply_file(store, case.id, answers_file, book)
            return
        out.print(f"[bold]{escape(case.title)}[/]  编号 {case.id}", highlight=False)
        planner = _planner(_read_evidence(store, case.id), book)
        _interview(store, case.id, planner, again)
