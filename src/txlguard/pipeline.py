"""Judge a stored case: detection → log rules → facts → reasoning, over everything in the case.

:func:`judge_case` (through :func:`read_case_evidence` and :func:`judge_facts`, as :func:`assess_case`
without storing) reads the case's communications and interview answers from the store, runs the
message scanner over the collector's messages, the log rules over every call and message, turns
the results and the answers into TAXONOMY §3 facts, asks the reasoning engine for a judgement, and
stores the detections and the judgement (the ``assess`` JSON shape) with the evidence it rests on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from txlguard.detect import Scanner, ScanResult, default_scanner
from txlguard.detect.logrules import LogRuleConfig, LogRuleResult, evaluate_logs
from txlguard.detect.models import MessageInput
from txlguard.facts import (
    CaseDetails,
    CaseFacts,
    EvidenceSpan,
    Fact,
    extract_facts,
    facts_from_scan,
    merge_facts,
)
from txlguard.ingest.models import Communication
from txlguard.ingest.readers.base import CHINA_TZ
from txlguard.reason import Judgement, assess
from txlguard.store import DetectionRecord, StoredCommunication
from txlguard.store import repository as repo
from txlguard.taxonomy import FactCode, LogLabel

_DETAIL_FIELDS = frozenset(CaseDetails.model_fields)
_FACT_CODES = frozenset(code.value for code in FactCode)


# The writer speaking of themself (我, not the collector's 我们/我司/我方/我行).
_FIRST_PERSON = re.compile(r"我(?![们司方行])")


def narratives(items: Sequence[StoredCommunication]) -> dict[str, str]:
    """Plain-text evidence that is the borrower's own account, by evidence hash.

    A text file or paste is split into one communication per paragraph; when, joined, it is an
    untimed first-person account (a complaint, a story), it goes to narrative fact extraction
    instead of the message scanner, which would read narrated events as the speaker's threats.
    """
    by_evidence: dict[str, list[Communication]] = {}
    for stored in items:
        c = stored.communication
        if c.channel == "text" and c.timestamp is None:
            by_evidence.setdefault(c.evidence_sha256, []).append(c)
    accounts = {}
    for sha, parts in by_evidence.items():
        text = "\n".join(p.text for p in sorted(parts, key=lambda p: p.index))
        if len(text) >= 40 and len(_FIRST_PERSON.findall(text)) >= 2:
            accounts[sha] = text
    return accounts


def scanned(item: Communication) -> bool:
    """Whether a communication is a collection message to scan: text from the other side.

    Calls carry only a generated description ("未接来电"), and the borrower's own outgoing
    messages are not collection conduct (what they report is for the narrative, not the scanner).
    """
    return item.channel != "call" and item.direction != "outgoing" and bool(item.text.strip())


def message_inputs(
    items: Sequence[StoredCommunication], skip: frozenset[str] = frozenset()
) -> list[MessageInput]:
    return [
        MessageInput(
            id=c.communication.id,
            text=c.communication.text,
            recipient=c.communication.recipient,
            sent_at=c.communication.timestamp,
            channel=c.communication.channel,
        )
        for c in items
        if scanned(c.communication) and c.communication.evidence_sha256 not in skip
    ]


def detection_records(
    results: Sequence[ScanResult], logs: LogRuleResult, db_ids: Mapping[str, int]
) -> list[DetectionRecord]:
    records: list[DetectionRecord] = []
    for result in results:
        for d in [*result.detections, *result.reported]:
            records.append(
                DetectionRecord(
                    communication_id=db_ids.get(result.id),
                    source="message",
                    label=d.label,
                    start=d.start,
                    end=d.end,
                    quote=d.quote,
                    confidence=d.confidence,
                    provisions=list(d.provisions),
                    recognizer=d.recognizer,
                    voice=d.voice,
                    details={"explanation": d.explanation} if d.explanation else {},
                )
            )
    for f in logs.findings:
        records.append(
            DetectionRecord(
                communication_id=db_ids.get(f.communication_ids[0]) if f.communication_ids else None,
                source="log",
                label=f.label.value,
                quote=f.explanation,
                provisions=list(f.provisions),
                recognizer="logrules",
                counterparty=f.counterparty,
                details=f.model_dump(mode="json"),
            )
        )
    return records


def facts_from_logs(logs: LogRuleResult) -> CaseFacts:
    """``harassment_pattern`` is true when a log rule fired; no finding leaves it unknown, not false."""
    if not logs.findings:
        return CaseFacts()
    spans = [
        EvidenceSpan(
            source=f.communication_ids[0] if f.communication_ids else f.counterparty,
            start=0,
            end=0,
            quote=f.explanation,
            note=f.label.value,
        )
        for f in logs.findings
    ]
    labels = {f.label for f in logs.findings}
    fact = Fact(
        code=FactCode.HARASSMENT_PATTERN,
        value=True,
        source="log",
        confidence=1.0 if LogLabel.EXCESSIVE_FREQUENCY in labels else 0.9,
        evidence=spans,
    )
    return CaseFacts(facts={FactCode.HARASSMENT_PATTERN: fact})


def conduct_period(items: Sequence[Communication]) -> CaseFacts:
    """``details.start``/``end``: the first and last local day the other side contacted the borrower.

    The reasoning applies the law as it stood on those days (a case judged today about last year's
    conduct cites last year's law). Days are China local days; times read without a zone are taken
    as local already.
    """
    days = [
        (c.timestamp if c.timestamp.tzinfo is None else c.timestamp.astimezone(CHINA_TZ)).date()
        for c in items
        if c.timestamp is not None and c.direction != "outgoing"
    ]
    if not days:
        return CaseFacts()
    return CaseFacts(details=CaseDetails(start=min(days), end=max(days)))


def facts_from_answers(answers: Mapping[str, Any]) -> CaseFacts:
    """Interview answers: TAXONOMY §3 codes become facts, ``CaseDetails`` fields become details."""
    facts: dict[FactCode, Fact] = {}
    details: dict[str, Any] = {}
    notes: list[str] = []
    for key, value in answers.items():
        if key in _FACT_CODES:
            if value is None or isinstance(value, bool):
                facts[FactCode(key)] = Fact(code=FactCode(key), value=value, source="interview")
            else:
                notes.append(f"问答 {key} 的回答 {value!r} 不是 是/否/不知道，已忽略")
        elif key in _DETAIL_FIELDS:
            details[key] = value
        else:
            notes.append(f"问答中的 {key} 不是已知的事实或细节，已忽略")
    try:
        parsed = CaseDetails.model_validate(details)
    except ValidationError as exc:
        bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        notes.append(f"问答中的细节 {'、'.join(sorted(bad))} 取值无效，已忽略")
        parsed = CaseDetails.model_validate({k: v for k, v in details.items() if k not in bad})
    return CaseFacts(facts=facts, details=parsed, notes=notes)


@dataclass(frozen=True)
class EvidenceFacts:
    """What a case's evidence establishes, read once (scanning is the slow part).

    ``sources`` are the facts of each kind of evidence in merge order; the interview answers go in
    front of them in :func:`judge_facts`, so the same reading can be judged with different answers
    (the interview asks "would this answer change anything?" without scanning again).
    """

    sources: tuple[CaseFacts, ...]
    results: list[ScanResult]
    logs: LogRuleResult
    db_ids: dict[str, int]


def read_case_evidence(
    session: Session,
    case_id: str,
    *,
    scanner: Scanner | None = None,
    log_config: LogRuleConfig | None = None,
) -> EvidenceFacts:
    """Scan, apply the log rules and extract narratives over everything in a case; stores nothing."""
    case = repo.require_case(session, case_id)
    stored = repo.case_communications(session, case.id)
    accounts = narratives(stored)
    inputs = message_inputs(stored, skip=frozenset(accounts))
    results = (scanner or default_scanner()).scan_batch(inputs) if inputs else []
    logs = evaluate_logs([c.communication for c in stored], config=log_config)
    sources = (
        *(extract_facts(text) for text in accounts.values()),
        facts_from_scan(results),
        facts_from_logs(logs),
        conduct_period([c.communication for c in stored]),
    )
    return EvidenceFacts(
        sources=sources, results=results, logs=logs, db_ids={c.communication.id: c.id for c in stored}
    )


def judge_facts(
    answers: Mapping[str, Any], evidence: EvidenceFacts, as_of: date | None = None
) -> tuple[CaseFacts, Judgement]:
    """The case facts and judgement from interview answers plus an evidence reading; pure."""
    # Details: the first source that has one wins, so the borrower's own answers come first.
    case_facts = merge_facts(facts_from_answers(answers), *evidence.sources)
    judgement = assess(case_facts, as_of)
    if evidence.logs.notes:
        judgement = judgement.model_copy(update={"notes_zh": [*judgement.notes_zh, *evidence.logs.notes]})
    return case_facts, judgement


def assess_case(
    session: Session,
    case_id: str,
    *,
    answers: Mapping[str, Any] | None = None,
    as_of: date | None = None,
    scanner: Scanner | None = None,
    log_config: LogRuleConfig | None = None,
) -> tuple[CaseFacts, Judgement]:
    """Judge a case as it stands without storing anything (the interview's view of it).

    ``answers`` default to the stored interview answers. Raises :class:`txlguard.store.CaseNotFound`.
    """
    evidence = read_case_evidence(session, case_id, scanner=scanner, log_config=log_config)
    if answers is None:
        answers = repo.interview_answers(session, case_id)
    return judge_facts(answers, evidence, as_of)


def judge_case(
    session: Session,
    case_id: str,
    *,
    as_of: date | None = None,
    scanner: Scanner | None = None,
    log_config: LogRuleConfig | None = None,
) -> Judgement:
    """Judge everything in a case and store the detections and the judgement in ``session``.

    Raises :class:`txlguard.store.CaseNotFound` for an unknown id. The caller commits (e.g.
    ``with store.transaction() as session: judge_case(session, case_id)``).
    """
    case = repo.require_case(session, case_id)
    evidence = read_case_evidence(session, case.id, scanner=scanner, log_config=log_config)
    _, judgement = judge_facts(repo.interview_answers(session, case.id), evidence, as_of)
    repo.replace_detections(
        session, case.id, detection_records(evidence.results, evidence.logs, evidence.db_ids)
    )
    repo.record_judgement(session, case.id, judgement.public(), repo.case_evidence_sha256s(session, case.id))
    return judgement
