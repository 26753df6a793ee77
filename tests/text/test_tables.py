"""The shipped fold table and character classes (``txlguard.text.tables``)."""

from __future__ import annotations

import os
import random
import unicodedata

import pytest

from txlguard.text import tables


@pytest.fixture(scope="module")
def data() -> tables.FoldData:
    return tables.load()


def sample_code_points() -> list[int]:
    rng = random.Random(7)
    fixed = [*range(0x00, 0x250), *range(0x2000, 0x2070), *range(0x3000, 0x3040), *range(0xFE00, 0xFE10)]
    fixed += [
        *range(0xFF00, 0xFFF0),
        *range(0x2F00, 0x2F10),
        *range(0xF900, 0xF910),
        0x1D400,
        0x1F600,
        0xE0101,
    ]
    fixed += rng.sample(range(0x4E00, 0xA000), 3000) + rng.sample(range(0x3400, 0x4DC0), 300)
    return [cp for cp in fixed if not 0xD800 <= cp <= 0xDFFF]


def test_shipped_table_matches_derivation_on_a_sample(data: tables.FoldData) -> None:
    differing = [
        f"U+{cp:04X}"
        for cp in sample_code_points()
        if data.fold.get(chr(cp), chr(cp)) != tables.fold_char(chr(cp))
    ]
    assert differing == [], "run `python -m txlguard.text.tables` to regenerate data/fold.txt"


@pytest.mark.skipif(
    not os.environ.get("TXLGUARD_SLOW_TESTS"), reason="set TXLGUARD_SLOW_TESTS=1 (a few seconds)"
)
def test_shipped_table_is_up_to_date() -> None:
    assert tables.main(["--check"]) == 0


@pytest.mark.parametrize(
    ("char", "folded"),
    [
        ("Ａ", "a"),
        ("，", ","),
        ("\u3000", " "),
        ("\u00a0", " "),
        ("訊", "讯"),
        ("錄", "录"),
        ("還", "还"),
        ("\u200b", ""),
        ("\ufeff", ""),
        ("\u00ad", ""),
        ("\ufe0f", ""),
        ("\u0301", ""),
        ("ō", "o"),
        ("ü", "u"),
        ("⼈", "人"),
        ("㈱", "(株)"),
        ("…", "…"),
        ("\u2800", " "),
        ("\U0001d42d", "t"),  # mathematical bold small t
    ],
)
def test_fold_examples(data: tables.FoldData, char: str, folded: str) -> None:
    assert data.fold.get(char, char) == folded


def test_fold_is_idempotent(data: tables.FoldData) -> None:
    unstable = {c: f for c, f in data.fold.items() if any(data.fold.get(x, x) != x for x in f)}
    assert unstable == {}


def test_characters_that_fold_to_themselves_are_lower_case(data: tables.FoldData) -> None:
    """The fast path relies on it: ``str.lower`` may only change ASCII capitals there."""
    bad = [
        c
        for c in map(chr, range(0x10000))
        if not 0xD800 <= ord(c) <= 0xDFFF and c not in data.fold and c.lower() != c
    ]
    assert bad == []


def test_simplified_text_is_not_changed(data: tables.FoldData) -> None:
    text = "尊敬的客户您好您在我司的借款已经逾期请尽快还款以免影响您的个人征信记录通讯录家人朋友同事单位"
    assert [c for c in text if c in data.fold] == []


def test_classes(data: tables.FoldData) -> None:
    assert not data.soft & data.weak and not data.soft & data.medium and not data.weak & data.medium
    for c in " \t*#_~+|😡❤＊　":
        assert c in data.soft, c
    for c in ",。!?;:、\n，！？；：":
        assert c in data.weak, c
    for c in ".-·/—…－．":
        assert c in data.medium, c
    for c in "通a1【】（":
        assert c not in data.soft | data.weak | data.medium, c
    assert all(unicodedata.category(c) != "Cf" for c in data.soft)


def test_round_trip(data: tables.FoldData) -> None:
    assert tables.loads(tables.dumps(data)) == data
