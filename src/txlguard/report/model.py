"""The case report as one typed model; every format (HTML, PDF, DOCX, Markdown, JSON) renders it.

The model holds only what the case establishes: findings with the provisions they cite (quoted
and dated), the evidence behind them with hashes, the contact timeline, similar decided cases,
next steps and the questions still open. Images (the timeline chart, screenshot crops) are kept
as PNG bytes beside the data and left out of the JSON, which carries their boxes instead.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from txlguard.taxonomy import Regime, Verdict

TextKind = Literal["verbatim", "summary"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class QuotedProvision(_Model):
    """A provision as the report quotes it: its words (or our summary, said so) and its dates."""

    id: str
    instrument_zh: str
    instrument_kind: str = Field(description="law, judicial-interpretation, national-standard…")
    article: str
    title_zh: str | None = None
    text: str = Field(description="the statute's words, or our summary when no verbatim text is held")
    text_kind: TextKind
    gist_zh: str
    effective_from: date | None = None
    repealed_on: date | None = None
    reliability: Literal["primary", "secondary", "unverified"]
    source: str

    @property
    def citation_zh(self) -> str:
        name = self.instrument_zh if "《" in self.instrument_zh else f"《{self.instrument_zh}》"
        return f"{name}{self.article}"

    @property
    def dates_zh(self) -> str:
        start = f"{self.effective_from:%Y年%-m月%-d日}起施行" if self.effective_from else "施行日期未载明"
        return start + (f"，{self.repealed_on:%Y年%-m月%-d日}起失效" if self.repealed_on else "")


class EvidenceRef(_Model):
    """One quote a finding rests on, traced to the original file by hash."""

    ref: str = Field(description="E1, E2… as numbered in the evidence table")
    quote: str
    quotes: list[str] = Field(
        default_factory=list, description="every quote in this message, the first being quote"
    )
    context: str | None = Field(
        default=None, description="the whole message (up to 300 characters) the quote is in"
    )
    label_zh: str = ""
    file_name: str | None = None
    sha256: str | None = None
    occurred_at: datetime | None = None
    channel: str | None = None
    counterparty: str | None = None
    from_narrative: bool = Field(default=False, description="the borrower's own account, not a message")
    crop_box: tuple[int, int, int, int] | None = Field(
        default=None, description="left, top, right, bottom pixels on the screenshot"
    )
    crop_png: bytes | None = Field(default=None, exclude=True, repr=False)

    def segments(self) -> list[tuple[str, bool]]:
        """The message cut into (text, is_quoted) pieces, every quote marked, for highlighting."""
        text = self.context or self.quote
        marks = [False] * len(text)
        for quote in self.quotes or [self.quote]:
            at = text.find(quote)
            while quote and at >= 0:
                marks[at : at + len(quote)] = [True] * len(quote)
                at = text.find(quote, at + len(quote))
        pieces: list[tuple[str, bool]] = []
        for char, marked in zip(text, marks, strict=True):
            if pieces and pieces[-1][1] == marked:
                pieces[-1] = (pieces[-1][0] + char, marked)
            else:
                pieces.append((char, marked))
        return pieces

    def context_parts(self) -> tuple[str, str, str]:
        """The message split around the quote (before, quote, after), for highlighting."""
        if not self.context or self.quote not in self.context:
            return "", self.quote, ""
        before, _, after = self.context.partition(self.quote)
        return before, self.quote, after


class ReportFinding(_Model):
    id: str
    rule: str
    regime: Regime
    regime_zh: str
    status: Literal["established", "possible"]
    status_zh: str
    kind: Literal["violation", "note"]
    title_zh: str
    summary_zh: str
    confidence: float
    strength_zh: str
    provisions: list[str] = Field(
        description="ids into the report's quoted provisions, as the finding cites them"
    )
    remedies_zh: list[str] = Field(default_factory=list)
    remedy_provisions: list[str] = Field(default_factory=list, description="ids the remedies rest on")
    authorities: list[str] = Field(default_factory=list, description="law-base channel ids")
    authorities_zh: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="refs into the evidence table")
    missing_zh: list[str] = Field(default_factory=list, description="what keeps a possible finding open")
    notes_zh: list[str] = Field(default_factory=list)


class EvidenceFile(_Model):
    name: str
    sha256: str
    media_type: str
    kind: str
    size: int
    added_at: datetime
    items: int = Field(description="messages or calls read from it")


class DayCount(_Model):
    day: date
    contacts: int = Field(description="calls and messages from the other side that day")
    off_hours: int = Field(description="of which outside the allowed hours")


class Timeline(_Model):
    days: list[DayCount]
    allowed_hours: tuple[str, str] | None = None
    counterparties: int = 0
    chart_png: bytes | None = Field(default=None, exclude=True, repr=False)

    @property
    def total(self) -> int:
        return sum(d.contacts for d in self.days)

    @property
    def total_off_hours(self) -> int:
        return sum(d.off_hours for d in self.days)


class SimilarCase(_Model):
    id: str
    title_zh: str
    forum_zh: str
    year: int
    number: str | None
    holding_zh: str
    outcome_zh: str
    reliability: Literal["A", "B", "C"]
    shared_zh: list[str] = Field(description="what this case has in common with the borrower's")


class NextStep(_Model):
    title_zh: str
    detail_zh: str
    channel: str | None = None
    contact_zh: str | None = None
    bring_zh: list[str] = Field(default_factory=list)


class OpenQuestion(_Model):
    key: str
    text_zh: str
    why_zh: str
    hint_zh: str = Field(default="", description="how to find the answer out")


class FactLine(_Model):
    code: str
    name_zh: str
    value: bool | None
    value_zh: str


class CaseReport(_Model):
    """Everything a report shows, in the order a lawyer would hand it to a client."""

    case_id: str
    title: str
    generated_at: datetime
    judged_at: datetime | None = None
    verdict: Verdict
    verdict_zh: str = Field(description="the verdict in one sentence")
    confidence: float
    law_as_of: list[str]
    details: dict[str, object] = Field(default_factory=dict, description="case details: lender, rate, dates…")
    plain_summary_zh: list[str] = Field(description="what happened and what it means, in plain words")
    facts: list[FactLine]
    findings: list[ReportFinding]
    provisions: list[QuotedProvision] = Field(description="every provision a finding cites, quoted once")
    evidence: list[EvidenceRef]
    evidence_files: list[EvidenceFile]
    timeline: Timeline
    similar_cases: list[SimilarCase]
    next_steps: list[NextStep]
    open_questions: list[OpenQuestion]
    notes_zh: list[str] = Field(default_factory=list)
    disclaimer_zh: str

    def by_regime(self) -> list[tuple[str, list[ReportFinding]]]:
        """Violations grouped civil → administrative → criminal, each group non-empty."""
        order = (("civil", "民事责任"), ("administrative", "行政责任"), ("criminal", "刑事责任"))
        groups = []
        for regime, name in order:
            items = [f for f in self.findings if f.regime == regime and f.kind == "violation"]
            if items:
                groups.append((name, items))
        return groups

    def explanatory_notes(self) -> list[ReportFinding]:
        return [f for f in self.findings if f.kind == "note"]

    def provision(self, provision_id: str) -> QuotedProvision:
        return next(p for p in self.provisions if p.id == provision_id)

    def evidence_ref(self, ref: str) -> EvidenceRef:
        return next(e for e in self.evidence if e.ref == ref)

    def public(self) -> dict[str, object]:
        """The JSON shape (images left out; their boxes kept)."""
        return self.model_dump(mode="json")


LetterKind = Literal["regulator-complaint", "cac-report", "police-report", "demand-letter", "civil-complaint"]


class LetterSection(_Model):
    heading_zh: str | None = None
    paragraphs: list[str]


class Attachment(_Model):
    """A piece of evidence a document lists, identified by its hash."""

    name: str
    sha256: str
    description_zh: str


class Letter(_Model):
    """A ready-to-file document: complaint, report, demand letter or draft statement of claim.

    Blanks the borrower must fill in are written as 【请填写：…】 and listed in ``blanks_zh``;
    ``guidance_zh`` is advice for the borrower and is not part of the document itself.
    """

    kind: LetterKind
    file_stem: str = Field(description="file name without extension, e.g. 1-金融监管投诉书")
    title_zh: str
    addressee_zh: str
    channel: str | None = Field(default=None, description="law-base channel id it goes to")
    header_lines: list[str] = Field(default_factory=list, description="parties block under the title")
    sections: list[LetterSection]
    attachments: list[Attachment] = Field(default_factory=list)
    signature_lines: list[str] = Field(default_factory=list)
    blanks_zh: list[str] = Field(default_factory=list)
    guidance_zh: list[str] = Field(default_factory=list)
    provisions: list[str] = Field(default_factory=list, description="law-base ids the document cites")

    def public(self) -> dict[str, object]:
        return self.model_dump(mode="json")
