"""The case store: a database (SQLite or PostgreSQL) plus a content-addressed blob directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from txlguard.ingest.models import Communication, Evidence
from txlguard.store import migrate
from txlguard.store import repository as repo
from txlguard.store.blobs import BlobStatus, BlobStore, sha256_hex
from txlguard.store.config import resolve_blob_dir, resolve_database_url, sqlite_file
from txlguard.store.errors import BlobError, StoreError
from txlguard.store.models import CaseEvidenceRow, EvidenceRow
from txlguard.store.records import (
    AddResult,
    AddStatus,
    ApiKeyInfo,
    CaseSummary,
    EvidenceEntry,
    StoredCommunication,
    StoredJudgement,
)

Reader = Callable[[bytes, str], tuple[Evidence, list[Communication]]]
"""``txlguard.ingest.sources.read_evidence``: bytes and a file name in, or ``IngestError``."""


def default_reader() -> Reader:
    from txlguard.ingest.sources import read_evidence

    return read_evidence


_WRITE_ATTEMPTS = 5

WRITE_OPTION = "txlguard_write"
"""Execution option marking a connection whose transactions will write (``BEGIN IMMEDIATE`` on SQLite)."""


def make_engine(url: URL) -> Engine:
    """An engine with foreign keys on and real transactions (DDL included) on SQLite."""
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    db_file = sqlite_file(url)
    if db_file is None:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy, not pysqlite, begin transactions
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front: two deferred transactions that both read and then
        # write would deadlock (SQLITE_BUSY without waiting); readers stay deferred and never block.
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Store:
    """Cases, their evidence (originals kept by SHA-256), communications, detections and findings."""

    def __init__(self, engine: Engine, blobs: BlobStore) -> None:
        self.engine = engine
        self.blobs = blobs
        self._writer = sessionmaker(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
        self._reader = sessionmaker(engine, expire_on_commit=False)

    # -- plumbing -----------------------------------------------------------------------------
    @property
    def url(self) -> URL:
        return self.engine.url

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in a write transaction: committed when the block ends, rolled back if it raises.

        On SQLite it holds the database's write lock from the start (other writers wait, readers
        do not); keep it short.
        """
        with self._writer.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session in a read-only transaction (rolled back at the end)."""
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- cases --------------------------------------------------------------------------------
    def create_case(self, title: str) -> CaseSummary:
        title = title.strip()
        if not title:
            raise StoreError("案件标题不能为空")
        with self.transaction() as session:
            row = repo.create_case(session, title)
            return CaseSummary(id=row.id, title=row.title, created_at=row.created_at)

    def list_cases(self) -> list[CaseSummary]:
        with self.reading() as session:
            return repo.case_summaries(session)

    def case(self, case_id: str) -> CaseSummary:
        """The case's summary; raises :class:`CaseNotFound`."""
        with self.reading() as session:
            row = repo.require_case(session, case_id)
            return repo.case_summaries(session, [row.id])[0]

    # -- evidence -----------------------------------------------------------------------------
    def evidence(self, case_id: str) -> list[EvidenceEntry]:
        with self.reading() as session:
            repo.require_case(session, case_id)
            return repo.evidence_entries(session, case_id)

    def add_evidence(
        self, case_id: str, data: bytes, name: str, *, reader: Reader | None = None
    ) -> AddResult:
        """Add one file to a case, all or nothing.

        * already in this case: nothing happens (``status='exists'``);
        * already in the store through another case: linked without re-reading (``'linked'``);
        * new: read by ``reader`` (default ``read_evidence``), then evidence, communications, link and
          blob are stored together (``'added'``).

        If the reader raises (``IngestError``) or anything else fails, no row is written and no blob is
        left behind; a blob that existed before the call is never touched.
        """
        sha256 = sha256_hex(data)
        with self.reading() as session:
            case_id = repo.require_case(session, case_id).id
            existing = None
            if session.get(CaseEvidenceRow, (case_id, sha256)) is not None:
                existing = self._result(session, case_id, sha256, "exists")
            known = session.get(EvidenceRow, sha256) is not None
        if existing is None:
            parsed = None if known else self._read(data, name, sha256, reader or default_reader())
            result = self._write_retrying(case_id, data, name, sha256, parsed)
        else:
            result = existing
        if not self.blobs.exists(sha256):
            # The row is committed, so its original must be on disk: restore one that went missing
            # (or that a concurrent writer's failed add took back a moment ago). Same bytes, same name.
            self.blobs.put(data)
        return result

    def _read(
        self, data: bytes, name: str, sha256: str, reader: Reader
    ) -> tuple[Evidence, list[Communication]]:
        evidence, communications = reader(data, name)
        if evidence.sha256 != sha256 or evidence.size != len(data):
            raise StoreError(f"读取 {name} 时出错：读取器给出的哈希或大小与文件不符")
        if any(c.evidence_sha256 != sha256 for c in communications):
            raise StoreError(f"读取 {name} 时出错：记录没有指向这个文件")
        if len({c.index for c in communications}) != len(communications):
            raise StoreError(f"读取 {name} 时出错：记录序号重复")
        return evidence, communications

    def _write_retrying(
        self,
        case_id: str,
        data: bytes,
        name: str,
        sha256: str,
        parsed: tuple[Evidence, list[Communication]] | None,
    ) -> AddResult:
        for _ in range(_WRITE_ATTEMPTS - 1):
            try:
                return self._write(case_id, data, name, sha256, parsed)
            except IntegrityError:
                # Another writer stored the same file or link at the same moment and committed;
                # the next attempt sees its rows and links to them (or finds the file exists).
                continue
        return self._write(case_id, data, name, sha256, parsed)

    def _write(
        self,
        case_id: str,
        data: bytes,
        name: str,
        sha256: str,
        parsed: tuple[Evidence, list[Communication]] | None,
    ) -> AddResult:
        created = False
        try:
            with self.transaction() as session:
                if session.get(CaseEvidenceRow, (case_id, sha256)) is not None:
                    return self._result(session, case_id, sha256, "exists")
                status: AddStatus = "linked"
                if session.get(EvidenceRow, sha256) is None:
                    if parsed is None:  # known a moment ago, gone now: only if someone deleted it
                        raise StoreError(f"{name} 的证据记录在添加过程中消失了，请重试")
                    repo.insert_evidence(session, *parsed)
                    status = "added"
                repo.link_evidence(session, case_id, sha256, name)
                session.flush()
                # The blob goes in last, before commit: a committed row always has its original.
                # (Also restores an original that went missing from the blob directory.)
                _, created = self.blobs.put(data)
                return self._result(session, case_id, sha256, status)
        except BaseException:
            if created:
                self._discard_if_unreferenced(sha256)
            raise

    def _discard_if_unreferenced(self, sha256: str) -> None:
        with self.reading() as session:
            referenced = session.scalar(select(EvidenceRow.sha256).where(EvidenceRow.sha256 == sha256))
        if referenced is None:
            self.blobs.discard_new(sha256)

    @staticmethod
    def _result(session: Session, case_id: str, sha256: str, status: AddStatus) -> AddResult:
        session.flush()
        entry = repo.evidence_entry(session, case_id, sha256)
        assert entry is not None
        return AddResult(status=status, evidence=entry)

    def read_original(self, sha256: str) -> bytes:
        """The original bytes, checked against their hash; raises :class:`BlobError`."""
        try:
            data = self.blobs.read(sha256)
        except FileNotFoundError:
            raise BlobError(f"原件 {sha256} 不在证据目录 {self.blobs.root} 中") from None
        if sha256_hex(data) != sha256:
            raise BlobError(f"原件 {sha256} 已被改动，与哈希不符")
        return data

    def original_status(self, sha256: str) -> BlobStatus:
        return self.blobs.status(sha256)

    # -- communications, findings, answers ----------------------------------------------------
    def communications(self, case_id: str) -> list[StoredCommunication]:
        with self.reading() as session:
            repo.require_case(session, case_id)
            return repo.case_communications(session, case_id)

    def latest_judgement(self, case_id: str) -> StoredJudgement | None:
        with self.reading() as session:
            repo.require_case(session, case_id)
            return repo.latest_judgement(session, case_id)

    def set_answer(self, case_id: str, key: str, value: Any) -> None:
        with self.transaction() as session:
            repo.require_case(session, case_id)
            repo.set_answer(session, case_id, key, value)

    def answers(self, case_id: str) -> dict[str, Any]:
        with self.reading() as session:
            repo.require_case(session, case_id)
            return repo.interview_answers(session, case_id)

    # -- HTTP access: cases private to their creator, API keys --------------------------------
    def create_private_case(self, title: str) -> tuple[CaseSummary, str]:
        """A case reachable over HTTP only with the returned token (stored as a hash)."""
        title = title.strip()
        if not title:
            raise StoreError("案件标题不能为空")
        with self.transaction() as session:
            row = repo.create_case(session, title)
            token = repo.set_case_token(session, row.id)
            return CaseSummary(id=row.id, title=row.title, created_at=row.created_at), token

    def case_token_matches(self, case_id: str, token: str) -> bool | None:
        """True/False for a case created with a token; None for an unknown case or one without token."""
        with self.reading() as session:
            return repo.case_token_matches(session, case_id, token)

    def create_api_key(self, name: str) -> tuple[ApiKeyInfo, str]:
        """A new API key: its listing and the secret, which is not stored and cannot be shown again."""
        name = name.strip()
        if not name:
            raise StoreError("密钥名称不能为空")
        with self.transaction() as session:
            return repo.create_api_key(session, name)

    def api_keys(self) -> list[ApiKeyInfo]:
        with self.reading() as session:
            return repo.api_keys(session)

    def api_key(self, secret: str) -> ApiKeyInfo | None:
        """The key with this secret (revoked or not), or None."""
        with self.reading() as session:
            return repo.api_key_by_secret(session, secret)

    def revoke_api_key(self, key_id: int) -> ApiKeyInfo:
        with self.transaction() as session:
            info = repo.revoke_api_key(session, key_id)
        if info is None:
            raise StoreError(f"没有编号为 {key_id} 的 API 密钥；用 txlguard keys list 查看")
        return info

    def touch_api_key(self, key_id: int) -> None:
        with self.transaction() as session:
            repo.touch_api_key(session, key_id)


def open_store(
    url: str | URL | None = None,
    *,
    blob_dir: str | os.PathLike[str] | None = None,
    migrate_to_head: bool = True,
) -> Store:
    """Open the case store and upgrade its schema to the newest migration.

    ``url``: a SQLAlchemy URL; default ``$TXLGUARD_DATABASE_URL``, else a SQLite file in the user data
    directory. ``blob_dir``: where originals go; default ``$TXLGUARD_BLOB_DIR``, else ``blobs/`` beside
    the SQLite file (or in the user data directory for other databases).
    """
    resolved = resolve_database_url(url)
    engine = make_engine(resolved)
    try:
        if migrate_to_head:
            migrate.upgrade(engine)
    except Exception:
        engine.dispose()
        raise
    return Store(engine, BlobStore(Path(resolve_blob_dir(resolved, blob_dir))))
