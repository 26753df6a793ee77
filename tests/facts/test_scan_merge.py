"""facts_from_scan on hand-built scanner results, and the merge rules."""

from __future__ import annotations

from datetime import date

from txlguard.detect.models import Detection, ScanResult, Voice
from txlguard.facts import CaseDetails, CaseFacts, EvidenceSpan, Fact, facts_from_scan, merge_facts
from txlguard.facts.models import FactSource
from txlguard.taxonomy import FactCode, Recipient


def det(label: str, text: str, quote: str, confidence: float = 0.9, voice: Voice = "direct") -> Detection:
    start = text.index(quote)
    return Detection(
        label=label, start=start, end=start + len(quote), quote=quote, confidence=confidence, voice=voice
    )


def result(
    id_: str, text: str, labels: list[str], quotes: dict[str, str], recipient: Recipient = "borrower"
) -> ScanResult:
    return ScanResult(
        id=id_,
        labels=labels,
        detections=[det(label, text, quote) for label, quote in quotes.items()],
        recipient=recipient,
    )


THREAT = "今天不还就给你通讯录所有人发信息"
INSULT = "你这个老赖，不要脸"
DISCLOSE = "您是张三的紧急联系人，他在我司借款已逾期，请转告"
POLICE = "我是XX市公安局经侦大队的，你已被立案"


def test_each_label_maps_to_its_fact_with_message_evidence() -> None:
    case = facts_from_scan(
        [
            result("m1", THREAT, ["threat_to_contacts"], {"threat_to_contacts": "给你通讯录所有人发信息"}),
            result(
                "m2",
                DISCLOSE,
                ["disclosure_to_third_party"],
                {"disclosure_to_third_party": "借款已逾期"},
                "contact",
            ),
            result("m3", POLICE, ["impersonation"], {"impersonation": "公安局经侦大队"}),
        ]
    )
    assert case.value(FactCode.THREATS) is True
    assert case.value(FactCode.CONTACTS_CONTACTED) is True
    assert case.value(FactCode.DEBT_DISCLOSED_TO_CONTACTS) is True
    assert case.value(FactCode.IMPERSONATION) is True
    threat = case.facts[FactCode.THREATS]
    assert threat.source == "message"
    assert threat.evidence == [
        EvidenceSpan(
            source="m1",
            start=THREAT.index("给你"),
            end=len(THREAT),
            quote="给你通讯录所有人发信息",
            note="threat_to_contacts",
        )
    ]
    assert [e.source for e in case.facts[FactCode.DEBT_DISCLOSED_TO_CONTACTS].evidence] == ["m2"]
    for span in threat.evidence:
        assert THREAT[span.start : span.end] == span.quote


def test_absence_never_makes_a_fact_false() -> None:
    case = facts_from_scan(
        [result("m1", "请按时还款", [], {}), result("m2", THREAT, ["threat_to_contacts"], {})]
    )
    assert case.value(FactCode.THREATS) is True
    for code in FactCode:
        if code is not FactCode.THREATS:
            assert case.value(code) is None
            assert case.facts[code].evidence == []
    assert facts_from_scan([]).facts[FactCode.THREATS].value is None


def test_insult_to_contact_is_defamation_and_to_borrower_is_insult() -> None:
    to_contact = facts_from_scan([result("a", INSULT, ["insult"], {"insult": "老赖"}, "contact")])
    to_borrower = facts_from_scan([result("b", INSULT, ["insult"], {"insult": "老赖"}, "borrower")])
    for case in (to_contact, to_borrower):
        assert case.value(FactCode.INSULTS_OR_DEFAMATION) is True
        assert case.value(FactCode.THREATS) is None
    assert (
        to_contact.facts[FactCode.INSULTS_OR_DEFAMATION].confidence
        > to_borrower.facts[FactCode.INSULTS_OR_DEFAMATION].confidence
    )
    assert "第三人" in to_contact.facts[FactCode.INSULTS_OR_DEFAMATION].notes[0]


def test_exposure_sent_to_a_contact_is_carried_out() -> None:
    text = "大家看看，这就是欠钱不还的老赖张三的照片"
    to_borrower = facts_from_scan([result("x", text, ["threat_of_exposure"], {"threat_of_exposure": "照片"})])
    to_contact = facts_from_scan(
        [result("y", text, ["threat_of_exposure"], {"threat_of_exposure": "照片"}, "contact")]
    )
    assert to_borrower.value(FactCode.THREATS) is True
    assert to_borrower.value(FactCode.INSULTS_OR_DEFAMATION) is None
    assert to_contact.value(FactCode.INSULTS_OR_DEFAMATION) is True


def test_only_direct_labels_count_and_reported_detections_do_not() -> None:
    text = "他威胁要爆我通讯录"
    r = ScanResult(
        id="r",
        labels=[],
        detections=[det("threat_to_contacts", text, "爆我通讯录", voice="reported")],
        reported=[det("threat_to_contacts", text, "爆我通讯录", voice="reported")],
    )
    assert facts_from_scan([r]).value(FactCode.THREATS) is None


def test_log_labels_and_false_legal_threats() -> None:
    case = facts_from_scan(
        [
            ScanResult(id="log-1", labels=["excessive_frequency"]),
            result(
                "m9",
                "已对你立案，48小时内将被拘留",
                ["false_legal_threat"],
                {"false_legal_threat": "已对你立案"},
            ),
        ]
    )
    assert case.value(FactCode.HARASSMENT_PATTERN) is True
    assert case.facts[FactCode.HARASSMENT_PATTERN].evidence[0].source == "log-1"
    assert any("m9" in n for n in case.notes)
    assert case.value(FactCode.THREATS) is None


def test_source_parameter() -> None:
    case = facts_from_scan([result("m1", THREAT, ["threat_to_contacts"], {})], source="log")
    assert case.facts[FactCode.THREATS].source == "log"


# -- merge ------------------------------------------------------------------------------------
def fact(code: FactCode, value: bool | None, source: FactSource, conf: float = 0.8, quote: str = "q") -> Fact:
    ev = [EvidenceSpan(source=source, start=0, end=len(quote), quote=quote)] if value is not None else []
    return Fact(
        code=code, value=value, source=source, confidence=conf if value is not None else 0.0, evidence=ev
    )


def case(*facts: Fact, details: CaseDetails | None = None) -> CaseFacts:
    return CaseFacts(facts={f.code: f for f in facts}, details=details or CaseDetails())


def test_true_wins_over_unknown_and_false_over_unknown() -> None:
    merged = merge_facts(
        case(fact(FactCode.THREATS, None, "narrative"), fact(FactCode.IMPERSONATION, False, "narrative")),
        case(fact(FactCode.THREATS, True, "message", 0.9)),
    )
    assert merged.value(FactCode.THREATS) is True
    assert merged.facts[FactCode.THREATS].source == "message"
    assert merged.facts[FactCode.THREATS].confidence == 0.9
    assert merged.value(FactCode.IMPERSONATION) is False
    assert merged.value(FactCode.HARM_SUFFERED) is None
    assert set(merged.facts) == set(FactCode)


def test_conflict_keeps_true_lowers_confidence_keeps_both_evidences() -> None:
    yes = fact(FactCode.CONTACTS_CONTACTED, True, "message", 0.9, "您是张三的紧急联系人")
    no = fact(FactCode.CONTACTS_CONTACTED, False, "narrative", 0.8, "他们没有联系我的家人")
    merged = merge_facts(case(no), case(yes))
    f = merged.facts[FactCode.CONTACTS_CONTACTED]
    assert f.value is True
    assert f.confidence < 0.9
    assert {e.quote for e in f.evidence} == {"您是张三的紧急联系人", "他们没有联系我的家人"}
    assert any("冲突" in n for n in f.notes)


def test_agreeing_sources_reinforce() -> None:
    merged = merge_facts(
        case(fact(FactCode.THREATS, True, "narrative", 0.6)),
        case(fact(FactCode.THREATS, True, "message", 0.6)),
    )
    assert merged.facts[FactCode.THREATS].confidence > 0.6
    assert len(merged.facts[FactCode.THREATS].evidence) == 2


def test_details_first_non_none_wins_and_conflicts_are_noted() -> None:
    a = case(details=CaseDetails(annual_rate=36, lender_name=None, start=date(2024, 3, 1)))
    b = case(details=CaseDetails(annual_rate=48, lender_name="速速花", contacts_reached=20))
    merged = merge_facts(a, b)
    assert merged.details.annual_rate == 36
    assert merged.details.lender_name == "速速花"
    assert merged.details.contacts_reached == 20
    assert merged.details.start == date(2024, 3, 1)
    assert any("annual_rate" in n for n in merged.notes)
    assert not any("lender_name" in n for n in merged.notes)


def test_merge_of_nothing_and_of_one() -> None:
    empty = merge_facts()
    assert all(empty.value(c) is None for c in FactCode)
    one = case(fact(FactCode.THREATS, True, "narrative", 0.7))
    assert merge_facts(one).facts[FactCode.THREATS].confidence == 0.7


def test_narrative_and_messages_merge_end_to_end() -> None:
    from txlguard.facts import extract_facts

    narrative = extract_facts("他们没有联系我的家人，但是一天打我几十个电话。", use_scanner=False)
    messages = facts_from_scan(
        [
            result(
                "m2",
                DISCLOSE,
                ["disclosure_to_third_party"],
                {"disclosure_to_third_party": "借款已逾期"},
                "contact",
            )
        ]
    )
    merged = merge_facts(narrative, messages)
    assert merged.value(FactCode.CONTACTS_CONTACTED) is True  # the message proves what the writer denied
    assert merged.value(FactCode.HARASSMENT_PATTERN) is True
    sources = {e.source for e in merged.facts[FactCode.CONTACTS_CONTACTED].evidence}
    assert sources == {"narrative", "m2"}
