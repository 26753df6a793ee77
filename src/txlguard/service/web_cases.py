"""The case workspace pages: evidence, the interview, the judgement, report and letter downloads.

A case made here is private to the browser that made it: its token (the same case token the HTTP
API uses, stored hashed) lives in an HttpOnly, SameSite=Strict cookie sent only to ``/cases`` pages.
Someone with the case id and token can open it elsewhere (``/cases/open``). Cases made on the
command line have no token and cannot be opened here.
"""

from __future__ import annotations

import io
import zipfile
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from txlguard.interview.answers import AnswerError, format_answer, parse_answer
from txlguard.interview.planner import Plan, Planner
from txlguard.interview.questions import default_question_book
from txlguard.law import default_law_base
from txlguard.service.web import Limited, page
from txlguard.store import Store, StoreError

router = APIRouter(include_in_schema=False)

COOKIE_PREFIX = "txl_case_"
COOKIE_MAX_AGE = 180 * 24 * 3600
REPORT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def cookie_name(case_id: str) -> str:
    return COOKIE_PREFIX + case_id


def my_case_ids(request: Request) -> list[str]:
    return [name.removeprefix(COOKIE_PREFIX) for name in request.cookies if name.startswith(COOKIE_PREFIX)]


def opened(request: Request, case_id: str) -> str | None:
    """The case id when this browser holds the case's token, else None."""
    case_id = case_id.strip().lower()[:32]
    token = request.cookies.get(cookie_name(case_id))
    if not token:
        return None
    return case_id if store_of(request).case_token_matches(case_id, token[:200]) else None


def denied(request: Request) -> HTMLResponse:
    return page(
        request,
        "web/not_found.html.j2",
        403,
        what="这个浏览器没有打开这个案件的权限。请在“案件”页面输入案件编号和案件令牌打开。",
        law=default_law_base(),
    )


def remember(response: Response, case_id: str, token: str) -> None:
    response.set_cookie(
        cookie_name(case_id),
        token,
        max_age=COOKIE_MAX_AGE,
        path="/cases",
        httponly=True,
        samesite="strict",
    )


# -- list, create, open -------------------------------------------------------------------------
@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request) -> HTMLResponse:
    store = store_of(request)
    mine = []
    for case_id in my_case_ids(request):
        try:
            mine.append(store.case(case_id))
        except StoreError:
            continue
    return page(request, "web/cases.html.j2", law=default_law_base(), mine=mine, active="cases")


@router.post("/cases", dependencies=Limited)
def create_case(request: Request, title: Annotated[str, Form()] = "") -> Response:
    title = title.strip()[:200]
    if not title:
        return page(
            request, "web/cases.html.j2", 422, law=default_law_base(), mine=[], error="请填写案件标题"
        )
    case, token = store_of(request).create_private_case(title)
    response = RedirectResponse(f"/cases/{case.id}?new=1", status_code=303)
    remember(response, case.id, token)
    # The token is shown once on the case page so the borrower can open the case on another device.
    response.set_cookie(
        "txl_new_token", token, max_age=300, path=f"/cases/{case.id}", httponly=True, samesite="strict"
    )
    return response


@router.post("/cases/open", dependencies=Limited)
def open_case(
    request: Request, case_id: Annotated[str, Form()] = "", token: Annotated[str, Form()] = ""
) -> Response:
    case_id = case_id.strip().lower()[:32]
    if not case_id or store_of(request).case_token_matches(case_id, token.strip()[:200]) is not True:
        return page(
            request,
            "web/cases.html.j2",
            403,
            law=default_law_base(),
            mine=[],
            error="案件编号或案件令牌不正确",
        )
    response = RedirectResponse(f"/cases/{case_id}", status_code=303)
    remember(response, case_id, token.strip())
    return response


# -- the workspace -------------------------------------------------------------------------------
def _plan(store: Store, case_id: str) -> Plan:
    from txlguard.pipeline import judge_facts, read_case_evidence

    with store.reading() as session:
        evidence = read_case_evidence(session, case_id)
    planner = Planner(lambda answers: judge_facts(answers, evidence), default_question_book())
    return planner.plan(store.answers(case_id))


def workspace_context(store: Store, case_id: str) -> dict[str, Any]:
    plan = _plan(store, case_id)
    book = default_question_book()
    answers = store.answers(case_id)
    answered = [
        (book.questions[k].text_zh, format_answer(book.questions[k], v))
        for k, v in answers.items()
        if k in book.questions
    ]
    latest = store.latest_judgement(case_id)
    return {
        "case": store.case(case_id),
        "evidence": store.evidence(case_id),
        "plan": plan,
        "next_question": plan.questions[0] if plan.questions else None,
        "answered": answered,
        "latest": latest,
        "law": default_law_base(),
    }


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def workspace(request: Request, case_id: str) -> HTMLResponse:
    case = opened(request, case_id)
    if case is None:
        return denied(request)
    context = await run_in_threadpool(workspace_context, store_of(request), case)
    new_token = request.cookies.get("txl_new_token") if request.query_params.get("new") else None
    response = page(request, "web/case.html.j2", new_token=new_token, active="cases", **context)
    if new_token:
        response.delete_cookie("txl_new_token", path=f"/cases/{case}")
    return response


@router.post("/cases/{case_id}/evidence", response_class=HTMLResponse, dependencies=Limited)
async def upload_evidence(
    request: Request, case_id: str, files: Annotated[list[UploadFile] | None, File()] = None
) -> HTMLResponse:
    """Each file is stored whole or not at all; a bad file is named with the reason, the rest go in."""
    from txlguard.ingest.models import IngestError

    case = opened(request, case_id)
    if case is None:
        return denied(request)
    settings = request.app.state.settings
    store = store_of(request)
    uploads = [f for f in files or [] if f.filename]
    results: list[tuple[str, str, bool]] = []
    status = 200
    if not uploads:
        results.append(("", "请选择要上传的文件", False))
        status = 422
    elif len(uploads) > settings.max_upload_files:
        results.append(("", f"一次最多上传 {settings.max_upload_files} 个文件", False))
        uploads, status = [], 413
    for upload in uploads:
        name = (upload.filename or "证据").replace("\\", "/").rsplit("/", 1)[-1][:200]
        data = await upload.read(settings.max_upload_file_bytes + 1)
        if len(data) > settings.max_upload_file_bytes:
            limit_mb = settings.max_upload_file_bytes // (1024 * 1024)
            results.append((name, f"超过 {limit_mb} MB，未保存", False))
            status = 413
            continue
        if not data:
            results.append((name, "是空文件，未保存", False))
            status = 422
            continue
        try:
            added = await run_in_threadpool(store.add_evidence, case, data, name)
        except (IngestError, StoreError) as exc:
            results.append((name, f"未保存：{exc}", False))
            status = max(status, 422)
            continue
        results.append((name, f"{added.message_zh}（{added.evidence.communications} 条记录）", True))
    context = await run_in_threadpool(workspace_context, store, case)
    return page(
        request,
        "web/case.html.j2",
        status,
        fragment="web/_case_body.html.j2",
        upload_results=results,
        **context,
    )


@router.post("/cases/{case_id}/answer", response_class=HTMLResponse)
async def answer(
    request: Request,
    case_id: str,
    key: Annotated[str, Form()],
    value: Annotated[str, Form()] = "",
) -> HTMLResponse:
    case = opened(request, case_id)
    if case is None:
        return denied(request)
    store = store_of(request)
    book = default_question_book()
    error = None
    question = book.questions.get(key)
    status = 200
    if question is None:
        error, status = "没有这个问题", 422
    else:
        try:
            store.set_answer(case, key, parse_answer(question, value))
        except AnswerError as exc:
            error, status = str(exc), 422
    context = await run_in_threadpool(workspace_context, store, case)
    return page(
        request, "web/case.html.j2", status, fragment="web/_case_body.html.j2", answer_error=error, **context
    )


@router.post("/cases/{case_id}/judge", response_class=HTMLResponse, dependencies=Limited)
async def judge(request: Request, case_id: str) -> HTMLResponse:
    from txlguard.pipeline import judge_case

    case = opened(request, case_id)
    if case is None:
        return denied(request)
    store = store_of(request)

    def run() -> None:
        with store.transaction() as session:
            judge_case(session, case)

    await run_in_threadpool(run)
    context = await run_in_threadpool(workspace_context, store, case)
    return page(request, "web/case.html.j2", fragment="web/_case_body.html.j2", **context)


def _report_bytes(store: Store, case_id: str, fmt: str) -> bytes:
    from txlguard.pipeline import judge_case
    from txlguard.report.build import build_case_report, gather
    from txlguard.report.docx import render_report_docx
    from txlguard.report.render import render_html, render_json, render_markdown, render_pdf

    with store.transaction() as session:
        judge_case(session, case_id)
    report = build_case_report(gather(store, case_id))
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "docx":
        return render_report_docx(report)
    text = {"html": render_html, "md": render_markdown, "json": render_json}[fmt](report)
    return text.encode("utf-8")


def _download(data: bytes, filename: str, media_type: str) -> Response:
    disposition = f"attachment; filename=\"report\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get("/cases/{case_id}/report.{fmt}", dependencies=Limited)
async def download_report(request: Request, case_id: str, fmt: str) -> Response:
    case = opened(request, case_id)
    if case is None:
        return denied(request)
    if fmt not in REPORT_TYPES:
        return page(
            request, "web/not_found.html.j2", 404, what=f"没有 {fmt} 格式的报告", law=default_law_base()
        )
    data = await run_in_threadpool(_report_bytes, store_of(request), case, fmt)
    return _download(data, f"案件报告-{case}.{fmt}", REPORT_TYPES[fmt])


def _letters_zip(store: Store, case_id: str) -> bytes:
    from txlguard.pipeline import judge_case
    from txlguard.report.build import build_case_report, gather
    from txlguard.report.docx import render_letter_docx
    from txlguard.report.letters import build_letters, render_letter_markdown

    with store.transaction() as session:
        judge_case(session, case_id)
    letters = build_letters(build_case_report(gather(store, case_id)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for letter in letters:
            archive.writestr(f"{letter.file_stem}.docx", render_letter_docx(letter))
            archive.writestr(f"{letter.file_stem}.md", render_letter_markdown(letter))
        if not letters:
            archive.writestr(
                "说明.txt", "案件目前没有已确认的违法事实，因此没有生成文书。请补充证据或回答问题后再试。\n"
            )
    return buffer.getvalue()


@router.get("/cases/{case_id}/letters.zip", dependencies=Limited)
async def download_letters(request: Request, case_id: str) -> Response:
    case = opened(request, case_id)
    if case is None:
        return denied(request)
    data = await run_in_threadpool(_letters_zip, store_of(request), case)
    return _download(data, f"投诉文书-{case}.zip", "application/zip")
