"""Negation, lawful conditionals and accurate notices, reported speech, quotations of the law."""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner


@pytest.mark.parametrize(
    "text",
    [
        "我们不会联系你的家人，请你本人尽快处理。",
        "我们不会上门，请您通过APP还款。",
        "请放心，我司不会将您的借款信息透露给您的通讯录联系人。",
        "我们不会因为您逾期就联系您的家人、朋友或同事。",
        "我司绝不会采取爆通讯录这种违法手段。",
    ],
)
def test_negated_threats_are_not_labels(scanner: Scanner, text: str) -> None:
    result = scanner.scan_text(text)
    assert result.labels == [], [(d.label, d.quote) for d in result.detections]


@pytest.mark.parametrize(
    "text",
    [
        "您的借款已逾期3天，请及时还款。如您不是本人，请忽略此短信。",
        "您有账单今天到期，请及时还款，如已还款请忽略。",
        "您的逾期信息将依法报送至金融信用信息基础数据库，请尽快还款。",
        "如您持续逾期，我司将依法提起诉讼，请您重视。",
        "我司将安排工作人员于3月5日上门拜访，核实您的还款情况。",
        "经法院判决后，如您拒不履行，法院可依法将您纳入失信被执行人名单。",
    ],
)
def test_lawful_conditionals_and_accurate_notices(scanner: Scanner, text: str) -> None:
    assert scanner.scan_text(text, "borrower").labels == []


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("他威胁要爆我通讯录，我该怎么办？", "threat_to_contacts"),
        ("催收说要把我照片发到群里，这样合法吗？", "threat_of_exposure"),
        ("催收天天打电话骂我是老赖，我可以报警吗？", "insult"),
        ("他们扬言要找人上门打断我的腿。", "threat_of_violence"),
        ("催收的人给我家人打电话说我欠钱不还，怎么投诉？", "disclosure_to_third_party"),
    ],
)
def test_reported_speech_is_recorded_not_labelled(scanner: Scanner, text: str, label: str) -> None:
    result = scanner.scan_text(text)
    assert label not in result.labels
    reported = [d for d in result.reported if d.label == label]
    assert reported, (text, result.reported)
    assert all(d.voice == "reported" for d in result.reported)
    for d in reported:
        assert text[d.start : d.end] == d.quote


def test_quotation_of_the_law_is_not_a_label(scanner: Scanner) -> None:
    text = (
        "根据《刑法》第二百九十三条之一，使用暴力、胁迫方法催收高利放贷等产生的非法债务，情节严重的，"
        "处三年以下有期徒刑、拘役或者管制。"
    )
    assert scanner.scan_text(text).labels == []


def test_law_used_against_the_reader_is_a_threat(scanner: Scanner) -> None:
    text = "根据《刑法》第一百九十三条，你已经涉嫌贷款诈骗罪，最高可判无期徒刑。"
    assert "false_legal_threat" in scanner.scan_text(text).labels


def test_news_report_is_not_a_label(scanner: Scanner) -> None:
    text = "【新华社】多地警方破获“爆通讯录”暴力催收案，犯罪嫌疑人以将借款人照片P成通缉令相威胁。"
    result = scanner.scan_text(text)
    assert result.labels == []


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("今天不还就给你通讯录所有人发信息", "threat_to_contacts"),
        ("再不还款，我们将联系你的家人和同事。", "threat_to_contacts"),
        ("已经给你通讯录里所有人发了短信，你自己看着办。", "threat_to_contacts"),
        ("我们不会放过你的，等着瞧。", "threat_of_violence"),
    ],
)
def test_conditional_and_completed_threats(scanner: Scanner, text: str, label: str) -> None:
    assert label in scanner.scan_text(text, "borrower").labels


@pytest.mark.parametrize(
    "text",
    [
        "某网贷平台催收员因发送“弄死你”“让你好看”等短信，被警方依法行政拘留10日。",
        "某地法院以案释法：被告人以“让你全家不得安宁”等言语恐吓债务人，构成寻衅滋事罪。",
        "据报道，被告人曾多次给借款人家人发送“小心你孩子”的短信。",
        "如果收到“不还钱就爆你通讯录”类短信，请保留截图并向12378投诉。",
        "遇到“欠钱不还就去你单位闹”相要挟时，要及时取证。",
        "家里人借了网贷，催收打电话给我，说要找人上门，我该怎么办？",
        "律师解答：征信逾期不等于犯罪记录，也不会影响子女上学或户口。",
        "我们不会把你的事告诉任何人，包括你的紧急联系人，请放心。",
    ],
)
def test_quoted_reported_and_extended_negation_are_not_labels(scanner: Scanner, text: str) -> None:
    result = scanner.scan_text(text)
    assert result.labels == [], [(d.label, d.quote) for d in result.detections]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("你老婆孩子的电话我们都有，你猜我们会不会去你家看看他们？", "threat_of_violence"),
        ("你也不想让你老婆知道你在外面借网贷吧？", "threat_to_contacts"),
        ("sha bi 一个，赶紧还钱。", "insult"),
        ("你的 tong xun lu 我们已经拿到了，你考虑清楚。", "threat_to_contacts"),
    ],
)
def test_questions_and_spaced_pinyin_still_threaten(scanner: Scanner, text: str, label: str) -> None:
    assert label in scanner.scan_text(text, "borrower").labels
