"""Findings remembered by template (text with digits read as 0) give exactly the results of a fresh
confirmation, with quotes and personal data from each message's own text."""

from __future__ import annotations

import random

import pytest

import txlguard.detect.scanner as scanner_module
from txlguard.detect import MessageInput, Scanner

TEMPLATES = [
    "你欠平台{a}元，{d}前不还就给你通讯录所有人发信息，你同事都会知道。",
    "【某某贷】您的借款{a}元已逾期{k}天，请于{d}前还款，客服电话400{t}。",
    "您是王某的紧急联系人，他借款{a}元已逾期{k}天，请转告他还款，身份证号110101199003071234。",
    "我是XX派出所的，你的网贷{a}元今天不还清就拘留你，{k}小时内回电。",
    "【XX区人民法院】（2024）京0105民初{t}号：你与某公司借款纠纷一案定于{d}开庭。",
    "请于3日内还款{a}元，否则后果自负。",
    "如有疑问请拨打12368核实，你的案件编号{t}。",
]


def _messages(seed: int, n: int) -> list[MessageInput]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = rng.choice(TEMPLATES).format(
            a=rng.randint(100, 99999),
            d=f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
            k=rng.randint(1, 90),
            t=f"{rng.randint(0, 99999):05d}",
        )
        recipient = rng.choice(("borrower", "contact", None))
        out.append(MessageInput(id=str(i), text=text, recipient=recipient))
    return out


def test_remembered_findings_give_the_results_of_a_fresh_confirmation() -> None:
    msgs = _messages(1, 600)
    fresh = Scanner(reuse_templates=False, reuse_identical=False)
    reusing = Scanner()
    expected = [fresh.scan(m).model_dump() for m in msgs]
    assert [r.model_dump() for r in reusing.scan_batch(msgs)] == expected
    assert [reusing.scan(m).model_dump() for m in msgs] == expected  # single calls, all remembered
    assert 0 < len(reusing._templates) < len(msgs)


def test_quotes_and_personal_data_come_from_each_messages_own_text() -> None:
    scanner = Scanner()
    first = scanner.scan_text(
        "您是王某的紧急联系人，他借款3000元已逾期5天，请转告他，手机13812345678。", "contact"
    )
    second = scanner.scan_text(
        "您是王某的紧急联系人，他借款9000元已逾期7天，请转告他，手机13987654321。", "contact"
    )
    assert len(scanner._templates) == 1
    quotes = [d.quote for d in second.detections]
    assert any("9000" in q for q in quotes) and any("13987654321" in q for q in quotes)
    assert not any("3000" in q or "13812345678" in q for q in quotes)
    assert [d.label for d in first.detections] == [d.label for d in second.detections]


@pytest.mark.parametrize(
    "text",
    [
        "如有疑问请拨打12368核实。",  # a lexicon literal with digits
        "请于3日内还款。",  # a pattern that tells 1-3 from other digits
    ],
)
def test_digit_sensitive_messages_are_confirmed_anew(text: str) -> None:
    assert Scanner()._template_key(text) is None


def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scanner_module, "TEMPLATE_CACHE_SIZE", 3)
    scanner = Scanner()
    for text in [
        "你欠钱不还就通知你家人",
        "你欠钱不还就通知你同事",
        "你欠钱不还就通知你领导",
        "你欠钱不还就通知你朋友",
    ]:
        scanner.scan_text(text)
    assert len(scanner._templates) == 3
    scanner.clear_reuse()
    assert not scanner._templates
