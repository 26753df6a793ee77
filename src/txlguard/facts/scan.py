"""Messages actually received (scanner results) → TAXONOMY §3 case facts.

A fact is set only by what a message shows; the absence of a detection never makes a fact false.

Mapping (TAXONOMY §1 → §3):

* ``threat_to_contacts`` / ``threat_of_exposure`` / ``threat_of_violence`` → ``threats``;
* ``insult`` → ``insults_or_defamation`` (the insult is carried out by sending it). Sent to a contact
  it is also defamation before a third party (confidence 0.9); aimed at the borrower alone it is
  still an insult (0.75), and the note says so;
* ``threat_of_exposure`` in a message to a contact → also ``insults_or_defamation``: the exposure is
  no longer only threatened, the contact has been shown it (0.7);
* ``impersonation`` → ``impersonation``;
* ``disclosure_to_third_party`` → ``contacts_contacted`` and ``debt_disclosed_to_contacts``;
* log labels ``off_hours_contact`` / ``excessive_frequency`` → ``harassment_pattern``;
* ``false_legal_threat`` has no §3 fact; it is listed in the case notes.

Only ``labels`` (direct voice) count; detections of reported or negated conduct do not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from txlguard.facts.models import CaseFacts, EvidenceSpan, Fact, FactSource
from txlguard.taxonomy import FactCode, LogLabel, MessageLabel

if TYPE_CHECKING:  # only for types: importing the facts package must not need the recognizers
    from txlguard.detect.models import Detection, ScanResult

_THREATS = frozenset(
    {MessageLabel.THREAT_TO_CONTACTS, MessageLabel.THREAT_OF_EXPOSURE, MessageLabel.THREAT_OF_VIOLENCE}
)
_HARASSMENT = frozenset({LogLabel.OFF_HOURS_CONTACT, LogLabel.EXCESSIVE_FREQUENCY})


def _spans(result: ScanResult, labels: Iterable[str], note: str | None = None) -> list[EvidenceSpan]:
    wanted = set(labels)
    chosen: list[Detection] = [d for d in result.detections if d.label in wanted and d.voice == "direct"] or [
        d for d in result.detections if d.label in wanted
    ]
    spans = [
        EvidenceSpan(
            source=result.id,
            start=d.start,
            end=d.end,
            quote=d.quote,
            note=d.label if note is None else f"{d.label}：{note}",
        )
        for d in chosen
    ]
    if not spans:  # a label without a detection (e.g. from a log rule): cite the message itself
        spans.append(EvidenceSpan(source=result.id, start=0, end=0, quote="", note=",".join(sorted(wanted))))
    return spans


def _confidence(result: ScanResult, labels: Iterable[str], floor: float) -> float:
    wanted = set(labels)
    found = [d.confidence for d in result.detections if d.label in wanted]
    return round(max([floor * c for c in found] or [floor]), 3)


def facts_from_scan(results: Iterable[ScanResult], *, source: FactSource = "message") -> CaseFacts:
    """The case facts that a set of scanned messages establishes (None where they say nothing)."""
    evidence: dict[FactCode, list[EvidenceSpan]] = {code: [] for code in FactCode}
    confidence: dict[FactCode, float] = {code: 0.0 for code in FactCode}
    notes: dict[FactCode, list[str]] = {code: [] for code in FactCode}
    case_notes: list[str] = []

    def add(code: FactCode, spans: list[EvidenceSpan], conf: float, note: str | None = None) -> None:
        evidence[code].extend(s for s in spans if s not in evidence[code])
        confidence[code] = max(confidence[code], conf)
        if note and note not in notes[code]:
            notes[code].append(note)

    for result in results:
        labels = set(result.labels)
        to_contact = result.recipient == "contact"
        threat_labels = labels & _THREATS
        if threat_labels:
            add(FactCode.THREATS, _spans(result, threat_labels), _confidence(result, threat_labels, 0.95))
        if MessageLabel.INSULT in labels:
            if to_contact:
                add(
                    FactCode.INSULTS_OR_DEFAMATION,
                    _spans(result, [MessageLabel.INSULT], "发给联系人"),
                    _confidence(result, [MessageLabel.INSULT], 0.9),
                    "侮辱内容发给了第三人",
                )
            else:
                add(
                    FactCode.INSULTS_OR_DEFAMATION,
                    _spans(result, [MessageLabel.INSULT], "发给借款人"),
                    _confidence(result, [MessageLabel.INSULT], 0.75),
                    "侮辱针对借款人本人（未见发给第三人）",
                )
        if MessageLabel.THREAT_OF_EXPOSURE in labels and to_contact:
            add(
                FactCode.INSULTS_OR_DEFAMATION,
                _spans(result, [MessageLabel.THREAT_OF_EXPOSURE], "已发给联系人"),
                _confidence(result, [MessageLabel.THREAT_OF_EXPOSURE], 0.7),
                "曝光内容已发给联系人",
            )
        if MessageLabel.IMPERSONATION in labels:
            add(
                FactCode.IMPERSONATION,
                _spans(result, [MessageLabel.IMPERSONATION]),
                _confidence(result, [MessageLabel.IMPERSONATION], 0.95),
            )
        if MessageLabel.DISCLOSURE_TO_THIRD_PARTY in labels:
            spans = _spans(result, [MessageLabel.DISCLOSURE_TO_THIRD_PARTY])
            conf = _confidence(result, [MessageLabel.DISCLOSURE_TO_THIRD_PARTY], 0.95)
            add(FactCode.CONTACTS_CONTACTED, spans, conf)
            add(FactCode.DEBT_DISCLOSED_TO_CONTACTS, spans, conf)
        harassment = labels & _HARASSMENT
        if harassment:
            add(FactCode.HARASSMENT_PATTERN, _spans(result, harassment), 0.9)
        if MessageLabel.FALSE_LEGAL_THREAT in labels:
            case_notes.append(f"消息 {result.id} 含虚假法律后果（false_legal_threat），不对应第3节事实")

    facts = {
        code: Fact(
            code=code,
            value=True if evidence[code] else None,
            source=source,
            confidence=confidence[code] if evidence[code] else 0.0,
            evidence=evidence[code],
            notes=notes[code],
        )
        for code in FactCode
    }
    return CaseFacts(facts=facts, notes=case_notes)
