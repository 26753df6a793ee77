"""Case facts (TAXONOMY §3): true / false / unknown, each with the evidence behind it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from txlguard.taxonomy import FactCode

FactSource = Literal["asserted", "narrative", "interview", "message", "log", "policy", "app"]


class EvidenceSpan(BaseModel):
    """Where a fact comes from: a quote and its offsets in a named source text."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="what the offsets index: 'narrative', a message id, an evidence sha256…")
    start: int
    end: int
    quote: str
    note: str | None = None


class Fact(BaseModel):
    """One TAXONOMY §3 fact: its value (None = unknown) and what supports it."""

    code: FactCode
    value: bool | None
    source: FactSource = "asserted"
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    evidence: list[EvidenceSpan] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list, description="why the value is what it is: conflicts, inferences, doubts"
    )


class CaseDetails(BaseModel):
    """Structured details beside the facts; every field optional, None means unknown."""

    model_config = ConfigDict(extra="forbid")

    lender_name: str | None = None
    lender_licensed: bool | None = Field(
        default=None, description="持牌金融机构 (bank, consumer finance, licensed microlender)"
    )
    annual_rate: float | None = Field(
        default=None, ge=0, description="annualised rate, percent (e.g. 36 for 36%)"
    )
    upfront_deduction: bool | None = Field(
        default=None, description="砍头息: interest or fees deducted up front"
    )
    contacts_reached: int | None = Field(
        default=None, ge=0, description="how many people from the contact list were reached"
    )
    contacts_are_guarantors: bool | None = Field(
        default=None, description="the people contacted were named guarantors"
    )
    pi_items_disclosed: int | None = Field(
        default=None, ge=0, description="items of personal information provided to others"
    )
    publicly_spread: bool | None = Field(
        default=None, description="insults or images were spread in groups / publicly"
    )
    loan_date: date | None = None
    loan_principal: float | None = Field(default=None, ge=0, description="合同借款金额 (yuan)")
    loan_received: float | None = Field(default=None, ge=0, description="amount actually received (yuan)")
    loan_total_due: float | None = Field(
        default=None, ge=0, description="total to repay: principal, interest and every fee (yuan)"
    )
    loan_term_days: int | None = Field(default=None, gt=0, description="term of the loan in days")
    start: date | None = Field(default=None, description="first day of the collection conduct")
    end: date | None = Field(default=None, description="last day of the collection conduct")


class CaseFacts(BaseModel):
    """Everything the reasoning step needs, and nothing it must not see (no raw text)."""

    facts: dict[FactCode, Fact] = Field(default_factory=dict)
    details: CaseDetails = Field(default_factory=CaseDetails)
    notes: list[str] = Field(default_factory=list, description="case-level notes, e.g. conflicting details")

    def value(self, code: FactCode | str) -> bool | None:
        fact = self.facts.get(FactCode(code))
        return None if fact is None else fact.value

    @classmethod
    def from_values(
        cls,
        values: dict[str, bool | None],
        details: CaseDetails | None = None,
        source: FactSource = "asserted",
    ) -> CaseFacts:
        facts = {FactCode(k): Fact(code=FactCode(k), value=v, source=source) for k, v in values.items()}
        return cls(facts=facts, details=details or CaseDetails())
