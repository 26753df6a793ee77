"""Threats to contacts phrased as a meeting, a letter or a talk with them."""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner

LABEL = "threat_to_contacts"


@pytest.mark.parametrize(
    "text",
    [
        "再不还钱，明天我们就跟你父母见面，把情况当面说清楚。",
        "今天不处理的话，我们会致函你单位，请你们领导督促。",
        "你不接电话没关系，我们去找你老婆谈谈。",
    ],
)
def test_meeting_writing_to_or_talking_with_contacts(text: str) -> None:
    assert LABEL in Scanner(learned=False).scan_text(text).labels


def test_a_meeting_the_borrower_asks_for_is_not() -> None:
    text = "您说想和父母见面后再商量还款方案，可以的，我们等您消息。"
    assert LABEL not in Scanner(learned=False).scan_text(text).labels
