"""The learned tier: the shipped model, its vectorised batch path, and how the scanner uses it."""

from __future__ import annotations

import hashlib
import json
from itertools import accumulate
from pathlib import Path

import numpy as np
import pytest

from txlguard.detect import MessageInput
from txlguard.detect.fold import default_fold
from txlguard.detect.learned import LearnedTier, char_ngrams, default_learned_tier
from txlguard.detect.registry import RecognizerRegistry
from txlguard.detect.scanner import Scanner
from txlguard.law import default_law_base
from txlguard.taxonomy import MessageLabel

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "txlguard" / "detect" / "data"
LABELS = [label.value for label in MessageLabel]


def tiny_tier(gram: str, label: str) -> LearnedTier:
    """A real model with one feature: ``gram`` pushes ``label`` over its threshold."""
    coef = np.zeros((2, len(LABELS)))
    coef[0, LABELS.index(label)] = 8.0
    return LearnedTier(
        labels=LABELS,
        vocabulary=[gram, "的"],
        idf=np.array([1.0, 1.0]),
        coef=coef,
        intercept=np.full(len(LABELS), -3.0),
        thresholds=np.full(len(LABELS), 0.6),
    )


@pytest.fixture(scope="module")
def shipped() -> LearnedTier:
    tier = default_learned_tier()
    assert tier is not None, "the package ships data/learned_tier.npz"
    return tier


def test_the_shipped_model_was_trained_on_the_current_corpora_and_examples() -> None:
    """Editing a training corpus or a recognizer's examples means retraining
    (python scripts/train_learned_tier.py); the model's metadata records what it was trained on."""
    meta = json.loads((DATA / "learned_tier.json").read_text(encoding="utf-8"))
    for item in meta["corpora"] + meta["examples"]:
        path = ROOT / item["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == item["sha256"], (
            f"retrain: {item['path']} changed"
        )
    assert sorted(ROOT / e["path"] for e in meta["examples"]) == sorted((DATA / "examples").glob("*.yaml"))
    assert all("holdout" not in item["path"] for item in meta["corpora"])
    assert set(meta["labels"]) == set(LABELS)
    assert meta["out_of_fold_false_alarm_rate"] <= 0.02


def test_batch_probabilities_equal_one_message_at_a_time(shipped: LearnedTier) -> None:
    fold = default_fold()
    lines = (ROOT / "tests" / "data" / "messages_tuning.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines[:300]]
    texts += [
        "",
        "x",
        "你好\n我们明天上门",
        "😀通讯录😀全发",
        "\ud800坏字",
        "13800138000",
        "哈哈哈哈哈哈哈",
        "\n",
    ]
    folded = [fold.apply(t) for t in texts]
    batch = shipped.batch_probabilities("\n".join(folded), list(accumulate(len(t) + 1 for t in folded)))
    assert batch.shape == (len(texts), len(LABELS))
    for i, text in enumerate(folded):
        one = shipped.probabilities(text)
        expected = np.array([one[label] for label in LABELS]) if one else np.zeros(len(LABELS))
        np.testing.assert_allclose(batch[i], expected, atol=1e-12, err_msg=repr(texts[i]))


def test_ngrams_read_digits_as_zero_and_keep_every_size() -> None:
    assert char_ngrams("借1") == ["借", "0", "借0"]
    assert len(char_ngrams("一二三四五")) == 5 + 4 + 3 + 2


def test_the_learned_tier_adds_a_label_the_rules_miss_with_span_and_citations() -> None:
    scanner = Scanner(learned=tiny_tier("表姐", "insult"))
    text = "您好，账单已出。你表姐刚才来过电话。请按时还款。"
    result = scanner.scan_text(text)
    assert result.labels == ["insult"]
    [detection] = result.detections
    assert detection.recognizer == "learned" and detection.voice == "direct"
    assert detection.quote == text[detection.start : detection.end] == "你表姐刚才来过电话。"
    assert detection.provisions and all(default_law_base().provision(p) for p in detection.provisions)
    assert "统计模型" in detection.explanation
    assert Scanner(learned=False).scan_text(text).labels == []


def test_batches_and_single_scans_agree_with_the_learned_tier() -> None:
    scanner = Scanner(learned=tiny_tier("表姐", "insult"))
    # The fourth needs the full normaliser (spaced characters): scored on its normalised text.
    texts = ["你表姐知道了", "按时还款", "你表姐知道了", "你 表 姐 知 道 了", "你这个老赖，你表姐也是"] * 3
    batch = scanner.scan_batch([MessageInput(id=str(i), text=t) for i, t in enumerate(texts)])
    for i, text in enumerate(texts):
        single = scanner.scan_text(text, msg_id=str(i))
        assert batch[i].model_dump() == single.model_dump()
    assert [r.labels for r in batch[:5]] == [["insult"], [], ["insult"], ["insult"], ["insult"]]
    assert batch[3].detections[0].quote == "你 表 姐 知 道 了"
    assert batch[4].detections[0].recognizer != "learned"  # the rule found it first


def test_no_learned_label_where_the_rules_read_it_as_reported() -> None:
    scanner = Scanner(learned=tiny_tier("废物", "insult"))
    result = scanner.scan_text("他说你是个废物")
    assert result.labels == []
    assert [d.label for d in result.reported] == ["insult"]


def test_no_learned_label_for_a_recognizer_taken_out_of_the_registry() -> None:
    registry = RecognizerRegistry.default()
    registry.remove("InsultRecognizer")
    scanner = Scanner(registry, learned=tiny_tier("表姐", "insult"))
    assert scanner.scan_text("你表姐刚才来过电话").labels == []


def test_no_learned_disclosure_in_a_message_to_the_borrower() -> None:
    scanner = Scanner(learned=tiny_tier("表姐", "disclosure_to_third_party"))
    assert scanner.scan_text("你表姐刚才来过电话", recipient="borrower").labels == []
    assert scanner.scan_text("你表姐刚才来过电话", recipient="contact").labels == [
        "disclosure_to_third_party"
    ]


def test_a_vocabulary_with_a_hash_collision_is_refused() -> None:
    with pytest.raises(ValueError, match="share a hash"):
        LearnedTier(
            labels=LABELS,
            vocabulary=["表姐", "表姐"],
            idf=np.ones(2),
            coef=np.zeros((2, len(LABELS))),
            intercept=np.zeros(len(LABELS)),
            thresholds=np.full(len(LABELS), 0.5),
        )


def test_single_rows_are_remembered_by_feature_text_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import txlguard.detect.learned as learned_module

    tier = tiny_tier("表姐", "insult")
    first = tier.probability_row("你表姐欠了300元")
    assert not first.flags.writeable
    with pytest.raises(ValueError):
        first.flags.writeable = True  # a view of the cached row: the cache cannot be changed through it
    again = tier.probability_row("你表姐欠了900元")  # digits are read as 0: the same features
    assert again.base is first.base
    assert np.array_equal(first, tier.batch_probabilities("你表姐欠了300元", [len("你表姐欠了300元") + 1])[0])
    monkeypatch.setattr(learned_module, "ROW_CACHE_SIZE", 2)
    tier.probability_row("表姐一")
    tier.probability_row("表姐二")
    assert tier.probability_row("你表姐欠了300元").base is not first.base  # pushed out, worked out again
    assert len(tier._rows) == 2
