"""Advice and anti-fraud words veto a rule only when they advise the reader.

A collector's own "我司有权…", "如有疑问请联系…", "请向我司还款", "你再投诉…" or a fake caller's
title "反诈中心" must not switch the rules off (the learned tier would be left to guess); a real
warning or a statement of the reader's rights still reads as lawful.
"""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner
from txlguard.detect.models import MessageInput


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("false_legal_threat", "我司有权以诈骗罪起诉你，三天内不还就等着坐牢吧"),
        ("false_legal_threat", "你涉嫌恶意逃债，我司有权向公安机关报案，48小时内将被拘留"),
        ("false_legal_threat", "我们有权让公安抓你，不还钱就拘留"),
        ("false_legal_threat", "三天内不还将以诈骗罪起诉你坐牢，如有疑问请联系客服"),
        ("false_legal_threat", "请向我司还款，否则将以诈骗罪报案抓你坐牢"),
        ("false_legal_threat", "你再敢投诉，我们就报警抓你去坐牢"),
        ("false_legal_threat", "这里是反诈中心，你的网贷逾期涉嫌诈骗，马上还钱否则抓你"),
        ("impersonation", "我是市公安局反诈中心的民警，你涉嫌诈骗，立即还款"),
        ("impersonation", "我是法院的，你再投诉就直接拘留你"),
    ],
)
def test_collectors_own_advice_words_do_not_veto(rules_only: Scanner, label: str, text: str) -> None:
    result = rules_only.scan(MessageInput(id="x", text=text, recipient="borrower"))
    assert label in result.labels, (text, result.labels)
    assert all(d.recognizer != "learned" for d in result.detections)


@pytest.mark.parametrize(
    "text",
    [
        "反诈提醒：有骗子自称公安机关，说逾期要坐牢，请勿上当",
        "您有权拒绝催收人员的骚扰，可向银保监会投诉",
        "借款人有权要求催收方停止联系其家人",
        "逾期不会坐牢，民事欠款不构成诈骗，您有权向法院起诉暴力催收",
        "请下载国家反诈中心APP，谨防冒充公安的诈骗电话",
        "如遇催收人员自称警察，请立即报警",
        "【XX律师事务所】您预约的免费法律咨询时间为本周三下午2点，如需改期请回电。",
    ],
)
def test_advice_to_the_reader_still_vetoes(rules_only: Scanner, text: str) -> None:
    result = rules_only.scan(MessageInput(id="x", text=text, recipient="borrower"))
    assert result.labels == [], (text, [(d.label, d.quote) for d in result.detections])


@pytest.mark.parametrize(
    ("label", "recipient", "text"),
    [
        # Lawful-reading words in the collector's own voice (found in review).
        (
            "disclosure_to_third_party",
            "contact",
            "我们知道您不是借款人，但王芳在我司欠款5000元至今未还，麻烦您催一下她",
        ),
        (
            "disclosure_to_third_party",
            "contact",
            "您是李明的同事吧，他欠我们平台3万块钱跑路了，您有权拒绝，但希望您转告他",
        ),
        ("disclosure_to_third_party", "contact", "张三欠钱不还，判令他三日内还清，否则他全家都要坐牢"),
        ("threat_to_contacts", "borrower", "您放心，逾期不还我们会联系您单位领导和同事"),
        ("threat_of_exposure", "borrower", "你再不还，催收公司就会散布你的裸照到你所有群里"),
        ("false_legal_threat", "borrower", "张三，再不还就被拘留，家里老人孩子怎么办？"),
        ("threat_to_contacts", "borrower", "只有还清欠款才会停止联系你的家人和同事，否则每天打"),
        ("threat_of_violence", "borrower", "明天有个自称你朋友的人会去你家找你，小心你的家人"),
        ("false_legal_threat", "borrower", "请尽快还款否则我司将报案，你将被刑事拘留"),
        ("false_legal_threat", "borrower", "你只有今天还清，才可能撤销立案，否则明天就拘留你"),
        ("false_legal_threat", "borrower", "我们也有权让公安抓你，不还钱就拘留"),
        ("false_legal_threat", "borrower", "我司无需经过法院就可以直接冻结你名下所有银行卡"),
        ("impersonation", "borrower", "这里是XX区人民法院执行局，请问你什么时候还？不还明天拘留"),
    ],
)
def test_reviewed_evasions_are_found_by_rules(
    rules_only: Scanner, label: str, recipient: str, text: str
) -> None:
    result = rules_only.scan(MessageInput(id="x", text=text, recipient=recipient))
    assert label in result.labels, (text, result.labels)


@pytest.mark.parametrize(
    ("recipient", "text"),
    [
        ("borrower", "您好，您的旧卡换了也没用，请在APP里更新还款卡"),
        ("borrower", "您好，房子砸坏了可以申请保险理赔"),
        ("unknown", "网贷逾期会不会留下犯罪档案？"),
        ("contact", "他欠你的钱一直不还，你可以直接去法院起诉他"),
        ("borrower", "您好，这里是XX街道办事处，请您下周一携带身份证到社区办理居住证"),
    ],
)
def test_reviewed_lawful_texts_get_no_rule_label(rules_only: Scanner, recipient: str, text: str) -> None:
    result = rules_only.scan(MessageInput(id="x", text=text, recipient=recipient))
    assert result.labels == [], (text, [(d.label, d.quote) for d in result.detections])
