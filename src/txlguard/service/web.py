"""The web pages: server-rendered Jinja2 with htmx, Simplified Chinese, phone-first.

Pages here read nothing from the user that they keep: the self-check and the compliance check scan
what was pasted or uploaded and forget it (no store, no logs of the text). The case workspace, which
does keep evidence, lives beside the HTTP API's case endpoints and uses the same case tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from txlguard.detect import MessageInput, ScanResult, default_scanner
from txlguard.detect.models import Detection
from txlguard.facts import facts_from_scan
from txlguard.law import LawBase, default_law_base
from txlguard.reason import Judgement, assess
from txlguard.service.deps import limit_client

router = APIRouter(include_in_schema=False)
# OCR and scanning cost CPU: form posts share the per-client-address rate of the open API endpoints.
Limited = [Depends(limit_client)]

MAX_PASTE_CHARS = 20_000
MAX_PASTE_LINES = 200
MAX_SCREENSHOTS = 6
MAX_SCREENSHOT_BYTES = 10 * 1024 * 1024
LABEL_CLASS = {
    "threat_of_violence": "danger",
    "threat_to_contacts": "danger",
    "threat_of_exposure": "danger",
    "disclosure_to_third_party": "warn",
    "insult": "warn",
    "impersonation": "danger",
    "false_legal_threat": "warn",
}


@cache
def templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("txlguard.service", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["in_force"] = in_force_today
    return Jinja2Templates(env=env)


def in_force_today(provision_ids: list[str]) -> list[str]:
    """A message checked today is judged by today's law: drop provisions repealed or not yet in force."""
    law = default_law_base()
    today = date.today()
    return [p for p in provision_ids if law.has(p) and law.provision(p).in_force_on(today)]


def page(request: Request, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    """A whole page, or only its results block when htmx asked for it."""
    partial = request.headers.get("HX-Request") == "true" and "fragment" in context
    template = str(context["fragment"]) if partial else name
    return templates().TemplateResponse(request, template, context, status_code=status_code)


# -- what a checked message looks like on a page ----------------------------------------------
@dataclass(frozen=True)
class Piece:
    text: str
    label: str | None = None
    css: str = ""


@dataclass(frozen=True)
class CheckedMessage:
    source: str
    text: str
    pieces: list[Piece]
    detections: list[Detection]
    reported: list[Detection]

    @property
    def flagged(self) -> bool:
        return bool(self.detections)


def pieces_of(text: str, detections: list[Detection]) -> list[Piece]:
    """The text cut at detection spans, each span tagged with its label (the first one wins)."""
    cuts: list[Piece] = []
    at = 0
    for d in sorted(detections, key=lambda d: (d.start, -d.end)):
        if d.start < at:
            continue
        if d.start > at:
            cuts.append(Piece(text[at : d.start]))
        cuts.append(Piece(text[d.start : d.end], d.label, LABEL_CLASS.get(d.label, "warn")))
        at = d.end
    if at < len(text):
        cuts.append(Piece(text[at:]))
    return cuts


def checked(source: str, result: ScanResult, text: str) -> CheckedMessage:
    return CheckedMessage(
        source=source,
        text=text,
        pieces=pieces_of(text, result.detections),
        detections=list(result.detections),
        reported=list(result.reported),
    )


def pasted_messages(text: str) -> list[str]:
    if len(text) > MAX_PASTE_CHARS:
        raise HTTPException(
            413, f"粘贴的内容太长（{len(text)} 字），请分批检查，每次不超过 {MAX_PASTE_CHARS} 字"
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_PASTE_LINES:
        raise HTTPException(413, f"一次最多检查 {MAX_PASTE_LINES} 条，请分批粘贴")
    return lines


async def screenshot_messages(files: list[UploadFile]) -> list[tuple[str, str]]:
    """OCR the uploaded screenshots (nothing is stored): (file name, message text) pairs."""
    from starlette.concurrency import run_in_threadpool

    from txlguard.ingest.models import IngestError
    from txlguard.ingest.sources import read_evidence

    files = [f for f in files if f.filename]
    if len(files) > MAX_SCREENSHOTS:
        raise HTTPException(413, f"一次最多上传 {MAX_SCREENSHOTS} 张截图")
    found: list[tuple[str, str]] = []
    for upload in files:
        data = await upload.read(MAX_SCREENSHOT_BYTES + 1)
        name = upload.filename or "截图"
        if len(data) > MAX_SCREENSHOT_BYTES:
            raise HTTPException(
                413, f"{name} 超过 {MAX_SCREENSHOT_BYTES // (1024 * 1024)} MB，请压缩或截取需要的部分"
            )
        if not data:
            raise HTTPException(422, f"{name} 是空文件")
        try:
            evidence, items = await run_in_threadpool(read_evidence, data, name)
        except IngestError as exc:
            raise HTTPException(422, f"{name}：{exc}") from None
        if not evidence.media_type.startswith("image/"):
            raise HTTPException(422, f"{name} 不是截图（PNG、JPEG 或 WebP），请在案件中添加其他类型的证据")
        found += [(name, c.text) for c in items if c.direction != "outgoing" and c.text.strip()]
    return found


def judge_messages(results: list[ScanResult]) -> Judgement:
    """What the flagged messages alone establish; everything else stays unknown."""
    return assess(facts_from_scan(results))


# -- pages --------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def self_check_page(request: Request) -> HTMLResponse:
    return page(request, "web/self_check.html.j2", law=default_law_base())


@router.post("/check", response_class=HTMLResponse, dependencies=Limited)
async def self_check(
    request: Request,
    text: Annotated[str, Form()] = "",
    screenshots: Annotated[list[UploadFile] | None, File()] = None,
) -> HTMLResponse:
    law = default_law_base()
    try:
        sources = [("粘贴的文字", line) for line in pasted_messages(text)]
        sources += await screenshot_messages(screenshots or [])
    except HTTPException as exc:
        return page(
            request,
            "web/self_check.html.j2",
            status_code=exc.status_code,
            fragment="web/_check_results.html.j2",
            error=str(exc.detail),
            text=text,
            law=law,
        )
    if not sources:
        return page(
            request,
            "web/self_check.html.j2",
            status_code=422,
            fragment="web/_check_results.html.j2",
            error="请粘贴收到的催收信息，或上传截图",
            text=text,
            law=law,
        )
    scanner = default_scanner()
    results = scanner.scan_batch([MessageInput(id=str(i), text=t) for i, (_, t) in enumerate(sources)])
    messages = [checked(src, r, t) for (src, t), r in zip(sources, results, strict=True)]
    judgement = judge_messages(results)
    return page(
        request,
        "web/self_check.html.j2",
        fragment="web/_check_results.html.j2",
        messages=messages,
        judgement=judgement,
        text=text,
        law=law,
    )


@router.get("/compliance", response_class=HTMLResponse)
def compliance_page(request: Request) -> HTMLResponse:
    return page(request, "web/compliance.html.j2", law=default_law_base())


@router.post("/compliance", response_class=HTMLResponse, dependencies=Limited)
def compliance_check(
    request: Request,
    template: Annotated[str, Form()] = "",
    recipient: Annotated[str, Form()] = "borrower",
) -> HTMLResponse:
    """A message template before it is sent: blocked when any of the seven labels is found."""
    law = default_law_base()
    fragment = "web/_compliance_result.html.j2"
    text = template.strip()
    if not text:
        return page(
            request, "web/compliance.html.j2", 422, fragment=fragment, error="请粘贴要发送的信息模板", law=law
        )
    if len(text) > 2_000:
        return page(
            request,
            "web/compliance.html.j2",
            413,
            fragment=fragment,
            error="模板太长，请不超过 2000 字",
            law=law,
        )
    who = recipient if recipient in ("borrower", "contact") else "unknown"
    result = default_scanner().scan(MessageInput(id="template", text=text, recipient=who))
    return page(
        request,
        "web/compliance.html.j2",
        fragment=fragment,
        message=checked("模板", result, text),
        blocked=bool(result.labels),
        template=text,
        recipient=who,
        law=law,
    )


@router.get("/law", response_class=HTMLResponse)
def law_index(request: Request, q: str = "") -> HTMLResponse:
    law = default_law_base()
    words = q.strip()[:100]
    found = law.search(words, limit=50) if words else []
    return page(
        request, "web/law_index.html.j2", law=law, q=words, found=found, instruments=_instruments(law)
    )


@router.get("/law/{provision_id}", response_class=HTMLResponse)
def law_provision(request: Request, provision_id: str) -> HTMLResponse:
    law = default_law_base()
    if not law.has(provision_id):
        return page(request, "web/not_found.html.j2", 404, what=f"法律库中没有 {provision_id}", law=law)
    provision = law.provision(provision_id)
    cases = law.cases_citing([provision.id])
    return page(
        request,
        "web/law_provision.html.j2",
        law=law,
        p=provision,
        instrument=law.instruments[provision.instrument],
        cases=cases,
    )


def _instruments(law: LawBase) -> list[tuple[str, str, int]]:
    return sorted(
        ((slug, i.name_zh, len(i.provisions)) for slug, i in law.instruments.items()),
        key=lambda item: (-item[2], item[0]),
    )
