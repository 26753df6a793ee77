"""Complaint documents: only established facts, only cited provisions in force, evidence by hash."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from txlguard.ingest.testing import sms_backup_xml
from txlguard.pipeline import judge_case
from txlguard.report.build import build_case_report, gather
from txlguard.report.letters import _CONDUCT_ZH, build_letters, render_letter_markdown
from txlguard.report.model import CaseReport, Letter
from txlguard.store import open_store

from .conftest import CHINA, COLLECTOR, JudgedCase


@pytest.fixture(scope="module")
def report(judged_case: JudgedCase) -> CaseReport:
    return build_case_report(judged_case.material())


@pytest.fixture(scope="module")
def letters(report: CaseReport) -> list[Letter]:
    return build_letters(report, today=date(2026, 11, 29))


def text_of(letter: Letter) -> str:
    return render_letter_markdown(letter)


def test_a_blasted_case_gets_all_five_documents_in_filing_order(letters: list[Letter]) -> None:
    assert [x.kind for x in letters] == [
        "regulator-complaint",
        "cac-report",
        "police-report",
        "demand-letter",
        "civil-complaint",
    ]
    assert len({x.file_stem for x in letters}) == 5


def test_every_document_lists_all_evidence_by_hash(letters: list[Letter], report: CaseReport) -> None:
    hashes = {f.sha256 for f in report.evidence_files}
    for letter in letters:
        assert {a.sha256 for a in letter.attachments} == hashes
        body = text_of(letter)
        for sha in hashes:
            assert sha in body


def test_documents_cite_only_binding_provisions_the_findings_cite(
    letters: list[Letter], report: CaseReport
) -> None:
    quoted = {p.id: p for p in report.provisions}
    for letter in letters:
        assert letter.provisions, letter.kind
        for pid in letter.provisions:
            assert pid in quoted, f"{letter.kind} cites {pid}, which no finding of the case cites"
            assert quoted[pid].reliability == "primary"
            assert quoted[pid].instrument_kind not in ("national-standard", "self-regulatory")
        body = text_of(letter)
        for pid in letter.provisions:
            assert quoted[pid].article.split(" ")[0] in body


def test_documents_state_only_established_facts(letters: list[Letter], report: CaseReport) -> None:
    values = {f.code: f.value for f in report.facts}
    assert values["harm_suffered"] is None
    for letter in letters:
        body = text_of(letter)
        for code, sentence in _CONDUCT_ZH.items():
            if values.get(code) is not True:
                assert sentence not in body, (
                    f"{letter.kind} asserts {code}, which the case does not establish"
                )
    civil = next(x for x in letters if x.kind == "civil-complaint")
    # No mental-damages claim: serious harm is not established.
    assert "精神损害抚慰金" not in "".join(p for s in civil.sections for p in s.paragraphs)


def test_possible_crimes_are_asked_about_never_asserted(letters: list[Letter], report: CaseReport) -> None:
    police = next(x for x in letters if x.kind == "police-report")
    body = text_of(police)
    possible = [f for f in report.findings if f.regime == "criminal" and f.status == "possible"]
    assert possible
    assert "是否构成，由公安机关依法认定" in body
    assert "构成犯罪" not in body.replace("是否构成", "")


def test_blanks_are_marked_and_listed(letters: list[Letter]) -> None:
    for letter in letters:
        body = text_of(letter)
        assert "【请填写：姓名】" in body or "【请填写：签名】" in body
        assert "姓名" in letter.blanks_zh
        assert "提交前请注意" in body  # guidance, marked as not part of the document


def test_a_case_with_only_lawful_reminders_gets_no_documents(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'c.sqlite'}", blob_dir=tmp_path / "blobs")
    try:
        case = store.create_case("正常提醒")
        reminders = [
            (
                COLLECTOR,
                datetime(2025, 6, d, 10, 0, tzinfo=CHINA),
                1,
                "【某银行】您的信用卡账单已逾期，请尽快还款。",
            )
            for d in (10, 12)
        ]
        store.add_evidence(case.id, sms_backup_xml(reminders), "sms.xml")
        with store.transaction() as session:
            judgement = judge_case(session, case.id)
        assert judgement.verdict in ("lawful", "undetermined")
        report = build_case_report(gather(store, case.id))
        assert build_letters(report) == []
        assert not report.by_regime()
        assert report.open_questions
    finally:
        store.close()
