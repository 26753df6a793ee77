"""Advice and anti-fraud words veto a rule only when they advise the reader.

A collector's own "我司有权…", "如有疑问请联系…", "请向我司还款", "你再投诉…" or a fake caller's
title "反诈中心" must not switch the rules off (the learned tier would be left to guess); a real
warning or a statement of the reader's rights still reads as lawful.
"""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner
from txlguard.detect.models import MessageInput


@pytest.fixture(scope="module")
def rules_only() -> Scanner:
    return Scanner(learned=False)


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
