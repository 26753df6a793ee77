"""Narrative → case facts: realistic accounts, negation, doubt, promises, quotes, scripts, offsets."""

from __future__ import annotations

import pytest

from txlguard.facts import CaseFacts, extract_facts
from txlguard.taxonomy import FactCode

H, C, K, D = "contacts_harvested", "no_separate_consent", "contacts_contacted", "debt_disclosed_to_contacts"
T, INS, P, R = "threats", "insults_or_defamation", "impersonation", "harassment_pattern"
L, M = "illegal_debt", "harm_suffered"


def values(text: str, *, use_scanner: bool = False) -> dict[str, bool | None]:
    case = extract_facts(text, use_scanner=use_scanner)
    return {code.value: case.value(code) for code in FactCode}


# Narratives written for these tests (not in the tuning or holdout files). Each lists the facts
# it must establish; every fact not listed must stay unknown or false (never a spurious true).
REALISTIC: list[tuple[str, dict[str, bool | None]]] = [
    (
        "去年十月我在【有钱花呗】借了2000元，到账只有1300，7天就要还2000。逾期第二天他们就给我通讯录里的人"
        "群发短信，说我借钱不还，我的同事和表妹都收到了。",
        {H: True, K: True, D: True, L: True},
    ),
    (
        "注册时App弹窗让我授权通讯录，不授权就点不了下一步，没办法只能同意。",
        {H: True, C: True},
    ),
    (
        "催收一天打我三四十个电话，晚上十二点还在打，我根本没法休息。",
        {R: True},
    ),
    (
        "催收在微信里说：再不还钱，就把你的照片发到你老家的村民群里，让你全村都知道你是老赖。",
        {T: True},
    ),
    (
        "对方自称是市中级人民法院的书记员，说我被起诉了，让我马上还钱。",
        {P: True},
    ),
    (
        "他们给我老板打了电话，说我欠了他们平台八千块不还，老板第二天就让我走人了，说我被辞退了。",
        {K: True, D: True, M: True},
    ),
    (
        "他们把我的身份证照片P成了通缉令，发到了我的朋友圈评论里，很多朋友都看到了。",
        {INS: True, K: True, D: True},
    ),
    (
        "催收打电话骂我是人渣，说我全家都是骗子。",
        {INS: True},
    ),
    (
        "因为被催收逼得走投无路，我有了自杀的念头，现在在看心理医生。",
        {M: True},
    ),
    (
        "那个平台年化利率算下来有180%，而且没有任何放贷资质。",
        {L: True},
    ),
    (
        "催收威胁说要找人到我单位去闹，让我在单位待不下去。",
        {T: True},
    ),
    (
        "我是借款人的妹妹，催收每天给我打电话，让我替我哥还钱，我根本不是担保人。",
        {K: True, D: True, R: True},
    ),
]


@pytest.mark.parametrize(("text", "expected"), REALISTIC)
def test_realistic_narratives(text: str, expected: dict[str, bool | None]) -> None:
    got = values(text)
    for code, value in expected.items():
        assert got[code] is value, (code, got)
    for code, value in got.items():
        if code not in expected:
            assert value is not True, (code, got)


@pytest.mark.parametrize(
    ("text", "code", "value"),
    [
        ("他们没有联系我的家人。", K, False),
        ("他们从来没有给我的朋友打过电话。", K, False),
        ("催收只打给我本人，没有打扰其他人。", K, False),
        ("催收没有威胁我，也没有骂我。", T, False),
        ("催收没有威胁我，也没有骂我。", INS, False),
        ("他们没有半夜打电话。", R, False),
        ("平台单独弹窗询问是否授权通讯录，说明了用途，我同意了。", C, False),
        ("我拒绝了通讯录授权，最后还是借到了钱。", C, False),
        ("我拒绝了通讯录授权，最后还是借到了钱。", H, False),
        ("平台没有索要通讯录权限。", H, False),
        ("他们只联系了我的担保人，也就是我舅舅。", K, False),
        ("催收一天只打两个电话，态度很客气。", R, False),
    ],
)
def test_negations_and_lawful_situations(text: str, code: str, value: bool) -> None:
    assert values(text)[code] is value


def test_no_contact_means_no_disclosure() -> None:
    got = values("逾期后他们只给我本人打电话，没有联系过我的任何家人或朋友。")
    assert got[K] is False
    assert got[D] is False


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我不确定他们有没有读取通讯录。", H),
        ("我不记得借款时有没有授权通讯录。", H),
        ("我也不知道他们有没有联系我的家人。", K),
        ("听说这个平台会爆通讯录，我很担心。", K),
        ("听说这个平台会爆通讯录，我很担心。", T),
        ("他们会不会给我家人打电话？", K),
    ],
)
def test_doubt_and_questions_stay_unknown(text: str, code: str) -> None:
    assert values(text)[code] is None


def test_collector_promise_is_not_a_fact() -> None:
    got = values("客服说「我们不会联系你的家人，请放心」。")
    assert got[K] is None
    assert got[T] is None


def test_threat_to_contact_is_not_contact() -> None:
    got = values("催收说如果今天不还，就给我的父母和领导打电话。")
    assert got[T] is True
    assert got[K] is None


def test_threat_then_carried_out() -> None:
    got = values("他们威胁要告诉我家人。后来真的给我爸妈打了电话，说我欠了三万。")
    assert got[T] is True
    assert got[K] is True
    assert got[D] is True


def test_only_guarantor_contacted_sets_detail() -> None:
    case = extract_facts("逾期后平台只打给了我的担保人，没有联系其他人。", use_scanner=False)
    assert case.value(K) is False
    assert case.details.contacts_are_guarantors is True


def test_interview_answers_decide_questions() -> None:
    text = (
        "问：借款时App有没有要求你授权通讯录？答：有，不授权就不能借。"
        "问：催收有没有联系你的家人？答：没有，都是打给我自己。"
        "问：有没有半夜打电话？答：有，凌晨一点还在打。"
    )
    got = values(text)
    assert got[H] is True and got[C] is True
    assert got[K] is False
    assert got[R] is True


def test_relative_writing_on_behalf() -> None:
    got = values("我是他姐姐。我弟弟借了网贷，现在催收天天打我电话，让我替他还钱。")
    assert got[K] is True
    assert got[D] is True


@pytest.mark.parametrize(
    "text",
    [
        "他们发短信说「再不还钱就爆你通讯录」，我很害怕。",
        "催收在电话里说“你不还钱，我们就把你的照片发到网上”。",
        "对方自称是『公安局经侦大队』的民警。",
        "他们说‘我们不会联系你家人’，后来真的给我妈打了电话，说我欠钱。",
    ],
)
def test_quotes_change_nothing(text: str) -> None:
    stripped = text
    for q in "「」“”『』‘’":
        stripped = stripped.replace(q, "")
    assert values(text) == values(stripped)
    assert values(text, use_scanner=True) == values(stripped, use_scanner=True)


def test_traditional_and_full_width_read_like_simplified() -> None:
    simplified = "借款时必须授权通讯录，不授权就借不了。逾期后他们给我通讯录里的同事打电话，说我欠钱不还，还骂我是骗子。年化36%。"
    traditional = "借款時必須授權通訊錄，不授權就借不了。逾期後他們給我通訊錄裡的同事打電話，說我欠錢不還，還罵我是騙子。年化３６％。"
    a = extract_facts(simplified, use_scanner=False)
    b = extract_facts(traditional, use_scanner=False)
    assert {c: a.value(c) for c in FactCode} == {c: b.value(c) for c in FactCode}
    assert b.value(H) is True and b.value(K) is True and b.value(INS) is True
    assert b.details.annual_rate == 36


def _check_offsets(narrative: str, case: CaseFacts) -> int:
    count = 0
    for fact in case.facts.values():
        assert fact.source == "narrative"
        for ev in fact.evidence:
            assert ev.source == "narrative"
            assert 0 <= ev.start < ev.end <= len(narrative)
            assert narrative[ev.start : ev.end] == ev.quote
            assert ev.quote == ev.quote.strip()
            count += 1
    return count


def test_evidence_offsets_index_the_original_text() -> None:
    narrative = (
        "  我在網貸App借了錢，必須授權通訊錄。\r\n"
        "逾期後他們給我的同事打電話，說我欠錢不還！\t催收還說「再不還就發到網上」。\n"
        "我因此被公司辭退了。"
    )
    case = extract_facts(narrative)
    assert _check_offsets(narrative, case) >= 5
    quotes = [e.quote for e in case.facts[FactCode.HARM_SUFFERED].evidence]
    assert quotes == ["我因此被公司辭退了。"]
    threat_quotes = [e.quote for e in case.facts[FactCode.THREATS].evidence]
    assert any("「再不還就發到網上」" in q for q in threat_quotes)


def test_evidence_has_note_and_confidence() -> None:
    case = extract_facts("催收每天打几十个电话，半夜还在打。", use_scanner=False)
    fact = case.facts[FactCode.HARASSMENT_PATTERN]
    assert fact.value is True
    assert 0.5 < fact.confidence <= 1.0
    assert fact.evidence and all(e.note for e in fact.evidence)
    unknown = case.facts[FactCode.IMPERSONATION]
    assert unknown.value is None and unknown.confidence == 0.0 and not unknown.evidence


def test_conflicting_statements_keep_true_with_lower_confidence() -> None:
    clean = extract_facts("后来他们给我同事打了电话，说我欠钱。", use_scanner=False)
    mixed = extract_facts(
        "他们一开始没有联系我的同事。后来他们给我同事打了电话，说我欠钱。", use_scanner=False
    )
    assert mixed.value(K) is True
    assert (
        mixed.facts[FactCode.CONTACTS_CONTACTED].confidence
        < clean.facts[FactCode.CONTACTS_CONTACTED].confidence
    )
    assert mixed.facts[FactCode.CONTACTS_CONTACTED].notes
    assert {e.note.split("｜")[0] for e in mixed.facts[FactCode.CONTACTS_CONTACTED].evidence if e.note} == {
        "是",
        "否",
    }


def test_all_ten_facts_always_present() -> None:
    for text in ("", "你好", "催收骂我"):
        case = extract_facts(text)
        assert set(case.facts) == set(FactCode)


def test_example_narrative_from_readme() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "examples" / "narrative.txt").read_text(encoding="utf-8")
    got = values(text)
    assert all(got[c.value] is True for c in FactCode), got
