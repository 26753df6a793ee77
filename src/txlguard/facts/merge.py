"""Combine the facts of several sources (narrative, messages, logs, interview) into one CaseFacts.

Rules:

* true from any source wins over unknown; false wins over unknown;
* true against false keeps true, lowers the confidence (× 0.75, at least 0.3), keeps the evidence of
  both sides and says so in the fact's notes;
* agreeing sources reinforce each other (noisy-or of their confidences, at most 0.99);
* details merge field by field: the first non-None value wins; a different later value is noted;
* then the annual rate and 砍头息 are computed from the loan amounts where no source stated them
  (``details.derive_details``), so a borrower who knows only the amounts still gets a rate.
"""

from __future__ import annotations

from typing import Any

from txlguard.facts.details import derive_details
from txlguard.facts.models import CaseDetails, CaseFacts, EvidenceSpan, Fact
from txlguard.taxonomy import FactCode

CONFLICT_FACTOR = 0.75
CONFLICT_FLOOR = 0.3


def _noisy_or(values: list[float]) -> float:
    miss = 1.0
    for v in values:
        miss *= 1.0 - v
    return round(min(0.99, 1.0 - miss), 3)


def _evidence(facts: list[Fact]) -> list[EvidenceSpan]:
    out: list[EvidenceSpan] = []
    for fact in facts:
        out.extend(e for e in fact.evidence if e not in out)
    return out


def _merge_fact(code: FactCode, facts: list[Fact]) -> Fact:
    trues = [f for f in facts if f.value is True]
    falses = [f for f in facts if f.value is False]
    notes: list[str] = []
    for f in facts:
        notes.extend(n for n in f.notes if n not in notes)
    if trues:
        best = max(trues, key=lambda f: f.confidence)
        confidence = _noisy_or([f.confidence for f in trues])
        if falses:
            confidence = round(max(CONFLICT_FLOOR, confidence * CONFLICT_FACTOR), 3)
            sources = "、".join(dict.fromkeys(f.source for f in falses))
            notes.append(f"来源冲突：{sources} 认为不成立，按成立处理并降低置信度（双方证据均保留）")
        return Fact(
            code=code,
            value=True,
            source=best.source,
            confidence=confidence,
            evidence=_evidence([*trues, *falses]),
            notes=notes,
        )
    if falses:
        best = max(falses, key=lambda f: f.confidence)
        return Fact(
            code=code,
            value=False,
            source=best.source,
            confidence=_noisy_or([f.confidence for f in falses]),
            evidence=_evidence(falses),
            notes=notes,
        )
    source = facts[0].source if facts else "asserted"
    return Fact(code=code, value=None, source=source, confidence=0.0, evidence=_evidence(facts), notes=notes)


def _merge_details(details: list[CaseDetails]) -> tuple[CaseDetails, list[str]]:
    merged: dict[str, Any] = {}
    notes: list[str] = []
    for d in details:
        for key, value in d.model_dump().items():
            if value is None:
                continue
            if key not in merged:
                merged[key] = value
            elif merged[key] != value:
                notes.append(f"细节 {key} 来源不一致：采用 {merged[key]!s}，另有来源为 {value!s}")
    return CaseDetails.model_validate(merged), notes


def merge_facts(*cases: CaseFacts) -> CaseFacts:
    """One CaseFacts from several; see the module docstring for the rules."""
    facts = {code: _merge_fact(code, [c.facts[code] for c in cases if code in c.facts]) for code in FactCode}
    details, detail_notes = _merge_details([c.details for c in cases])
    details, derived_notes = derive_details(details)
    detail_notes += derived_notes
    notes: list[str] = []
    for c in cases:
        notes.extend(n for n in c.notes if n not in notes)
    return CaseFacts(facts=facts, details=details, notes=notes + detail_notes)
