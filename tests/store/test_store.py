"""The case store on SQLite and PostgreSQL: migrations, content addressing, dedup, atomicity."""

from __future__ import annotations

import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL

from txlguard.ingest.models import Box, Communication, Evidence, IngestError
from txlguard.ingest.sources import read_evidence
from txlguard.ingest.testing import sms_backup_xml
from txlguard.store import (
    BlobStatus,
    BlobStore,
    CaseNotFound,
    DetectionRecord,
    Store,
    StoreError,
    open_store,
)
from txlguard.store import repository as repo
from txlguard.store.config import resolve_blob_dir, resolve_database_url
from txlguard.store.migrate import HEAD_REVISION, alembic_config, current_revision, head_revision
from txlguard.store.models import Base
from txlguard.store.store import Store as StoreClass

TABLES = {
    "cases",
    "evidence",
    "case_evidence",
    "communications",
    "detections",
    "findings",
    "interview_answers",
}
CHINA = timezone(timedelta(hours=8))


SMS = sms_backup_xml(
    [
        ("10690000123", datetime(2025, 6, 10, 9, 0, tzinfo=CHINA), 1, "您的借款已逾期3天，请尽快还款。"),
        ("17103258890", datetime(2025, 6, 11, 23, 40, tzinfo=CHINA), 1, "今天不还就给你通讯录所有人发信息"),
        ("17103258890", datetime(2025, 6, 11, 23, 45, tzinfo=CHINA), 2, "我明天还"),
    ]
)


def counts(store: Store) -> dict[str, int]:
    with store.transaction() as session:
        return {
            t: session.scalar(select(func.count()).select_from(Base.metadata.tables[t])) or 0 for t in TABLES
        }


def blob_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def failing_reader(data: bytes, name: str) -> tuple[Evidence, list[Communication]]:
    raise IngestError(f"{name} 不是可以读取的格式")


# -- schema -----------------------------------------------------------------------------------
def test_migrations_from_empty_reach_head_and_match_the_models(store: Store) -> None:
    assert head_revision() == HEAD_REVISION  # the fast path of open_store knows the newest migration
    assert current_revision(store.engine) == HEAD_REVISION
    assert set(inspect(store.engine).get_table_names()) >= TABLES
    with store.engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert drift == []


def test_downgrade_to_empty_and_upgrade_again(db_url: URL, blob_dir: Path) -> None:
    store = open_store(db_url, blob_dir=blob_dir)
    try:
        with store.engine.begin() as connection:
            command.downgrade(alembic_config(connection=connection), "base")
        assert not TABLES & set(inspect(store.engine).get_table_names())
    finally:
        store.close()
    reopened = open_store(db_url, blob_dir=blob_dir)
    try:
        assert current_revision(reopened.engine) == head_revision()
        assert reopened.list_cases() == []
    finally:
        reopened.close()


def test_reopening_keeps_data_and_does_not_migrate_again(db_url: URL, blob_dir: Path) -> None:
    with open_store(db_url, blob_dir=blob_dir) as first:
        case = first.create_case("第一次")
        first.add_evidence(case.id, SMS, "sms.xml")
    with open_store(db_url, blob_dir=blob_dir) as second:
        assert [c.id for c in second.list_cases()] == [case.id]
        assert second.case(case.id).communication_count == 3


# -- cases ------------------------------------------------------------------------------------
def test_case_ids_are_short_random_tokens(store: Store) -> None:
    ids = {store.create_case(f"案件{i}").id for i in range(20)}
    assert len(ids) == 20
    for case_id in ids:
        assert len(case_id) == repo.CASE_ID_LENGTH
        assert set(case_id) <= set(repo.CASE_ID_ALPHABET)
    listed = store.list_cases()
    assert [c.title for c in listed] == [f"案件{i}" for i in range(20)]
    assert all(c.created_at.tzinfo is not None for c in listed)


def test_unknown_case_is_a_chinese_error(store: Store) -> None:
    with pytest.raises(CaseNotFound, match="找不到案件"):
        store.case("nosuchcase00")
    with pytest.raises(CaseNotFound):
        store.add_evidence("nosuchcase00", SMS, "sms.xml")
    assert counts(store)["evidence"] == 0


def test_case_ids_are_case_insensitive(store: Store) -> None:
    case = store.create_case("大小写")
    assert store.case(case.id.upper()).id == case.id


def test_empty_title_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="标题"):
        store.create_case("   ")


# -- evidence ---------------------------------------------------------------------------------
def test_evidence_is_content_addressed_and_read_only(store: Store, blob_dir: Path) -> None:
    case = store.create_case("短信")
    result = store.add_evidence(case.id, SMS, "sms.xml")
    sha = Evidence.digest(SMS)
    assert result.status == "added"
    assert result.message_zh == "已添加"
    assert result.evidence.sha256 == sha
    assert result.evidence.kind == "sms-backup-xml"
    assert result.evidence.size == len(SMS)
    assert result.evidence.communications == 3
    path = blob_dir / sha[:2] / sha[2:4] / sha
    assert path.read_bytes() == SMS
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert store.read_original(sha) == SMS
    assert store.original_status(sha) is BlobStatus.ok
    assert blob_files(blob_dir) == {path}  # no temporary files left behind
    [entry] = store.evidence(case.id)
    assert (entry.sha256, entry.name, entry.communications) == (sha, "sms.xml", 3)


def test_re_adding_the_same_file_is_a_no_op(store: Store, blob_dir: Path) -> None:
    case = store.create_case("重复")
    store.add_evidence(case.id, SMS, "sms.xml")
    before, files = counts(store), blob_files(blob_dir)
    inode = {p: p.stat().st_ino for p in files}
    calls: list[str] = []

    def spy(data: bytes, name: str) -> tuple[Evidence, list[Communication]]:
        calls.append(name)
        return read_evidence(data, name)

    again = store.add_evidence(case.id, SMS, "另一个名字.xml", reader=spy)
    assert again.status == "exists"
    assert again.message_zh == "已存在"
    assert again.evidence.name == "sms.xml"
    assert calls == []  # not even parsed again
    assert counts(store) == before
    assert {p: p.stat().st_ino for p in blob_files(blob_dir)} == inode


def test_a_file_shared_by_two_cases_is_stored_once(store: Store, blob_dir: Path) -> None:
    first, second = store.create_case("甲"), store.create_case("乙")
    store.add_evidence(first.id, SMS, "sms.xml")
    linked = store.add_evidence(second.id, SMS, "备份.xml", reader=failing_reader)  # not read again
    assert linked.status == "linked"
    assert linked.evidence.name == "备份.xml"
    assert linked.evidence.original_name == "sms.xml"
    assert counts(store)["evidence"] == 1
    assert counts(store)["communications"] == 3
    assert len(blob_files(blob_dir)) == 1
    texts = [c.communication.text for c in store.communications(second.id)]
    assert texts == [c.communication.text for c in store.communications(first.id)]
    assert store.case(second.id).evidence_count == 1


def test_reader_error_leaves_no_rows_and_no_blobs(store: Store, blob_dir: Path) -> None:
    case = store.create_case("坏文件")
    store.add_evidence(case.id, "正常的一条短信".encode(), "ok.txt")
    before, files = counts(store), blob_files(blob_dir)
    bad_inputs = {
        "truncated.xml": SMS[: len(SMS) // 2],
        "bomb.xml": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b"<smses>&lol2;</smses>",
        "shot.png": b"PK\x03\x04" + b"\x00" * 100,
        "empty.txt": b"",
    }
    for name, data in bad_inputs.items():
        with pytest.raises(IngestError) as caught:
            store.add_evidence(case.id, data, name)
        assert name in str(caught.value)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))
    with pytest.raises(IngestError):
        store.add_evidence(case.id, b"whatever", "x.txt", reader=failing_reader)
    assert counts(store) == before
    assert blob_files(blob_dir) == files


def test_failure_after_the_blob_is_written_removes_it(
    store: Store, blob_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = store.create_case("提交失败")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(StoreClass, "_result", staticmethod(boom))
    with pytest.raises(RuntimeError):
        store.add_evidence(case.id, SMS, "sms.xml")
    assert counts(store) == {**{t: 0 for t in TABLES}, "cases": 1}
    assert blob_files(blob_dir) == set()


def test_failure_never_removes_a_blob_that_another_case_uses(
    store: Store, blob_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = store.create_case("甲"), store.create_case("乙")
    store.add_evidence(first.id, SMS, "sms.xml")
    files = blob_files(blob_dir)
    sha = Evidence.digest(SMS)
    # The original went missing from disk; the next add restores it, then the add fails.
    os.chmod(blob_dir / sha[:2] / sha[2:4], 0o755)
    (blob_dir / sha[:2] / sha[2:4] / sha).unlink()

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crash before commit")

    monkeypatch.setattr(StoreClass, "_result", staticmethod(boom))
    with pytest.raises(RuntimeError):
        store.add_evidence(second.id, SMS, "sms.xml")
    assert blob_files(blob_dir) == files  # restored and kept: case 甲 references it
    assert store.read_original(sha) == SMS
    assert store.case(second.id).evidence_count == 0
    assert store.case(first.id).evidence_count == 1


def test_a_missing_original_is_restored_by_adding_the_file_again(store: Store, blob_dir: Path) -> None:
    first, second = store.create_case("甲"), store.create_case("乙")
    store.add_evidence(first.id, SMS, "sms.xml")
    sha = Evidence.digest(SMS)
    (blob_dir / sha[:2] / sha[2:4] / sha).unlink()
    assert store.original_status(sha) is BlobStatus.missing
    store.add_evidence(second.id, SMS, "sms.xml")
    assert store.original_status(sha) is BlobStatus.ok


def test_a_changed_original_is_detected(store: Store, blob_dir: Path) -> None:
    case = store.create_case("篡改")
    sha = store.add_evidence(case.id, SMS, "sms.xml").evidence.sha256
    path = blob_dir / sha[:2] / sha[2:4] / sha
    path.chmod(0o644)
    path.write_bytes(SMS.replace("逾期".encode(), "正常".encode()))
    assert store.original_status(sha) is BlobStatus.corrupt
    with pytest.raises(StoreError, match="改动"):
        store.read_original(sha)


def test_reader_output_must_match_the_bytes(store: Store) -> None:
    case = store.create_case("读取器")

    def lying(data: bytes, name: str) -> tuple[Evidence, list[Communication]]:
        return Evidence.of(b"other", media_type="text/plain", source_name=name, kind="text"), []

    with pytest.raises(StoreError):
        store.add_evidence(case.id, b"abc", "a.txt", reader=lying)
    assert counts(store)["evidence"] == 0


# -- communications, detections, findings, answers --------------------------------------------
def test_communications_round_trip(store: Store) -> None:
    data = b"round trip"
    sha = Evidence.digest(data)
    shanghai = datetime(2025, 6, 11, 23, 40, 5, tzinfo=CHINA)
    items = [
        Communication(
            evidence_sha256=sha,
            index=0,
            channel="sms",
            direction="incoming",
            counterparty="+86 171-0325-8890",
            timestamp=shanghai,
            text="今天不还就给你通讯录所有人发信息",
            recipient="borrower",
        ),
        Communication(
            evidence_sha256=sha,
            index=1,
            channel="call",
            direction="incoming",
            counterparty="17103258890",
            timestamp=datetime(2025, 6, 12, 7, 1),  # read without a zone
            duration_seconds=0,
        ),
        Communication(
            evidence_sha256=sha,
            index=2,
            channel="wechat",
            text="截图里的一行",
            boxes=[Box(points=[(1.0, 2.0), (30.5, 2.0), (30.5, 12.0), (1.0, 12.0)], confidence=0.93)],
        ),
    ]

    def reader(raw: bytes, name: str) -> tuple[Evidence, list[Communication]]:
        return Evidence.of(raw, media_type="text/plain", source_name=name, kind="test"), items

    case = store.create_case("往返")
    store.add_evidence(case.id, data, "x.bin", reader=reader)
    back = [c.communication for c in store.communications(case.id)]
    assert [c.model_dump() for c in back] == [c.model_dump() for c in items]
    assert back[0].timestamp is not None and back[0].timestamp.utcoffset() == timedelta(hours=8)
    assert back[1].timestamp is not None and back[1].timestamp.tzinfo is None


def test_judgements_are_kept_as_history(store: Store) -> None:
    case = store.create_case("研判")
    sha = store.add_evidence(case.id, SMS, "sms.xml").evidence.sha256
    first_at = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)
    with store.transaction() as session:
        repo.record_judgement(session, case.id, {"verdict": "undetermined", "facts": {}}, [sha], first_at)
    with store.transaction() as session:
        repo.record_judgement(session, case.id, {"verdict": "unlawful", "facts": {"threats": True}}, [sha])
    latest = store.latest_judgement(case.id)
    assert latest is not None
    assert latest.verdict == "unlawful"
    assert latest.judgement["facts"] == {"threats": True}
    assert latest.evidence_sha256s == [sha]
    assert store.case(case.id).last_verdict == "unlawful"
    assert counts(store)["findings"] == 2


def test_detections_are_replaced_on_each_run(store: Store) -> None:
    case = store.create_case("检出")
    store.add_evidence(case.id, SMS, "sms.xml")
    [_, threat, _] = store.communications(case.id)
    record = DetectionRecord(
        communication_id=threat.id,
        label="threat_to_contacts",
        start=0,
        end=5,
        quote="今天不还就",
        confidence=0.9,
        provisions=["civil-code-1032"],
    )
    log = DetectionRecord(source="log", label="off_hours_contact", counterparty="17103258890", quote="")
    with store.transaction() as session:
        assert repo.replace_detections(session, case.id, [record, log]) == 2
    with store.transaction() as session:
        repo.replace_detections(session, case.id, [record])
        assert repo.case_detections(session, case.id) == [record]


def test_interview_answers_upsert(store: Store) -> None:
    case = store.create_case("问答")
    store.set_answer(case.id, "contacts_harvested", True)
    store.set_answer(case.id, "annual_rate", 35.9)
    store.set_answer(case.id, "contacts_harvested", None)
    assert store.answers(case.id) == {"annual_rate": 35.9, "contacts_harvested": None}
    assert counts(store)["interview_answers"] == 2


# -- blob store and configuration -------------------------------------------------------------
def test_blob_store_put_is_idempotent(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "b")
    sha, created = blobs.put(b"abc")
    assert created
    assert blobs.put(b"abc") == (sha, False)
    assert blobs.read(sha) == b"abc"
    assert [p.name for p in blob_files(tmp_path / "b")] == [sha]
    with pytest.raises(ValueError):
        blobs.path("../../etc/passwd")


def test_default_location_is_the_user_data_directory(tmp_path: Path) -> None:
    url = resolve_database_url()
    assert url.drivername == "sqlite"
    assert url.database == str(tmp_path / "xdg-data" / "txlguard" / "txlguard.db")
    assert resolve_blob_dir(url) == tmp_path / "xdg-data" / "txlguard" / "blobs"
    with open_store() as store:
        store.create_case("默认位置")
    assert (tmp_path / "xdg-data" / "txlguard" / "txlguard.db").is_file()


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TXLGUARD_DATABASE_URL", "postgresql://u@db.example/txl")
    assert resolve_database_url().drivername == "postgresql+psycopg"
    monkeypatch.setenv("TXLGUARD_DATABASE_URL", f"sqlite:///{tmp_path}/elsewhere/cases.db")
    assert resolve_blob_dir(resolve_database_url()) == tmp_path / "elsewhere" / "blobs"
    monkeypatch.setenv("TXLGUARD_BLOB_DIR", str(tmp_path / "originals"))
    assert resolve_blob_dir(resolve_database_url()) == tmp_path / "originals"


def test_concurrent_adds_of_one_file_store_it_once(store: Store, blob_dir: Path) -> None:
    cases = [store.create_case(f"并发{i}").id for i in range(4)]
    targets = [cases[i % 4] for i in range(8)]  # each case twice
    barrier = threading.Barrier(len(targets))

    def add(case_id: str) -> str:
        barrier.wait()
        return store.add_evidence(case_id, SMS, "sms.xml").status

    with ThreadPoolExecutor(len(targets)) as pool:
        statuses = list(pool.map(add, targets))
    assert statuses.count("added") == 1
    assert statuses.count("exists") == 4
    assert statuses.count("linked") == 3
    assert counts(store)["evidence"] == 1
    assert counts(store)["communications"] == 3
    assert counts(store)["case_evidence"] == 4
    assert len(blob_files(blob_dir)) == 1
