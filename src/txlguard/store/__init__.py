"""The case store: cases, evidence (originals kept by SHA-256), communications, detections, findings.

SQLite in the user data directory by default, PostgreSQL (or another SQLite file) by
``TXLGUARD_DATABASE_URL``; the schema is managed by Alembic and upgraded on :func:`open_store`.
"""

from txlguard.store.blobs import BlobStatus, BlobStore
from txlguard.store.config import ENV_BLOB_DIR, ENV_DATABASE_URL
from txlguard.store.errors import BlobError, CaseNotFound, StoreError
from txlguard.store.records import (
    AddResult,
    ApiKeyInfo,
    CaseSummary,
    DetectionRecord,
    EvidenceEntry,
    StoredCommunication,
    StoredJudgement,
)
from txlguard.store.store import Reader, Store, open_store

__all__ = [
    "ENV_BLOB_DIR",
    "ENV_DATABASE_URL",
    "AddResult",
    "ApiKeyInfo",
    "BlobError",
    "BlobStatus",
    "BlobStore",
    "CaseNotFound",
    "CaseSummary",
    "DetectionRecord",
    "EvidenceEntry",
    "Reader",
    "Store",
    "StoreError",
    "StoredCommunication",
    "StoredJudgement",
    "open_store",
]
