"""The case store's tables as typed SQLAlchemy 2 models.

The schema itself is created and changed only by the Alembic migrations in
``txlguard/store/migrations``; ``tests/store`` checks that these models and the migrated
database never drift apart.

Evidence is global and content-addressed (one row per SHA-256, whichever case brought it);
``case_evidence`` links it to cases. Communications belong to the evidence they were read from,
so a file shared by two cases is parsed and stored once. Detections and findings belong to a case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from txlguard.store.types import UTCDateTime, json_type

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# An autoincrementing 64-bit key on PostgreSQL; SQLite only autoincrements INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class CaseRow(Base):
    """One borrower's matter. ``id`` is a short random token, not a counter."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    links: Mapped[list[CaseEvidenceRow]] = relationship(back_populates="case")


class EvidenceRow(Base):
    """One original file, identified by the SHA-256 of its bytes (the blob's name)."""

    __tablename__ = "evidence"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(255))
    source_name: Mapped[str] = mapped_column(Text, doc="the name it had when first received")
    size: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(64), doc="the reader that understood it")
    received_at: Mapped[datetime]

    communications: Mapped[list[CommunicationRow]] = relationship(
        back_populates="evidence", order_by="CommunicationRow.item_index"
    )


class CaseEvidenceRow(Base):
    """Evidence in a case, under the name the user gave it in that case."""

    __tablename__ = "case_evidence"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    evidence_sha256: Mapped[str] = mapped_column(ForeignKey("evidence.sha256"), primary_key=True, index=True)
    source_name: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime]

    case: Mapped[CaseRow] = relationship(back_populates="links")
    evidence: Mapped[EvidenceRow] = relationship()


class CommunicationRow(Base):
    """One message or call read out of a piece of evidence (``txlguard.ingest.Communication``)."""

    __tablename__ = "communications"
    __table_args__ = (UniqueConstraint("evidence_sha256", "item_index"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    evidence_sha256: Mapped[str] = mapped_column(ForeignKey("evidence.sha256"))
    item_index: Mapped[int] = mapped_column(Integer, doc="position within its evidence")
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16))
    counterparty: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime | None] = mapped_column(
        doc="the instant in UTC; for a time read without a zone, that wall-clock time labelled UTC"
    )
    utc_offset_minutes: Mapped[int | None] = mapped_column(
        Integer, doc="the zone offset the time was read with; NULL when it had none"
    )
    text: Mapped[str] = mapped_column(Text)
    recipient: Mapped[str | None] = mapped_column(String(16))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    boxes: Mapped[list[Any]] = mapped_column(json_type(), doc="OCR line boxes")

    evidence: Mapped[EvidenceRow] = relationship(back_populates="communications")


class DetectionRow(Base):
    """A label found by ``case judge``: on one message, or (log rules) on a series with one person."""

    __tablename__ = "detections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    communication_id: Mapped[int | None] = mapped_column(ForeignKey("communications.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), doc="'message' or 'log'")
    label: Mapped[str] = mapped_column(String(64))
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    provisions: Mapped[list[Any]] = mapped_column(json_type())
    recognizer: Mapped[str] = mapped_column(String(128))
    voice: Mapped[str] = mapped_column(String(32))
    counterparty: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(json_type())
    detected_at: Mapped[datetime]


class FindingRow(Base):
    """One run of ``case judge``: the judgement (the ``assess`` JSON shape) and what it was based on."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_case_judged", "case_id", "judged_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    judged_at: Mapped[datetime]
    verdict: Mapped[str] = mapped_column(String(32))
    judgement: Mapped[dict[str, Any]] = mapped_column(json_type())
    evidence_sha256s: Mapped[list[Any]] = mapped_column(
        json_type(), doc="the evidence the judgement was made on"
    )


class InterviewAnswerRow(Base):
    """The borrower's answer to one interview question (a TAXONOMY §3 fact or a case detail)."""

    __tablename__ = "interview_answers"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(json_type())
    answered_at: Mapped[datetime]


class ApiKeyRow(Base):
    """An API key for the compliance endpoints; only the SHA-256 of the secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(String(16), doc="the key's first characters, to recognise it by")
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, doc="SHA-256 hex of the whole key")
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class CaseAccessRow(Base):
    """The access token of a case created over HTTP (SHA-256 of it); CLI cases have none."""

    __tablename__ = "case_access"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
