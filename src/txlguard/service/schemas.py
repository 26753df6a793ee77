"""Request and response bodies of the JSON API (they make the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from txlguard.detect.models import MessageInput
from txlguard.store import EvidenceEntry

MAX_BATCH = 1000


class CheckRequest(BaseModel):
    """``{"messages": [scan input objects]}``: one message or a batch of up to 1,000."""

    messages: list[MessageInput] = Field(min_length=1, max_length=MAX_BATCH)


class DetectionOut(BaseModel):
    label: str
    start: int
    end: int
    quote: str
    confidence: float
    provisions: list[str]


class ScanOut(BaseModel):
    """One `txlguard scan --format jsonl` output object."""

    id: str
    labels: list[str]
    detections: list[DetectionOut]


class CheckResponse(BaseModel):
    results: list[ScanOut]


class AssessRequest(BaseModel):
    """Structured facts (``facts`` and ``details``, as ``assess --facts``) or a narrative (``text``)."""

    model_config = ConfigDict(extra="forbid")

    facts: dict[str, bool | None] | None = Field(
        default=None, description="TAXONOMY §3 代码 → true/false/null"
    )
    details: dict[str, Any] | None = None
    text: str | None = Field(default=None, max_length=20000, description="借款人的自述")
    as_of: date | None = Field(default=None, description="按哪一天的法律判断")


class Judgement(BaseModel):
    """The `assess --format json` shape (further fields as the reasoning engine gives them)."""

    model_config = ConfigDict(extra="allow")

    facts: dict[str, bool | None]
    verdict: str
    findings: list[dict[str, Any]]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, description="案件标题，如“某某贷 爆通讯录”")


class CaseOut(BaseModel):
    id: str
    title: str
    created_at: datetime
    evidence_count: int
    communication_count: int
    last_verdict: str | None
    last_judged_at: datetime | None


class CaseCreated(BaseModel):
    case: CaseOut
    token: str = Field(
        description="案件令牌：之后每次访问该案件都要在 X-Case-Token 请求头中给出；只显示这一次"
    )


class CaseDetail(BaseModel):
    case: CaseOut
    evidence: list[EvidenceEntry]


class UploadItem(BaseModel):
    name: str
    status: str = Field(description="added、linked（此前已保存过同一文件）或 exists（已在本案中）")
    message: str
    evidence: EvidenceEntry


class UploadResult(BaseModel):
    results: list[UploadItem]


class StoredFindings(BaseModel):
    judged_at: datetime
    verdict: str
    evidence_sha256s: list[str]
    judgement: Judgement


class LetterOut(BaseModel):
    name: str = Field(description="文件名（不含扩展名），用于下载单份文书")
    title_zh: str
    addressee_zh: str
    channel: str | None
    blanks_zh: list[str]


class LettersOut(BaseModel):
    verdict: str
    letters: list[LetterOut]


_RAW_BODIES: dict[str, type[BaseModel]] = {}


def raw_request_doc(model: type[BaseModel], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """OpenAPI of an endpoint that reads its JSON body (and headers) itself, as if FastAPI read them:
    the body by reference to ``model``'s schema (added to the components by :func:`raw_body_components`)
    and the headers it reads."""
    _RAW_BODIES[model.__name__] = model
    body = {"$ref": f"#/components/schemas/{model.__name__}"}
    doc: dict[str, Any] = {
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}}
    }
    if headers:
        doc["parameters"] = [
            {
                "name": name,
                "in": "header",
                "required": False,
                "description": text,
                "schema": {"type": "string"},
            }
            for name, text in headers.items()
        ]
    return doc


def raw_body_components() -> dict[str, Any]:
    """The schemas of the bodies :func:`raw_request_doc` documented, and of the models they use."""
    out: dict[str, Any] = {}
    for name, model in _RAW_BODIES.items():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        out.update(schema.pop("$defs", {}))
        out[name] = schema
    return out
