"""Odd input: empty, huge, control characters, random Unicode — never a crash, offsets stay valid."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from txlguard.facts import extract as extract_module
from txlguard.facts import extract_facts
from txlguard.taxonomy import FactCode

ROOT = Path(__file__).resolve().parents[2]


def _valid(text: str, use_scanner: bool = False) -> None:
    case = extract_facts(text, use_scanner=use_scanner)
    assert set(case.facts) == set(FactCode)
    for fact in case.facts.values():
        assert fact.value in (True, False, None)
        assert 0.0 <= fact.confidence <= 1.0
        for ev in fact.evidence:
            assert 0 <= ev.start <= ev.end <= len(text)
            assert text[ev.start : ev.end] == ev.quote


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "。。。", "？", "\x00", "\u200b\u200b", "「」“”"])
def test_empty_like_input(text: str) -> None:
    case = extract_facts(text)
    assert all(f.value is None for f in case.facts.values())
    _valid(text)


def test_control_characters_inside_words() -> None:
    text = "借款时必须授权通\x00讯\x07录，\x1b不授权就借不了。\r\n逾期后他们给我同事\x0c打电话，说我欠钱。"
    case = extract_facts(text, use_scanner=False)
    assert case.value(FactCode.CONTACTS_HARVESTED) is True
    assert case.value(FactCode.CONTACTS_CONTACTED) is True
    _valid(text)


def test_one_megabyte_narrative_is_linear_and_valid() -> None:
    rows = (ROOT / "tests" / "data" / "narratives_tuning.jsonl").read_text(encoding="utf-8").splitlines()
    block = "\n".join(json.loads(r)["text"] for r in rows)
    text = (block * (1_000_000 // len(block) + 1))[:1_000_000]
    started = time.perf_counter()
    case = extract_facts(text, use_scanner=False)
    elapsed = time.perf_counter() - started
    assert elapsed < 60, elapsed
    assert all(case.value(c) is True for c in FactCode)
    for fact in case.facts.values():
        assert len(fact.evidence) <= 8
        for ev in fact.evidence:
            assert text[ev.start : ev.end] == ev.quote


@pytest.mark.parametrize(
    "text",
    [
        "我的朋友、" * 20000,
        "给我通讯录里的同事亲戚朋友家人" * 10000,
        "要把" * 50000,
        "说要给我家人打电话，" * 10000,
        "的" * 100000,
    ],
)
def test_pathological_repetition_stays_fast(text: str) -> None:
    started = time.perf_counter()
    _valid(text)
    assert time.perf_counter() - started < 30


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_random_unicode(text: str) -> None:
    _valid(text)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "催收",
                "给我",
                "同事",
                "打电话",
                "没有",
                "不",
                "说",
                "要",
                "了",
                "，",
                "。",
                "？",
                "「",
                "」",
                "威胁",
                "骂我",
                "通讯录",
                "授权",
                "年化",
                "36%",
                "借了3000",
                "到手2100",
                "\n",
                "問",
                "答：没有",
            ]
        ),
        max_size=40,
    )
)
def test_random_narrative_fragments(parts: list[str]) -> None:
    _valid("".join(parts))


def test_works_without_the_recognizers(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "催收在短信里说再不还钱就爆你通讯录，还骂我是骗子。"
    monkeypatch.setitem(sys.modules, "txlguard.detect", None)  # import fails as if not installed
    assert extract_module._scanner() is None
    case = extract_facts(text)
    assert case.value(FactCode.THREATS) is True
    assert case.value(FactCode.INSULTS_OR_DEFAMATION) is True


def test_broken_recognizers_do_not_break_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def scan_batch(self, items: object) -> object:
            raise RuntimeError("boom")

    monkeypatch.setattr(extract_module, "_scanner", lambda: Broken())
    assert extract_facts("他们威胁我。").value(FactCode.THREATS) is True
