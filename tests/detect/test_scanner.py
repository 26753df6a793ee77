"""The scanner's API, its result shapes, and offsets that point into the original text."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from txlguard.detect import (
    Detection,
    MessageInput,
    Recognizer,
    RecognizerRegistry,
    Scanner,
    ScanResult,
    default_scanner,
)
from txlguard.detect.scanner import _construct
from txlguard.taxonomy import MessageLabel

LABELS = {label.value for label in MessageLabel}

MIXED = [
    "今天不还就给你通讯录所有人发信息",
    "您的借款已逾期3天，请及时还款",
    "你这个老赖，欠钱不还还有脸躲？",
    "通訊錄裡所有人明天都會收到你欠錢的消息，今天不還就等著吧。",
    "ＴＸＬ已經準備好，不還錢就爆你通訊錄。",
    "今天不还就爆你通\u200b讯\u200b录",
    "今天不还就爆你 通 讯 录",
    "再不还钱就把你P成裸照发到你家族群里。",
    "我是XX市公安局经侦大队的民警，你涉嫌恶意拖欠贷款，请尽快还款。",
    "已对你立案，48小时内将被拘留",
    "找人上门收拾你，小心你的家人😡",
    "",
]


def _check_offsets(text: str, result: ScanResult) -> None:
    for d in [*result.detections, *result.reported]:
        assert 0 <= d.start <= d.end <= len(text)
        assert d.quote == text[d.start : d.end]
        assert d.quote, d


def test_default_scanner_is_cached() -> None:
    assert default_scanner() is default_scanner()


def test_scan_batch_keeps_order_and_matches_scan(scanner: Scanner) -> None:
    msgs = [MessageInput(id=str(i), text=t) for i, t in enumerate(MIXED * 3)]
    batch = scanner.scan_batch(msgs)
    assert [r.id for r in batch] == [m.id for m in msgs]
    for msg, result in zip(msgs, batch, strict=True):
        single = scanner.scan(msg)
        assert single.model_dump() == result.model_dump()
        _check_offsets(msg.text, result)
    assert list(scanner.iter_scan(iter(msgs))) == batch


def test_small_chunks_give_the_same_results() -> None:
    small = Scanner(RecognizerRegistry.default())
    small.chunk_size = 2
    msgs = [MessageInput(id=str(i), text=t) for i, t in enumerate(MIXED)]
    assert [r.model_dump() for r in small.scan_batch(msgs)] == [
        r.model_dump() for r in default_scanner().scan_batch(msgs)
    ]


@pytest.mark.parametrize("text", MIXED)
def test_offsets_and_quotes_map_to_the_original(scanner: Scanner, text: str) -> None:
    _check_offsets(text, scanner.scan_text(text))


@pytest.mark.parametrize(
    ("text", "quote_part"),
    [
        ("今天不还就爆你通\u200b讯\u200b录", "通\u200b讯\u200b录"),
        ("今天不还就爆你 通 讯 录", "通 讯 录"),
        ("通訊錄裡所有人明天都會收到你欠錢的消息，今天不還就等著吧。", "通訊錄裡所有人"),
        ("ＴＸＬ已經準備好，不還錢就爆你通訊錄。", "爆你通訊錄"),
    ],
)
def test_evasions_and_traditional_forms(scanner: Scanner, text: str, quote_part: str) -> None:
    result = scanner.scan_text(text, "borrower")
    assert "threat_to_contacts" in result.labels
    quotes = [d.quote for d in result.detections if d.label == "threat_to_contacts"]
    assert any(quote_part in q for q in quotes), quotes


def test_labels_are_taxonomy_codes_only(scanner: Scanner) -> None:
    text = "您是张三的紧急联系人，他身份证号11010519491231002X，手机13812345678，住北京市朝阳区建国路88号，欠款未还"
    result = scanner.scan_text(text)
    assert set(result.labels) <= LABELS
    assert "disclosure_to_third_party" in result.labels
    kinds = {d.label for d in result.detections}
    assert {"pi_id_number", "pi_phone", "pi_address"} <= kinds
    assert not any(label.startswith("pi_") for label in result.labels)
    assert len(result.labels) == len(set(result.labels))


def test_detections_carry_provisions_from_the_law_base(scanner: Scanner) -> None:
    from txlguard.law import default_law_base

    law = default_law_base()
    result = scanner.scan_text("今天不还就给你通讯录所有人发信息")
    detection = next(d for d in result.detections if d.label == "threat_to_contacts")
    assert detection.provisions == list(law.code("threat_to_contacts").provisions)
    assert detection.recognizer == "ThreatToContactsRecognizer"
    assert detection.explanation
    assert 0.5 <= detection.confidence <= 1.0


def test_explicit_threats_are_more_confident_than_weak_cues(scanner: Scanner) -> None:
    strong = scanner.scan_text("限你两小时内还款，否则爆通讯录。").detections[0]
    weak = scanner.scan_text("你老婆的电话我们这都有，不想她知道就赶紧还。").detections
    assert weak and strong.confidence > max(d.confidence for d in weak)


def test_public_shape(scanner: Scanner) -> None:
    result = scanner.scan(MessageInput(id="m1", text="已对你立案，48小时内将被拘留"))
    out = json.loads(json.dumps(result.public(), ensure_ascii=False))
    assert set(out) == {"id", "labels", "detections"}
    assert out["labels"] == ["false_legal_threat"]
    assert set(out["detections"][0]) == {"label", "start", "end", "quote", "confidence", "provisions"}


def test_fast_construction_equals_validation() -> None:
    values = {
        "label": "insult",
        "start": 0,
        "end": 2,
        "quote": "骗子",
        "confidence": 0.8,
        "provisions": ["civil-code-1024"],
        "recognizer": "InsultRecognizer",
        "voice": "direct",
        "explanation": "x",
    }
    fast = _construct(Detection, dict(values))
    assert fast == Detection.model_validate(values)
    assert fast.model_dump() == Detection.model_validate(values).model_dump()
    result = _construct(
        ScanResult,
        {
            "id": "1",
            "labels": ["insult"],
            "detections": [fast],
            "recipient": "unknown",
            "recipient_inferred": False,
            "reported": [],
        },
    )
    assert result == ScanResult(id="1", labels=["insult"], detections=[fast])
    assert ScanResult.model_validate_json(result.model_dump_json()) == result


def test_registry_lists_one_recognizer_per_label() -> None:
    registry = RecognizerRegistry.default()
    assert set(registry.labels) == LABELS
    assert all(isinstance(r, Recognizer) for r in registry)
    assert len(registry.get("insult")) == 1
    registry.remove("InsultRecognizer")
    assert registry.get("insult") == []
    with pytest.raises(ValueError):
        registry.add(RecognizerRegistry.default().get("impersonation")[0].__class__())
        registry.add(RecognizerRegistry.default().get("impersonation")[0].__class__())


def test_scanner_without_a_recognizer(scanner: Scanner) -> None:
    registry = RecognizerRegistry.default()
    registry.remove("InsultRecognizer")
    partial = Scanner(registry)
    text = "你这个老赖，今天不还就给你通讯录所有人发信息"
    assert "insult" in scanner.scan_text(text).labels
    result = partial.scan_text(text)
    assert "insult" not in result.labels and "threat_to_contacts" in result.labels


def test_no_provision_ids_hard_coded_in_python() -> None:
    package = Path(__file__).resolve().parents[2] / "src" / "txlguard" / "detect"
    for path in package.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for marker in ("civil-code-", "pipl-", "criminal-law-", "psapl-", "csl-"):
            assert marker not in source, (path.name, marker)


def test_scan_batch_pauses_the_garbage_collector_only_for_the_call() -> None:
    """Results equal those of single scans, and the collector's state is as before, whether it
    was on or off, also when a message in the batch raises."""
    scanner = Scanner(learned=False)
    msgs = [
        MessageInput(id=str(i), text=t)
        for i, t in enumerate(["今天不还就爆你通讯录", "您的账单已出", "你这个老赖"])
    ]
    assert [r.labels for r in scanner.scan_batch(msgs)] == [scanner.scan(m).labels for m in msgs]
    assert gc.isenabled()
    gc.disable()
    try:
        scanner.scan_batch(msgs)
        assert not gc.isenabled()
    finally:
        gc.enable()

    def failing() -> Iterator[MessageInput]:
        yield msgs[0]
        raise RuntimeError("broken input")

    with pytest.raises(RuntimeError):
        scanner.scan_batch(failing())
    assert gc.isenabled()
