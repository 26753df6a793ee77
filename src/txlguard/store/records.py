"""What the store hands out: plain Pydantic views, safe to use after the session is closed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from txlguard.ingest.models import Communication

AddStatus = Literal["added", "linked", "exists"]

ADD_STATUS_ZH: dict[AddStatus, str] = {
    "added": "已添加",
    "linked": "已添加（该文件此前已保存过，沿用原件）",
    "exists": "已存在",
}


class CaseSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    created_at: datetime
    evidence_count: int = 0
    communication_count: int = 0
    last_verdict: str | None = None
    last_judged_at: datetime | None = None


class EvidenceEntry(BaseModel):
    """One piece of evidence in a case, with the hash that identifies its original bytes."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    name: str = Field(description="the file name it was added to this case under")
    original_name: str = Field(description="the name it had when the store first received it")
    media_type: str
    size: int
    kind: str
    received_at: datetime
    added_at: datetime
    communications: int


class AddResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: AddStatus
    evidence: EvidenceEntry

    @property
    def message_zh(self) -> str:
        return ADD_STATUS_ZH[self.status]


class StoredJudgement(BaseModel):
    """One stored run of ``case judge``."""

    model_config = ConfigDict(frozen=True)

    id: int
    case_id: str
    judged_at: datetime
    verdict: str
    judgement: dict[str, Any] = Field(description="the `assess --format json` shape")
    evidence_sha256s: list[str]


class DetectionRecord(BaseModel):
    """A detection to store: from the scanner (``source='message'``) or the log rules (``'log'``)."""

    communication_id: int | None = None
    source: Literal["message", "log"] = "message"
    label: str
    start: int | None = None
    end: int | None = None
    quote: str = ""
    confidence: float = 1.0
    provisions: list[str] = Field(default_factory=list)
    recognizer: str = ""
    voice: str = "direct"
    counterparty: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class StoredCommunication(NamedTuple):
    """A communication with its database id (what detections point to)."""

    id: int
    communication: Communication


class ApiKeyInfo(BaseModel):
    """An API key as listed: never the secret itself, only its first characters."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
