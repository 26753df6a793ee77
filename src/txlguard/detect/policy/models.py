"""The JSON shapes of `txlguard policy` (DESIGN.md: like `scan`, for TAXONOMY §4)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from txlguard.detect.models import Detection


class PolicyInput(BaseModel):
    """One passage of a privacy policy, user agreement or loan contract (`policy` input line)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    text: str


class PolicyResult(BaseModel):
    """The labels of one passage; offsets of detections index the passage's original text."""

    id: str
    labels: list[str] = Field(default_factory=list)
    detections: list[Detection] = Field(default_factory=list)
    negated: list[Detection] = Field(
        default_factory=list, description="statements the text denies (我们不会读取您的通讯录), not labels"
    )

    def public(self) -> dict[str, object]:
        """The `policy --format jsonl` output object."""
        return {"id": self.id, "labels": self.labels, "detections": [d.public() for d in self.detections]}
