"""The judgement: findings with citations, a trace a lawyer can follow, and the questions still open."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from txlguard.facts.models import EvidenceSpan
from txlguard.taxonomy import Regime, Verdict

Truth = bool | None
FindingStatus = Literal["established", "possible"]


class TraceStep(BaseModel):
    """One atom of a rule's condition and what it evaluated to."""

    atom: str = Field(description="fact code, detail comparison or derived concept")
    value: Truth
    because: str = ""


class Question(BaseModel):
    """A concrete question whose answer would settle an open fact or detail."""

    key: str = Field(description="fact code or detail name")
    text_zh: str
    why_zh: str = ""
    rules: list[str] = Field(default_factory=list, description="rules the answer would decide")


class Remedy(BaseModel):
    code: str
    text_zh: str
    provisions: list[str] = Field(default_factory=list)


class Finding(BaseModel):
    """One legal conclusion: which rule, which regime, which provisions, how sure, and why."""

    id: str
    rule: str
    regime: Regime
    status: FindingStatus
    title_zh: str
    summary: str
    provisions: list[str]
    remedies: list[Remedy] = Field(default_factory=list)
    authorities: list[str] = Field(default_factory=list, description="channel ids from the law base")
    confidence: float = Field(ge=0.0, le=1.0)
    strength: Literal["strong", "moderate", "weak"]
    evidence: list[EvidenceSpan] = Field(default_factory=list)
    trace: list[TraceStep] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="unknown facts/details that keep it open")
    notes_zh: list[str] = Field(default_factory=list)


class Judgement(BaseModel):
    """The `assess` output of DESIGN.md, plus the questions and the date the law was applied on."""

    facts: dict[str, Truth]
    details: dict[str, object] = Field(default_factory=dict)
    verdict: Verdict
    verdict_zh: str
    confidence: float
    findings: list[Finding]
    questions: list[Question] = Field(default_factory=list)
    law_as_of: list[str] = Field(default_factory=list, description="the dates the provisions were checked on")
    notes_zh: list[str] = Field(default_factory=list)

    def public(self) -> dict[str, object]:
        """DESIGN.md's `assess --format json` shape (with extra keys users find useful)."""
        return self.model_dump(mode="json")
