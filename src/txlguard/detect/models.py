"""What detectors read and return; the JSON shapes of `txlguard scan` (DESIGN.md) are these models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from txlguard.taxonomy import Recipient

Voice = Literal["direct", "reported", "quoted_law", "negated", "conditional_lawful"]


class MessageInput(BaseModel):
    """One collection communication as given by the user (`scan` input line)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    text: str
    recipient: Recipient | None = None
    sent_at: datetime | None = None
    channel: str | None = None


class Detection(BaseModel):
    """One finding of a recognizer: a label at an original-text span, with why and which law."""

    label: str
    start: int = Field(description="offset into the original text (inclusive)")
    end: int = Field(description="offset into the original text (exclusive)")
    quote: str
    confidence: float = Field(ge=0.0, le=1.0)
    provisions: list[str] = Field(default_factory=list)
    recognizer: str = ""
    voice: Voice = "direct"
    explanation: str = ""

    def public(self) -> dict[str, object]:
        """The DESIGN.md `scan` output shape of a detection."""
        return {
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "confidence": round(self.confidence, 3),
            "provisions": self.provisions,
        }


class ScanResult(BaseModel):
    """All detections for one message. ``labels`` holds only direct (not reported/negated) labels."""

    id: str
    labels: list[str] = Field(default_factory=list)
    detections: list[Detection] = Field(default_factory=list)
    recipient: Recipient = "unknown"
    recipient_inferred: bool = False
    reported: list[Detection] = Field(
        default_factory=list, description="conduct described second-hand (e.g. a borrower's complaint)"
    )

    def public(self) -> dict[str, object]:
        """The DESIGN.md `scan --format jsonl` output object."""
        return {"id": self.id, "labels": self.labels, "detections": [d.public() for d in self.detections]}
