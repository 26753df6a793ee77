"""Typed records of the law base: provisions, instruments, cases, channels, parameters.

Every record carries its source; statute text is verbatim, everything else is in our own words.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PROVISION_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

TextStatus = Literal[
    "verbatim",  # copied from the official text named in `source`
    "official-reproduction",  # official wording, but read on a third-party copy
    "secondary-quote",  # quoted by a secondary source
    "secondary-summary",  # only a second-hand summary was read; `summary` is our wording of it
    "metadata-only",  # we know it exists and when, not what it says
    "not-found",  # searched for, not found: never cite as a rule
]

InstrumentKind = Literal[
    "law",
    "judicial-interpretation",
    "administrative-regulation",
    "departmental-rule",
    "normative-document",
    "national-standard",
    "self-regulatory",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Provision(_Strict):
    """One article (or, for instruments not read article by article, one rule) of an instrument."""

    id: str
    instrument: str = Field(description="slug of the instrument file this provision belongs to")
    article: str = Field(description="article as printed, e.g. 第一千零三十二条")
    title_zh: str | None = None
    text: str | None = Field(default=None, description="verbatim statute text where text_status allows")
    text_status: TextStatus
    summary_zh: str | None = Field(default=None, description="our own wording, for non-verbatim entries")
    gist_zh: str = Field(description="short plain-Chinese gist in our own words")
    gist_en: str | None = None
    source: str
    effective_from: date | None = None
    repealed_on: date | None = Field(default=None, description="first day on which it no longer applies")
    effective_note: str | None = None
    replaced_by: list[str] = Field(default_factory=list)
    replaces: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not PROVISION_ID.match(value):
            raise ValueError(f"provision id {value!r} is not lower-case kebab case")
        return value

    @model_validator(mode="after")
    def _text_matches_status(self) -> Provision:
        if self.text_status in ("verbatim", "official-reproduction") and not self.text:
            raise ValueError(f"{self.id}: text_status {self.text_status} needs the text")
        if self.text_status not in ("verbatim", "official-reproduction", "secondary-quote") and not (
            self.summary_zh
        ):
            raise ValueError(f"{self.id}: a non-verbatim provision needs summary_zh")
        if self.effective_from and self.repealed_on and self.repealed_on <= self.effective_from:
            raise ValueError(f"{self.id}: repealed_on must be after effective_from")
        return self

    @property
    def citable(self) -> bool:
        """Whether a rule may rest on it: its content was read at least second-hand."""
        return self.text_status not in ("metadata-only", "not-found")

    @property
    def reliability(self) -> Literal["primary", "secondary", "unverified"]:
        if self.text_status in ("verbatim", "official-reproduction"):
            return "primary"
        if self.text_status in ("secondary-quote", "secondary-summary"):
            return "secondary"
        return "unverified"

    @property
    def caveat_zh(self) -> str:
        """What a report adds after a provision not read in an official text."""
        return "" if self.reliability == "primary" else "（二手来源，效力待核实）"

    def in_force_on(self, day: date) -> bool:
        if self.effective_from and day < self.effective_from:
            return False
        return not (self.repealed_on and day >= self.repealed_on)


class Instrument(_Strict):
    """A statute, interpretation, rule, standard or guideline: one data file each."""

    slug: str
    name_zh: str
    name_en: str
    kind: InstrumentKind
    issuer_zh: str
    version_note: str | None = None
    provisions: list[Provision]


class LegalCase(_Strict):
    """A decided court case, prosecution, regulator action or pending suit, summarised in our words."""

    id: str
    title_zh: str
    forum_zh: str
    kind: Literal["court", "prosecution", "regulator", "police", "pending"]
    year: int
    number: str | None = None
    facts_zh: str
    holding_zh: str
    outcome_zh: str
    status: Literal["decided", "pending", "investigation", "outcome-unknown"]
    provisions: list[str] = Field(default_factory=list, description="law-base ids applied or relevant")
    provisions_note: str | None = None
    fact_codes: list[str] = Field(default_factory=list, description="TAXONOMY §3 facts the case turned on")
    reliability: Literal["A", "B", "C"]
    sources: list[str]


class Channel(_Strict):
    """A complaint or reporting channel and what it needs."""

    id: str
    name_zh: str
    contact: str
    authority_zh: str
    handles_zh: str
    use_when_zh: str
    evidence_zh: list[str] = Field(default_factory=list)
    fact_codes: list[str] = Field(default_factory=list, description="facts that make it relevant")
    lender_kinds: list[str] = Field(default_factory=list)
    provisions: list[str] = Field(default_factory=list)
    notes_zh: str | None = None
    sources: list[str]


class ParameterValue(_Strict):
    """One dated value of a numeric rule."""

    effective_from: date
    value: Any
    provisions: list[str] = Field(description="ids of the provisions the value comes from")
    reliability: Literal["primary", "secondary", "unverified"]
    note_zh: str | None = None


class Parameter(_Strict):
    """A numeric rule (time window, frequency limit, threshold, rate cap) with dated values."""

    id: str
    description_zh: str
    unit: str
    values: list[ParameterValue]

    def value_on(self, day: date) -> ParameterValue | None:
        current = None
        for candidate in sorted(self.values, key=lambda v: v.effective_from):
            if candidate.effective_from <= day:
                current = candidate
        return current


class CodeMeaning(_Strict):
    """A TAXONOMY code with its Chinese name and the provisions it maps to."""

    code: str
    section: Literal["message", "log", "fact", "policy"]
    name_zh: str
    name_en: str
    description_zh: str
    provisions: list[str]
