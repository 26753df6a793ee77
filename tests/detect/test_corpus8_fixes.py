"""Lawful messages that corpus 8 showed being flagged, and one office threat it showed missed."""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("【XX社区】王叔叔，您家这季度的垃圾处理费还没交，有空来服务站缴一下。", "insult"),
        ("您之前要求我们不要再联系您的家人，已登记，后续仅联系您本人。", "threat_to_contacts"),
        ("周女士，合同我看过了，超出法定上限的利息可以不付，周五上午来所里详谈。", "false_legal_threat"),
        ("孙先生，您起诉邻居借款不还的案子已立案，请按时参加调解。", "false_legal_threat"),
        (
            "【人民法院调解平台】某小贷公司与您的借款纠纷已申请在线调解，是否参与由您自愿选择。",
            "impersonation",
        ),
    ],
)
def test_lawful_messages(rules_only: Scanner, text: str, label: str) -> None:
    assert label not in rules_only.scan_text(text).labels


def test_a_street_office_threatening_a_familys_welfare_is_impersonation(rules_only: Scanner) -> None:
    text = "我是街道办的，你在网贷平台那笔钱今天处理一下，不然影响你家的低保。"
    assert "impersonation" in rules_only.scan_text(text).labels
