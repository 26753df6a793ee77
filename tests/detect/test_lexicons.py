"""The lexicon files: they load, name only known categories, and keep the label contract."""

from __future__ import annotations

import pytest

from txlguard.detect import RecognizerRegistry
from txlguard.detect.lexicon import (
    Lexicon,
    LexiconError,
    LexiconFile,
    Sequence,
    data_dir,
    expand,
    load_lexicon,
)
from txlguard.detect.recognizers import MESSAGE_RECOGNIZERS
from txlguard.taxonomy import MessageLabel


def test_every_message_label_has_a_lexicon() -> None:
    for label in MessageLabel:
        lexicon = load_lexicon(label.value)
        assert lexicon.label == label.value
        assert lexicon.triggers and lexicon.rules
    assert {r.label for r in MESSAGE_RECOGNIZERS} == {label.value for label in MessageLabel}


def test_recognizers_validate_their_rules() -> None:
    registry = RecognizerRegistry.default()
    assert len(registry) == len(MessageLabel)


def test_expand_and_sequences() -> None:
    assert expand("{你|您}的{家人|父母}") == ["你的家人", "你的父母", "您的家人", "您的父母"]
    assert expand("a{b|}c") == ["abc", "ac"]
    seq = Sequence.parse("seq:{如果|若}你 ~6~ 不|{没|未}还", "t")
    assert seq.first == ("如果你", "若你") and seq.gap == 6 and seq.then == ("不", "没还", "未还")
    with pytest.raises(LexiconError):
        Sequence.parse("seq:如果 不", "t")


def test_rule_with_unknown_category_is_rejected() -> None:
    from txlguard.detect.recognizers import InsultRecognizer

    spec = load_lexicon("insult").spec.model_copy(deep=True)
    spec.rules[0] = spec.rules[0].model_copy(update={"near": {"no_such_category": 3}})
    with pytest.raises(LexiconError):
        InsultRecognizer(Lexicon(LexiconFile.model_validate(spec.model_dump()), "test"))


def test_trigger_terms_are_focused() -> None:
    """Ordinary reminders hit no trigger at all (they never reach the Python confirmation)."""
    from txlguard.detect import default_scanner

    scanner = default_scanner()
    for text in [
        "您的借款已逾期3天，请及时还款",
        "【随心贷】尊敬的用户，您本次账单人民币1002.0。到期还款日2017-07-30。",
        "尊敬的客户，诚挚提醒您5月3日是您的还款日，为避免影响您的个人信用记录，请及时还款。",
        "您有账单今天到期，为不影响征信，请及时操作处理。如已还清，请忽略。",
    ]:
        assert scanner._hits(text) == [], text


def test_data_files_are_packaged() -> None:
    names = {p.name for p in data_dir().glob("*.yaml")}
    assert {f"{label.value}.yaml" for label in MessageLabel} | {"context.yaml", "personal_data.yaml"} <= names
    assert (data_dir() / "char_order.txt").exists()
