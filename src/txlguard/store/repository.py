"""Queries and writes on an open :class:`~sqlalchemy.orm.Session` (the pipeline works at this level)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, delete, func, select, update
from sqlalchemy.orm import Session

from txlguard.ingest.models import Box, Communication, Evidence
from txlguard.store.errors import CaseNotFound
from txlguard.store.models import (
    ApiKeyRow,
    CaseAccessRow,
    CaseEvidenceRow,
    CaseRow,
    CommunicationRow,
    DetectionRow,
    EvidenceRow,
    FindingRow,
    InterviewAnswerRow,
)
from txlguard.store.records import (
    ApiKeyInfo,
    CaseSummary,
    DetectionRecord,
    EvidenceEntry,
    StoredCommunication,
    StoredJudgement,
)

CASE_ID_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyz"  # no 0/o, 1/l: easy to read aloud and type
CASE_ID_LENGTH = 12  # 60 random bits


def now() -> datetime:
    return datetime.now(UTC)


def new_case_id() -> str:
    return "".join(secrets.choice(CASE_ID_ALPHABET) for _ in range(CASE_ID_LENGTH))


def normalize_case_id(case_id: str) -> str:
    return case_id.strip().lower()


# -- cases ------------------------------------------------------------------------------------
def create_case(session: Session, title: str) -> CaseRow:
    for _ in range(8):
        case_id = new_case_id()
        if session.get(CaseRow, case_id) is None:
            break
    else:  # pragma: no cover - 60 random bits
        raise RuntimeError("could not draw an unused case id")
    row = CaseRow(id=case_id, title=title, created_at=now())
    session.add(row)
    session.flush()
    return row


def require_case(session: Session, case_id: str) -> CaseRow:
    row = session.get(CaseRow, normalize_case_id(case_id))
    if row is None:
        raise CaseNotFound(case_id)
    return row


def case_summaries(session: Session, case_ids: Sequence[str] | None = None) -> list[CaseSummary]:
    """Cases (all, or those given) with evidence and communication counts and the last verdict."""
    query = select(CaseRow).order_by(CaseRow.created_at, CaseRow.id)
    if case_ids is not None:
        query = query.where(CaseRow.id.in_(case_ids))
    cases = list(session.scalars(query))
    if not cases:
        return []
    ids = [c.id for c in cases]
    evidence_counts = dict(
        session.execute(
            select(CaseEvidenceRow.case_id, func.count())
            .where(CaseEvidenceRow.case_id.in_(ids))
            .group_by(CaseEvidenceRow.case_id)
        ).all()
    )
    communication_counts = dict(
        session.execute(
            select(CaseEvidenceRow.case_id, func.count(CommunicationRow.id))
            .join(CommunicationRow, CommunicationRow.evidence_sha256 == CaseEvidenceRow.evidence_sha256)
            .where(CaseEvidenceRow.case_id.in_(ids))
            .group_by(CaseEvidenceRow.case_id)
        ).all()
    )
    latest = _latest_findings(session, ids)
    return [
        CaseSummary(
            id=c.id,
            title=c.title,
            created_at=c.created_at,
            evidence_count=evidence_counts.get(c.id, 0),
            communication_count=communication_counts.get(c.id, 0),
            last_verdict=latest[c.id].verdict if c.id in latest else None,
            last_judged_at=latest[c.id].judged_at if c.id in latest else None,
        )
        for c in cases
    ]


def _latest_findings(session: Session, case_ids: Sequence[str]) -> dict[str, FindingRow]:
    newest = (
        select(FindingRow.case_id, func.max(FindingRow.id).label("id"))
        .where(FindingRow.case_id.in_(case_ids))
        .group_by(FindingRow.case_id)
        .subquery()
    )
    rows = session.scalars(select(FindingRow).join(newest, FindingRow.id == newest.c.id))
    return {row.case_id: row for row in rows}


# -- evidence ---------------------------------------------------------------------------------
def evidence_entries(session: Session, case_id: str) -> list[EvidenceEntry]:
    """The case's evidence in the order it was added, each with its SHA-256."""
    counts = (
        select(CommunicationRow.evidence_sha256, func.count().label("n"))
        .group_by(CommunicationRow.evidence_sha256)
        .subquery()
    )
    rows = session.execute(
        select(CaseEvidenceRow, EvidenceRow, counts.c.n)
        .join(EvidenceRow, EvidenceRow.sha256 == CaseEvidenceRow.evidence_sha256)
        .outerjoin(counts, counts.c.evidence_sha256 == CaseEvidenceRow.evidence_sha256)
        .where(CaseEvidenceRow.case_id == normalize_case_id(case_id))
        .order_by(CaseEvidenceRow.added_at, CaseEvidenceRow.source_name, CaseEvidenceRow.evidence_sha256)
    ).all()
    return [_entry(link, evidence, n or 0) for link, evidence, n in rows]


def evidence_entry(session: Session, case_id: str, sha256: str) -> EvidenceEntry | None:
    for entry in evidence_entries(session, case_id):
        if entry.sha256 == sha256:
            return entry
    return None


def _entry(link: CaseEvidenceRow, evidence: EvidenceRow, communications: int) -> EvidenceEntry:
    return EvidenceEntry(
        sha256=evidence.sha256,
        name=link.source_name,
        original_name=evidence.source_name,
        media_type=evidence.media_type,
        size=evidence.size,
        kind=evidence.kind,
        received_at=evidence.received_at,
        added_at=link.added_at,
        communications=communications,
    )


def case_evidence_sha256s(session: Session, case_id: str) -> list[str]:
    return [e.sha256 for e in evidence_entries(session, case_id)]


def insert_evidence(session: Session, evidence: Evidence, communications: Iterable[Communication]) -> None:
    session.add(
        EvidenceRow(
            sha256=evidence.sha256,
            media_type=evidence.media_type,
            source_name=evidence.source_name,
            size=evidence.size,
            kind=evidence.kind,
            received_at=evidence.received_at,
        )
    )
    session.add_all(communication_row(c) for c in communications)


def link_evidence(session: Session, case_id: str, sha256: str, name: str) -> CaseEvidenceRow:
    link = CaseEvidenceRow(case_id=case_id, evidence_sha256=sha256, source_name=name, added_at=now())
    session.add(link)
    return link


# -- communications ---------------------------------------------------------------------------
def communication_row(c: Communication) -> CommunicationRow:
    occurred: datetime | None = None
    offset: int | None = None
    if c.timestamp is not None:
        delta = c.timestamp.utcoffset()
        if delta is None:  # read without a zone: keep the wall-clock time, remember it had none
            occurred = c.timestamp.replace(tzinfo=UTC)
        else:
            occurred = c.timestamp.astimezone(UTC)
            offset = int(delta.total_seconds() // 60)
    return CommunicationRow(
        evidence_sha256=c.evidence_sha256,
        item_index=c.index,
        channel=c.channel,
        direction=c.direction,
        counterparty=c.counterparty,
        occurred_at=occurred,
        utc_offset_minutes=offset,
        text=c.text,
        recipient=c.recipient,
        duration_seconds=c.duration_seconds,
        boxes=[box.model_dump(mode="json") for box in c.boxes],
    )


def communication_model(row: CommunicationRow) -> Communication:
    timestamp: datetime | None = None
    if row.occurred_at is not None:
        if row.utc_offset_minutes is None:
            timestamp = row.occurred_at.replace(tzinfo=None)
        else:
            timestamp = row.occurred_at.astimezone(timezone(timedelta(minutes=row.utc_offset_minutes)))
    return Communication.model_validate(
        {
            "evidence_sha256": row.evidence_sha256,
            "index": row.item_index,
            "channel": row.channel,
            "direction": row.direction,
            "counterparty": row.counterparty,
            "timestamp": timestamp,
            "text": row.text,
            "recipient": row.recipient,
            "duration_seconds": row.duration_seconds,
            "boxes": [Box.model_validate(b) for b in row.boxes],
        }
    )


def case_communications(session: Session, case_id: str) -> list[StoredCommunication]:
    """Every communication read from the case's evidence: by evidence (as added), then position."""
    rows = session.scalars(
        select(CommunicationRow)
        .join(CaseEvidenceRow, CaseEvidenceRow.evidence_sha256 == CommunicationRow.evidence_sha256)
        .where(CaseEvidenceRow.case_id == normalize_case_id(case_id))
        .order_by(
            CaseEvidenceRow.added_at,
            CaseEvidenceRow.source_name,
            CommunicationRow.evidence_sha256,
            CommunicationRow.item_index,
        )
    )
    return [StoredCommunication(row.id, communication_model(row)) for row in rows]


# -- detections and findings ------------------------------------------------------------------
def replace_detections(session: Session, case_id: str, records: Iterable[DetectionRecord]) -> int:
    """Store the detections of a judge run in place of the case's previous ones (they are derived)."""
    case_id = normalize_case_id(case_id)
    session.execute(delete(DetectionRow).where(DetectionRow.case_id == case_id))
    at = now()
    rows = [
        DetectionRow(
            case_id=case_id,
            communication_id=r.communication_id,
            source=r.source,
            label=r.label,
            span_start=r.start,
            span_end=r.end,
            quote=r.quote,
            confidence=r.confidence,
            provisions=list(r.provisions),
            recognizer=r.recognizer,
            voice=r.voice,
            counterparty=r.counterparty,
            details=dict(r.details),
            detected_at=at,
        )
        for r in records
    ]
    session.add_all(rows)
    session.flush()
    return len(rows)


def case_detections(session: Session, case_id: str) -> list[DetectionRecord]:
    rows = session.scalars(
        select(DetectionRow)
        .where(DetectionRow.case_id == normalize_case_id(case_id))
        .order_by(DetectionRow.id)
    )
    return [
        DetectionRecord(
            communication_id=r.communication_id,
            source="log" if r.source == "log" else "message",
            label=r.label,
            start=r.span_start,
            end=r.span_end,
            quote=r.quote,
            confidence=r.confidence,
            provisions=list(r.provisions),
            recognizer=r.recognizer,
            voice=r.voice,
            counterparty=r.counterparty,
            details=dict(r.details),
        )
        for r in rows
    ]


def record_judgement(
    session: Session,
    case_id: str,
    judgement: dict[str, Any],
    evidence_sha256s: Sequence[str],
    judged_at: datetime | None = None,
) -> StoredJudgement:
    """Append a judge run (earlier ones are kept: a case's history of verdicts)."""
    row = FindingRow(
        case_id=normalize_case_id(case_id),
        judged_at=judged_at or now(),
        verdict=str(judgement.get("verdict", "undetermined")),
        judgement=judgement,
        evidence_sha256s=list(evidence_sha256s),
    )
    session.add(row)
    session.flush()
    return _stored(row)


def latest_judgement(session: Session, case_id: str) -> StoredJudgement | None:
    row = session.scalars(
        select(FindingRow)
        .where(FindingRow.case_id == normalize_case_id(case_id))
        .order_by(FindingRow.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _stored(row)


def _stored(row: FindingRow) -> StoredJudgement:
    return StoredJudgement(
        id=row.id,
        case_id=row.case_id,
        judged_at=row.judged_at,
        verdict=row.verdict,
        judgement=row.judgement,
        evidence_sha256s=[str(s) for s in row.evidence_sha256s],
    )


# -- interview answers ------------------------------------------------------------------------
def set_answer(session: Session, case_id: str, key: str, value: Any) -> None:
    """Record (or replace) the answer to one interview question; ``None`` means "don't know"."""
    case_id = normalize_case_id(case_id)
    stored = JSON.NULL if value is None else value
    row = session.scalars(
        select(InterviewAnswerRow).where(InterviewAnswerRow.case_id == case_id, InterviewAnswerRow.key == key)
    ).first()
    if row is None:
        session.add(InterviewAnswerRow(case_id=case_id, key=key, value=stored, answered_at=now()))
    else:
        row.value = stored
        row.answered_at = now()
    session.flush()


def interview_answers(session: Session, case_id: str) -> dict[str, Any]:
    rows = session.scalars(
        select(InterviewAnswerRow)
        .where(InterviewAnswerRow.case_id == normalize_case_id(case_id))
        .order_by(InterviewAnswerRow.key)
    )
    return {row.key: row.value for row in rows}


# -- API keys and case access tokens ----------------------------------------------------------
API_KEY_PREFIX = "txl_"
API_KEY_DISPLAY = 12  # "txl_" and 8 random characters: enough to tell keys apart in a list


def secret_hash(secret: str) -> str:
    """SHA-256 hex of a key or token: they carry 256 random bits, so no salt or slow hash is needed."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def new_case_token() -> str:
    return secrets.token_urlsafe(32)


def api_key_info(row: ApiKeyRow) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def create_api_key(session: Session, name: str) -> tuple[ApiKeyInfo, str]:
    """A new key: its listing and the secret (shown once; only its hash is stored)."""
    secret = new_api_key()
    row = ApiKeyRow(
        name=name, prefix=secret[:API_KEY_DISPLAY], key_hash=secret_hash(secret), created_at=now()
    )
    session.add(row)
    session.flush()
    return api_key_info(row), secret


def api_keys(session: Session) -> list[ApiKeyInfo]:
    return [api_key_info(r) for r in session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id))]


def api_key_by_secret(session: Session, secret: str) -> ApiKeyInfo | None:
    row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.key_hash == secret_hash(secret))).first()
    return None if row is None else api_key_info(row)


def revoke_api_key(session: Session, key_id: int) -> ApiKeyInfo | None:
    """Mark a key revoked (kept for the record); None if there is no such key."""
    row = session.get(ApiKeyRow, key_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = now()
        session.flush()
    return api_key_info(row)


def touch_api_key(session: Session, key_id: int, at: datetime | None = None) -> None:
    session.execute(update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=at or now()))


def set_case_token(session: Session, case_id: str) -> str:
    """Give a case an access token (returned once; only its hash is stored)."""
    token = new_case_token()
    session.add(
        CaseAccessRow(case_id=normalize_case_id(case_id), token_hash=secret_hash(token), created_at=now())
    )
    session.flush()
    return token


def case_token_matches(session: Session, case_id: str, token: str) -> bool | None:
    """Whether ``token`` opens the case: None when the case has no token (or does not exist)."""
    row = session.get(CaseAccessRow, normalize_case_id(case_id))
    if row is None:
        return None
    return hmac.compare_digest(row.token_hash, secret_hash(token))
