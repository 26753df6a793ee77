"""Evidence as received (bytes never altered) and the communications read out of it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from txlguard.taxonomy import Recipient

Channel = Literal["sms", "call", "wechat", "qq", "chat", "email", "letter", "text", "other"]
Direction = Literal["incoming", "outgoing", "unknown"]


class Box(BaseModel):
    """Where on a screenshot a text line was read: pixel corners (x, y) clockwise from top-left."""

    model_config = ConfigDict(frozen=True)

    points: list[tuple[float, float]]
    confidence: float = Field(ge=0.0, le=1.0)


class Evidence(BaseModel):
    """One file or paste exactly as the user gave it. ``sha256`` identifies it everywhere."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    media_type: str = Field(description="e.g. text/plain, application/xml, image/png")
    source_name: str = Field(description="file name or 'pasted text'")
    size: int
    received_at: datetime
    kind: str = Field(description="reader that understood it: sms-backup-xml, call-log-xml, csv, image-ocr…")

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    @classmethod
    def of(cls, data: bytes, *, media_type: str, source_name: str, kind: str) -> Evidence:
        return cls(
            sha256=cls.digest(data),
            media_type=media_type,
            source_name=source_name,
            size=len(data),
            received_at=datetime.now(UTC),
            kind=kind,
        )


class Communication(BaseModel):
    """One message or call read out of a piece of evidence, pointing back to it."""

    evidence_sha256: str
    index: int = Field(description="position within its evidence, stable across re-reads")
    channel: Channel
    direction: Direction = "unknown"
    counterparty: str | None = Field(default=None, description="phone number or name of the other side")
    timestamp: datetime | None = None
    text: str = ""
    recipient: Recipient | None = None
    duration_seconds: int | None = Field(default=None, description="for calls")
    boxes: list[Box] = Field(default_factory=list, description="OCR line boxes, for screenshots")

    @property
    def id(self) -> str:
        return f"{self.evidence_sha256[:12]}:{self.index}"


class IngestError(ValueError):
    """Input that cannot be taken; the message is Chinese and says what to do. Nothing was stored."""
