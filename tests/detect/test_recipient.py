"""The recipient role: given with the input, otherwise inferred from the text."""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner


@pytest.mark.parametrize(
    "text",
    [
        "您是张三的紧急联系人，他在我司借款已逾期，请转告他尽快还款。",
        "你朋友李四在我司借款5000元已逾期，请你督促他还款。",
        "你儿子在我们平台借的钱已经逾期两个月了。",
        "麻烦您通知他，在到期日之前尽快完成还款。",
        "各位亲朋好友，张三在XX贷借款8000元至今未还，请大家转告他。",
    ],
)
def test_contact_inferred_and_disclosure(scanner: Scanner, text: str) -> None:
    result = scanner.scan_text(text)
    assert result.recipient == "contact"
    assert result.recipient_inferred is True
    assert "disclosure_to_third_party" in result.labels


@pytest.mark.parametrize(
    "text",
    [
        "您的借款已逾期3天，请及时还款。",
        "尊敬的客户，您本期账单已出，请按时还款。",
        "张三您好，您在XX花的借款已逾期，如您不是张三本人，请忽略。",
    ],
)
def test_borrower_messages_are_not_disclosures(scanner: Scanner, text: str) -> None:
    result = scanner.scan_text(text)
    assert "disclosure_to_third_party" not in result.labels


def test_given_recipient_wins(scanner: Scanner) -> None:
    text = "他在我们平台有一笔借款，即将到期。麻烦请您通知他尽快还款。"
    given = scanner.scan_text(text, "contact")
    assert given.recipient == "contact" and given.recipient_inferred is False
    assert "disclosure_to_third_party" in given.labels
    assert "disclosure_to_third_party" not in scanner.scan_text(text, "borrower").labels


def test_contact_without_debt_or_request_is_not_disclosure(scanner: Scanner) -> None:
    assert scanner.scan_text("您好，请问您是张三本人吗？", "contact").labels == []


def test_request_alone_to_a_contact_is_disclosure(scanner: Scanner) -> None:
    result = scanner.scan_text("您好，这里是XX贷，麻烦您告诉一下刘洋，让他尽快还款。", "contact")
    assert "disclosure_to_third_party" in result.labels
