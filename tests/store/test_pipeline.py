"""`judge_case`: detection → log rules → facts → reasoning over a stored case, on both databases."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from txlguard.ingest.testing import sms_backup_xml
from txlguard.pipeline import facts_from_answers, judge_case
from txlguard.store import Store
from txlguard.store import repository as repo
from txlguard.store.models import DetectionRow, FindingRow

CHINA = timezone(timedelta(hours=8))
COLLECTOR = "17103258890"


SMS = sms_backup_xml(
    [
        (COLLECTOR, datetime(2025, 6, 10, 10, 0, tzinfo=CHINA), 1, "您的借款已逾期，请今天18点前还款。"),
        (COLLECTOR, datetime(2025, 6, 11, 23, 40, tzinfo=CHINA), 1, "今天不还就给你通讯录所有人发信息"),
        (
            COLLECTOR,
            datetime(2025, 6, 12, 9, 0, tzinfo=CHINA),
            1,
            "我是XX市公安局经侦大队的，你已涉嫌诈骗罪，48小时内将被拘留",
        ),
        # The borrower's own reply quotes the threat; it is not collection conduct.
        (COLLECTOR, datetime(2025, 6, 12, 9, 5, tzinfo=CHINA), 2, "你们说要打死我全家，我会报警"),
    ]
)


def judge(store: Store, case_id: str) -> dict[str, object]:
    with store.transaction() as session:
        return judge_case(session, case_id).public()


def test_judging_a_case_stores_detections_and_the_judgement(store: Store) -> None:
    case = store.create_case("某某贷")
    sha = store.add_evidence(case.id, SMS, "sms.xml").evidence.sha256
    result = judge(store, case.id)

    facts = result["facts"]
    assert isinstance(facts, dict)
    assert facts["threats"] is True
    assert facts["impersonation"] is True
    assert facts["harassment_pattern"] is True  # the 23:40 message is outside the allowed hours
    assert result["verdict"] in ("unlawful", "likely_unlawful")
    assert result["details"] == {"start": "2025-06-10", "end": "2025-06-12"}
    findings = result["findings"]
    assert isinstance(findings, list) and findings
    for finding in findings:
        assert {"id", "regime", "provisions", "summary", "evidence"} <= set(finding)

    latest = store.latest_judgement(case.id)
    assert latest is not None
    assert latest.judgement == result
    assert latest.evidence_sha256s == [sha]
    assert store.case(case.id).last_verdict == result["verdict"]

    with store.transaction() as session:
        stored = repo.case_communications(session, case.id)
        rows = list(session.scalars(select(DetectionRow).where(DetectionRow.case_id == case.id)))
    by_comm = {c.id: c.communication for c in stored}
    message_labels = {
        (by_comm[r.communication_id].index, r.label)
        for r in rows
        if r.source == "message" and r.voice == "direct" and r.communication_id
    }
    assert (1, "threat_to_contacts") in message_labels
    assert (2, "impersonation") in message_labels
    assert not any(index == 3 for index, _ in message_labels)  # the borrower's own message is not scanned
    [log] = [r for r in rows if r.source == "log"]
    assert log.label == "off_hours_contact"
    assert log.communication_id is not None and by_comm[log.communication_id].index == 1


def test_judging_again_replaces_detections_and_keeps_history(store: Store) -> None:
    case = store.create_case("重判")
    store.add_evidence(case.id, SMS, "sms.xml")
    judge(store, case.id)
    with store.transaction() as session:
        first = len(repo.case_detections(session, case.id))
    judge(store, case.id)
    with store.transaction() as session:
        assert len(repo.case_detections(session, case.id)) == first
        assert len(list(session.scalars(select(FindingRow).where(FindingRow.case_id == case.id)))) == 2


def test_interview_answers_become_facts_and_details(store: Store) -> None:
    case = store.create_case("问答")
    store.add_evidence(case.id, SMS, "sms.xml")
    store.set_answer(case.id, "contacts_harvested", True)
    store.set_answer(case.id, "no_separate_consent", True)
    store.set_answer(case.id, "lender_licensed", False)
    store.set_answer(case.id, "start", "2025-06-01")  # the borrower's own date wins over the evidence's
    result = judge(store, case.id)
    facts = result["facts"]
    assert isinstance(facts, dict)
    assert facts["contacts_harvested"] is True and facts["no_separate_consent"] is True
    assert result["details"] == {"lender_licensed": False, "start": "2025-06-01", "end": "2025-06-12"}


def test_bad_answers_are_ignored_with_a_note() -> None:
    facts = facts_from_answers({"threats": "有", "annual_rate": "很高", "loan_date": "2025-03-02", "x": 1})
    assert facts.value("threats") is None
    assert facts.details.loan_date == date(2025, 3, 2)
    assert facts.details.annual_rate is None
    assert len(facts.notes) == 3


def test_an_empty_case_is_undetermined(store: Store) -> None:
    case = store.create_case("空")
    result = judge(store, case.id)
    assert result["verdict"] == "undetermined"
    latest = store.latest_judgement(case.id)
    assert latest is not None and latest.evidence_sha256s == []


NARRATIVE = (
    "我在某某贷借了3000元，到手只有2100元。\n\n"
    "逾期以后，催收给我通讯录里的同事和亲戚打电话，说我欠钱不还是老赖。\n\n"
    "他们还在短信里威胁我说，再不还就把我做成通缉令发到村里的群里。"
)


def test_a_borrowers_written_account_is_read_as_a_narrative(store: Store) -> None:
    case = store.create_case("自述")
    store.add_evidence(case.id, NARRATIVE.encode("gb18030"), "我的经历.txt")
    result = judge(store, case.id)
    facts = result["facts"]
    assert isinstance(facts, dict)
    assert facts["contacts_contacted"] is True
    assert facts["debt_disclosed_to_contacts"] is True
    assert facts["threats"] is True
    assert result["verdict"] == "unlawful"
    with store.transaction() as session:
        # narrated events are not scanned as if the borrower had sent them
        assert not [d for d in repo.case_detections(session, case.id) if d.source == "message"]
