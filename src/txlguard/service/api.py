"""The JSON API under ``/v1`` and ``/healthz``.

* ``POST /v1/check`` — API key — the `txlguard scan` shapes (DESIGN.md);
* ``POST /v1/assess`` — no key, per-client rate — the `txlguard assess` shapes;
* ``/v1/cases…`` — no key, per-client rate; a case is reachable only with the token returned when
  it was created (``X-Case-Token``); cases made on the command line are not reachable at all;
* ``GET /v1/law/…`` — the law base, open to all; ``GET /healthz`` — liveness and the database.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import PurePath
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import text as sql
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from txlguard.detect import default_scanner
from txlguard.detect.models import MessageInput, ScanResult
from txlguard.ingest.models import Communication, Evidence
from txlguard.service import schemas
from txlguard.service.deps import (
    API_KEY_HEADER_DOC,
    CaseDep,
    SettingsDep,
    StoreDep,
    limit_client,
    require_api_key,
)
from txlguard.service.errors import ApiError
from txlguard.store import Reader, Store, StoreError

# Every router carries its whole path prefix itself (no prefixes on include), so a route's path is
# the full template the access log shows.
health = APIRouter()
v1 = APIRouter(prefix="/v1")

INLINE_BATCH = 16
"""Batches up to this size are scanned on the event loop (well under a millisecond); larger ones in a thread."""

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
}

ClientLimited = Depends(limit_client)


def json_bytes(data: Any) -> bytes:
    """A response body as every JSON endpoint writes it (UTF-8, compact)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json(data: Any, status_code: int = 200) -> Response:
    return Response(json_bytes(data), status_code=status_code, media_type="application/json")


def check_body(results: list[ScanResult]) -> bytes:
    """The 200 body of ``/v1/check`` (also written by its short path, ``fastpath.py``)."""
    return json_bytes({"results": [r.public() for r in results]})


def is_json_media(content_type: str) -> bool:
    """Whether a Content-Type declares JSON, as FastAPI accepts a JSON body."""
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _download(data: bytes, fmt: str, filename: str, *, attachment: bool) -> Response:
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    disposition = "attachment" if attachment else "inline"
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        },
    )


# -- health -----------------------------------------------------------------------------------
@health.get("/healthz", tags=["health"], summary="服务与数据库是否正常")
def healthz(store: StoreDep) -> Response:
    try:
        with store.reading() as session:
            session.execute(sql("SELECT 1"))
    except Exception:
        return _json({"status": "error", "database": "unavailable"}, status_code=503)
    return _json({"status": "ok", "database": "ok"})


# -- compliance -------------------------------------------------------------------------------
@v1.post(
    "/check",
    tags=["compliance"],
    summary="检查催收消息（一条或最多 1000 条）",
    response_model=schemas.CheckResponse,
    responses={
        401: {"description": "缺少或无效的 API 密钥"},
        403: {"description": "API 密钥已吊销"},
        413: {"description": "请求体过大"},
        422: {"description": "请求内容有误（指出字段和原因）"},
        429: {"description": "超过该密钥的请求频率"},
    },
    openapi_extra=schemas.raw_request_doc(
        schemas.CheckRequest, headers={"Authorization": API_KEY_HEADER_DOC}
    ),
)
async def check(request: Request) -> Response:
    """与 `txlguard scan --format jsonl` 相同：每条消息的标签和检出位置（偏移量指向原文）。需要 API 密钥。"""
    # The hot path of lenders' integrations: the key and the body are checked here rather than by
    # FastAPI's dependency and body machinery, which costs more than scanning a short message. The
    # body is read and validated as FastAPI reads a body parameter (same 400/413/422 answers), but
    # only after the key: a request without a valid key is refused before its body is looked at.
    await require_api_key(request, request.headers.get("authorization"))
    data = await _json_body(request)
    try:
        body = schemas.CheckRequest.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    messages: list[MessageInput] = body.messages
    scanner = default_scanner()
    if len(messages) <= INLINE_BATCH:
        results = scanner.scan_batch(messages)
    else:
        results = await run_in_threadpool(scanner.scan_batch, messages)
    return Response(check_body(results), media_type="application/json")


async def _json_body(request: Request) -> Any:
    """A JSON request body read as FastAPI reads a body parameter: 422 when it is missing, not
    declared as JSON or not valid JSON (naming the position), 400 when it cannot be decoded or the
    client went away; lone surrogates (half an emoji, as a split SMS gives) are kept for the scanner.
    """
    try:
        raw = await request.body()
    except ClientDisconnect:
        raise StarletteHTTPException(400) from None
    if not raw:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    if not is_json_media(request.headers.get("content-type", "")):
        raise RequestValidationError(
            [{"type": "model_type", "loc": ("body",), "msg": "not JSON", "input": None}]
        )
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", exc.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": exc.msg},
                }
            ]
        ) from None
    except ValueError:  # not UTF-8/16/32
        raise StarletteHTTPException(400) from None


# -- assess -----------------------------------------------------------------------------------
@v1.post(
    "/assess",
    tags=["assess"],
    summary="根据事实或自述判断是否违法",
    response_model=schemas.Judgement,
    dependencies=[ClientLimited],
)
def assess(body: schemas.AssessRequest) -> Response:
    """给出 facts（TAXONOMY §3 事实，可加 details）或 text（借款人自述）之一，返回结论和法律依据。"""
    from txlguard.facts.structured import FactInputError, parse_fact_object
    from txlguard.reason import assess as judge

    if (body.facts is None) == (body.text is None):
        raise ApiError(422, "invalid_request", "请求内容有误：facts 和 text 请只给出其中之一")
    if body.facts is not None:
        raw: dict[str, Any] = {"facts": body.facts}
        if body.details is not None:
            raw["details"] = body.details
        try:
            case = parse_fact_object(raw)
        except FactInputError as exc:
            raise ApiError(422, "invalid_request", f"请求内容有误：{exc.field}：{exc.message_zh}") from None
    else:
        from txlguard.facts import extract_facts

        if not (body.text or "").strip():
            raise ApiError(422, "invalid_request", "请求内容有误：text：自述不能为空")
        case = extract_facts(body.text or "")
    return _json(judge(case, body.as_of).public())


# -- cases ------------------------------------------------------------------------------------
cases = APIRouter(prefix="/v1/cases", tags=["cases"], dependencies=[ClientLimited])


def _case_out(store: Store, case_id: str) -> dict[str, Any]:
    return schemas.CaseOut.model_validate(store.case(case_id).model_dump()).model_dump(mode="json")


@cases.post("", status_code=201, response_model=schemas.CaseCreated, summary="新建案件")
def create_case(body: schemas.CaseCreate, store: StoreDep) -> Response:
    """返回案件编号和案件令牌。令牌只显示这一次，之后访问该案件都要在 X-Case-Token 请求头中给出。"""
    if not body.title.strip():
        raise ApiError(422, "invalid_request", "请求内容有误：title：案件标题不能为空")
    case, token = store.create_private_case(body.title)
    return _json({"case": _case_out(store, case.id), "token": token}, status_code=201)


@cases.get("/{case_id}", response_model=schemas.CaseDetail, summary="案件概况与证据清单")
def get_case(case_id: CaseDep, store: StoreDep) -> Response:
    evidence = [e.model_dump(mode="json") for e in store.evidence(case_id)]
    return _json({"case": _case_out(store, case_id), "evidence": evidence})


def _safe_name(name: str | None) -> str:
    base = PurePath((name or "").replace("\\", "/")).name
    cleaned = "".join("_" if ch < " " or ch == "\x7f" else ch for ch in base).strip()
    return cleaned[:200] or "evidence"


@cases.post(
    "/{case_id}/evidence",
    response_model=schemas.UploadResult,
    summary="上传证据文件（multipart，字段名 files，可多个）",
    responses={413: {"description": "文件太大或太多"}, 422: {"description": "文件无法读取"}},
)
def upload_evidence(
    case_id: CaseDep,
    store: StoreDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile], File(description="短信备份 XML、通话记录、聊天导出、截图、CSV…")],
) -> Response:
    """原件按 SHA-256 原样保存、永不改动。先检查全部文件（数量、大小、能否读取），有任何一个不合格则整个请求被拒绝，什么也不保存。"""
    from txlguard.ingest.models import IngestError
    from txlguard.ingest.sources import read_evidence
    from txlguard.store.blobs import sha256_hex

    if len(files) > settings.max_upload_files:
        raise ApiError(
            413, "too_many_files", f"一次最多上传 {settings.max_upload_files} 个文件，收到 {len(files)} 个"
        )
    limit = settings.max_upload_file_bytes
    named = [(_safe_name(f.filename), f) for f in files]
    for name, upload in named:
        if upload.size is not None and upload.size > limit:
            raise ApiError(413, "file_too_large", f"{name} 太大，单个文件最多 {limit // (1024 * 1024)} MB")
    contents: list[tuple[str, bytes]] = []
    for name, upload in named:
        data = upload.file.read(limit + 1)
        if len(data) > limit:
            raise ApiError(413, "file_too_large", f"{name} 太大，单个文件最多 {limit // (1024 * 1024)} MB")
        if not data:
            raise ApiError(422, "empty_file", f"{name} 是空文件")
        contents.append((name, data))
    parsed = {}
    for name, data in contents:
        try:
            parsed[sha256_hex(data)] = read_evidence(data, name)
        except IngestError as exc:
            raise ApiError(
                422, "unreadable_file", f"无法读取 {name}：{exc}（整个请求未保存任何内容）"
            ) from None
    results = []
    for name, data in contents:
        sha = sha256_hex(data)
        try:
            added = store.add_evidence(case_id, data, name, reader=_parsed_reader(parsed[sha]))
        except StoreError as exc:
            raise ApiError(422, "store_error", f"{name}：{exc}") from None
        results.append(
            {
                "name": name,
                "status": added.status,
                "message": added.message_zh,
                "evidence": added.evidence.model_dump(mode="json"),
            }
        )
    return _json({"results": results})


def _parsed_reader(result: tuple[Evidence, list[Communication]]) -> Reader:
    """A reader that hands back a file already read (every file is read before any is stored)."""

    def reader(_data: bytes, _name: str) -> tuple[Evidence, list[Communication]]:
        return result

    return reader


def _judge(store: Store, case_id: str, as_of: date | None) -> Any:
    from txlguard.pipeline import judge_case

    with store.transaction() as session:
        return judge_case(session, case_id, as_of=as_of)


AsOf = Annotated[date | None, Query(description="按哪一天的法律判断（默认：行为发生日或今天）")]


@cases.post("/{case_id}/judge", response_model=schemas.Judgement, summary="研判案件并保存结论")
def judge(case_id: CaseDep, store: StoreDep, as_of: AsOf = None) -> Response:
    """对全部证据做检测、时段频率检查、事实归纳和法律推理；结论保存为该案件最新一次研判结果。"""
    return _json(_judge(store, case_id, as_of).public())


@cases.get("/{case_id}/findings", response_model=schemas.StoredFindings, summary="最近一次研判结果")
def findings(case_id: CaseDep, store: StoreDep) -> Response:
    latest = store.latest_judgement(case_id)
    if latest is None:
        raise ApiError(404, "not_judged", "案件尚未研判：请先调用 POST /v1/cases/{编号}/judge")
    return _json(
        {
            "judged_at": latest.judged_at.isoformat(),
            "verdict": latest.verdict,
            "evidence_sha256s": latest.evidence_sha256s,
            "judgement": latest.judgement,
        }
    )


def _report(store: Store, case_id: str, as_of: date | None) -> Any:
    """Judged afresh, as `txlguard case report` does, so the report matches the evidence now."""
    from txlguard.report.build import build_case_report, gather

    _judge(store, case_id, as_of)
    return build_case_report(gather(store, case_id))


@cases.get(
    "/{case_id}/report",
    summary="案件报告（html、pdf、docx、md、json）",
    responses={200: {"content": {MEDIA_TYPES[f]: {} for f in ("html", "pdf", "docx", "md", "json")}}},
)
def report(
    case_id: CaseDep,
    store: StoreDep,
    fmt: Annotated[Literal["html", "pdf", "docx", "md", "json"], Query(alias="format")] = "html",
    as_of: AsOf = None,
) -> Response:
    """生成前按当前证据和问答重新研判并保存结论。"""
    from txlguard.report.render import render_html, render_json, render_markdown, render_pdf

    built = _report(store, case_id, as_of)
    if fmt == "pdf":
        data = render_pdf(built)
    elif fmt == "docx":
        from txlguard.report.docx import render_report_docx

        data = render_report_docx(built)
    elif fmt == "html":
        data = render_html(built).encode("utf-8")
    elif fmt == "md":
        data = render_markdown(built).encode("utf-8")
    else:
        data = render_json(built).encode("utf-8")
    return _download(data, fmt, f"报告-{case_id}.{fmt}", attachment=fmt in ("pdf", "docx"))


def _letters(store: Store, case_id: str, as_of: date | None) -> tuple[Any, list[Any]]:
    from txlguard.report.letters import build_letters

    built = _report(store, case_id, as_of)
    return built, build_letters(built)


@cases.get(
    "/{case_id}/letters",
    summary="投诉、举报、报案材料、要求函、起诉状草稿：清单（json）或全部打包（zip）",
    response_model=schemas.LettersOut,
    responses={200: {"content": {MEDIA_TYPES["zip"]: {}}}},
)
def letters(
    case_id: CaseDep,
    store: StoreDep,
    fmt: Annotated[Literal["json", "zip"], Query(alias="format")] = "json",
    as_of: AsOf = None,
) -> Response:
    """zip 中每份文书都有 docx 和 Markdown 两个版本。文书只写案件已经确认的事实。"""
    from txlguard.report.docx import render_letter_docx
    from txlguard.report.letters import render_letter_markdown

    built, documents = _letters(store, case_id, as_of)
    if fmt == "json":
        listed = [
            {
                "name": d.file_stem,
                "title_zh": d.title_zh,
                "addressee_zh": d.addressee_zh,
                "channel": d.channel,
                "blanks_zh": d.blanks_zh,
            }
            for d in documents
        ]
        return _json({"verdict": built.verdict, "letters": listed})
    if not documents:
        raise ApiError(404, "no_letters", "没有可生成的文书：案件目前没有已确认的违法事实")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for d in documents:
            archive.writestr(f"{d.file_stem}.docx", render_letter_docx(d))
            archive.writestr(f"{d.file_stem}.md", render_letter_markdown(d))
    return _download(buffer.getvalue(), "zip", f"文书-{case_id}.zip", attachment=True)


@cases.get(
    "/{case_id}/letters/{name}",
    summary="下载一份文书（docx 或 md）",
    responses={200: {"content": {MEDIA_TYPES["docx"]: {}, MEDIA_TYPES["md"]: {}}}},
)
def letter(
    case_id: CaseDep,
    store: StoreDep,
    name: str,
    fmt: Annotated[Literal["docx", "md"], Query(alias="format")] = "docx",
    as_of: AsOf = None,
) -> Response:
    from txlguard.report.docx import render_letter_docx
    from txlguard.report.letters import render_letter_markdown

    _, documents = _letters(store, case_id, as_of)
    for d in documents:
        if d.file_stem == name:
            data = render_letter_docx(d) if fmt == "docx" else render_letter_markdown(d).encode("utf-8")
            return _download(data, fmt, f"{d.file_stem}.{fmt}", attachment=True)
    raise ApiError(
        404, "letter_not_found", f"没有名为 {name[:100]} 的文书；清单见 GET /v1/cases/{{编号}}/letters"
    )


# -- law --------------------------------------------------------------------------------------
law = APIRouter(prefix="/v1/law", tags=["law"])


def _law() -> Any:
    from txlguard.law import default_law_base

    return default_law_base()


@law.get("/provisions", summary="条文列表")
def provisions(
    instrument: Annotated[str | None, Query(description="只列出某部法律，如 pipl、civil-code")] = None,
    as_of: Annotated[date | None, Query(description="只列出该日期有效的条文")] = None,
    q: Annotated[str | None, Query(max_length=100, description="关键词，如 通讯录 同意")] = None,
) -> Response:
    base = _law()
    found = base.search(q) if q else list(base.provisions.values())
    items = [
        {
            "id": p.id,
            "instrument": p.instrument,
            "instrument_name_zh": base.instruments[p.instrument].name_zh,
            "article": p.article,
            "gist_zh": p.gist_zh,
            "effective_from": p.effective_from.isoformat() if p.effective_from else None,
            "repealed_on": p.repealed_on.isoformat() if p.repealed_on else None,
            "reliability": p.reliability,
        }
        for p in found
        if (instrument is None or p.instrument == instrument) and (as_of is None or p.in_force_on(as_of))
    ]
    return _json({"provisions": items})


@law.get("/provisions/{provision_id}", summary="条文原文、来源和生效日期")
def provision(provision_id: str) -> Response:
    base = _law()
    if not base.has(provision_id):
        suggestions = [p.id for p in base.search(provision_id.replace("-", " "), limit=5)]
        hint = f"；你是不是要找：{'、'.join(suggestions)}" if suggestions else ""
        raise ApiError(404, "provision_not_found", f"法律库中没有编号为 {provision_id[:60]} 的条文{hint}")
    p = base.provision(provision_id)
    return _json({**p.model_dump(mode="json"), "instrument_name_zh": base.instruments[p.instrument].name_zh})


@law.get("/cases", summary="类似案例列表")
def legal_cases() -> Response:
    return _json({"cases": [c.model_dump(mode="json") for c in _law().cases.values()]})


@law.get("/cases/{legal_case_id}", summary="一个案例")
def legal_case(legal_case_id: str) -> Response:
    found = _law().cases.get(legal_case_id)
    if found is None:
        raise ApiError(404, "legal_case_not_found", f"法律库中没有编号为 {legal_case_id[:60]} 的案例")
    return _json(found.model_dump(mode="json"))


@law.get("/channels", summary="投诉渠道列表")
def channels() -> Response:
    return _json({"channels": [c.model_dump(mode="json") for c in _law().channels.values()]})


@law.get("/channels/{channel_id}", summary="一个投诉渠道")
def channel(channel_id: str) -> Response:
    found = _law().channels.get(channel_id)
    if found is None:
        raise ApiError(404, "channel_not_found", f"法律库中没有编号为 {channel_id[:60]} 的投诉渠道")
    return _json(found.model_dump(mode="json"))


ROUTERS: tuple[APIRouter, ...] = (v1, health, cases, law)
"""The API's routers, ``/v1/check`` (the hot path) first: each one the app includes directly, since
every level of included routers costs each request a matching pass."""
