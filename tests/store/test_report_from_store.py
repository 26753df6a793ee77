"""A case report built from the store on both databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from txlguard.pipeline import judge_case
from txlguard.report.build import build_case_report, gather
from txlguard.report.letters import build_letters
from txlguard.report.render import render_markdown
from txlguard.store import Store

from .test_pipeline import SMS


def test_report_and_letters_from_a_stored_case(store: Store) -> None:
    case = store.create_case("某某贷")
    sha = store.add_evidence(case.id, SMS, "sms.xml").evidence.sha256
    with store.transaction() as session:
        judgement = judge_case(session, case.id)
    material = gather(store, case.id)
    assert material.judged_at is not None
    report = build_case_report(material)
    assert report.verdict == judgement.verdict
    assert [f.sha256 for f in report.evidence_files] == [sha]
    assert all(e.sha256 == sha for e in report.evidence)
    assert report.timeline.total == 3  # the borrower's own reply is not contact from the other side
    assert sha in render_markdown(report)
    for letter in build_letters(report):
        assert [a.sha256 for a in letter.attachments] == [sha]
