"""Initial schema: cases, evidence, case_evidence, communications, detections, findings, answers.

Revision ID: 0001
Revises:
Create Date: 2025-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_table(
        "evidence",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(255), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("received_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence")),
    )
    op.create_table(
        "case_evidence",
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("evidence_sha256", sa.String(64), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("added_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_evidence_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["evidence_sha256"],
            ["evidence.sha256"],
            name=op.f("fk_case_evidence_evidence_sha256_evidence"),
        ),
        sa.PrimaryKeyConstraint("case_id", "evidence_sha256", name=op.f("pk_case_evidence")),
    )
    op.create_index(
        op.f("ix_case_evidence_evidence_sha256"), "case_evidence", ["evidence_sha256"], unique=False
    )
    op.create_table(
        "communications",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("evidence_sha256", sa.String(64), nullable=False),
        sa.Column("item_index", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("counterparty", sa.Text(), nullable=True),
        sa.Column("occurred_at", AT, nullable=True),
        sa.Column("utc_offset_minutes", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recipient", sa.String(16), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("boxes", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_sha256"],
            ["evidence.sha256"],
            name=op.f("fk_communications_evidence_sha256_evidence"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communications")),
        sa.UniqueConstraint("evidence_sha256", "item_index", name=op.f("uq_communications_evidence_sha256")),
    )
    op.create_table(
        "detections",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("communication_id", BIG_ID, nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("provisions", JSON, nullable=False),
        sa.Column("recognizer", sa.String(128), nullable=False),
        sa.Column("voice", sa.String(32), nullable=False),
        sa.Column("counterparty", sa.Text(), nullable=True),
        sa.Column("details", JSON, nullable=False),
        sa.Column("detected_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_detections_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["communication_id"],
            ["communications.id"],
            name=op.f("fk_detections_communication_id_communications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detections")),
    )
    op.create_index(op.f("ix_detections_case_id"), "detections", ["case_id"], unique=False)
    op.create_index(op.f("ix_detections_communication_id"), "detections", ["communication_id"], unique=False)
    op.create_table(
        "findings",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("judged_at", AT, nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("judgement", JSON, nullable=False),
        sa.Column("evidence_sha256s", JSON, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_findings_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    op.create_index("ix_findings_case_judged", "findings", ["case_id", "judged_at"], unique=False)
    op.create_table(
        "interview_answers",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("answered_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_interview_answers_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_answers")),
        sa.UniqueConstraint("case_id", "key", name=op.f("uq_interview_answers_case_id")),
    )


def downgrade() -> None:
    op.drop_table("interview_answers")
    op.drop_index("ix_findings_case_judged", table_name="findings")
    op.drop_table("findings")
    op.drop_index(op.f("ix_detections_communication_id"), table_name="detections")
    op.drop_index(op.f("ix_detections_case_id"), table_name="detections")
    op.drop_table("detections")
    op.drop_table("communications")
    op.drop_index(op.f("ix_case_evidence_evidence_sha256"), table_name="case_evidence")
    op.drop_table("case_evidence")
    op.drop_table("evidence")
    op.drop_table("cases")
