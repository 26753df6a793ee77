"""Properties of the normaliser on arbitrary text (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from txlguard.text import NormalizedText, normalize, normalize_many, tables
from txlguard.text.normalize import _normalize_general, _normalize_slow

# Pieces that exercise every path: Chinese characters (simplified, traditional, variant parts),
# spacers of every kind, clause punctuation, Latin letters of both cases and widths, pinyin,
# invisible and combining characters, emoji, expansions, web addresses, surrogates.
CHARS = (
    "通讯录迅汛傻煞草操尼泥马你妈艹二畜牲爆家人的我了好訊錄還錢後"
    "，,。.!！?？:：;；、-－·/*＊#＃_~～ 　\t\n\r"
    "txlcsbnmjiaorTXLCSBA123１２３ＴｘＬ"
    "😡❤\u200b\u200d\u00ad\ufeff\ufe0f\u0301é①⑴…—“”()（）【】\x00\x01\udcff𠀀"
)
PIECES = [
    *CHARS,
    "tong xun lu",
    "t x l",
    "tongxunlu",
    "cs",
    "sb",
    "cnm",
    "傻b",
    "https://",
    ".com",
    "@x.cn",
    "lao lai",
    "通,讯,录",
    "APP",
    "XXX",
]

mixed_text = st.lists(st.sampled_from(PIECES), max_size=16).map("".join)
any_text = st.one_of(mixed_text, st.text(max_size=40))
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_offsets(n: NormalizedText) -> None:
    size, orig = len(n.text), len(n.original)
    for start in range(size + 1):
        previous = -1
        for end in range(start, size + 1):
            s, e = n.span_to_original(start, end)
            assert 0 <= s <= e <= orig
            assert e >= previous  # monotone in the end
            previous = e
            if start < size:
                assert s <= n.span_to_original(start + 1, max(end, start + 1))[0]  # monotone in the start
        if start < size:
            assert n.quote(start, start + 1) != ""  # every character comes from somewhere


@SETTINGS
@given(any_text)
def test_offsets_are_well_formed(text: str) -> None:
    check_offsets(normalize(text))


@SETTINGS
@given(any_text)
def test_identity_map_quotes_the_same_positions(text: str) -> None:
    n = normalize(text)
    if n.is_identity:
        assert len(n.text) == len(text)
        for start in range(len(text)):
            for end in range(start, min(len(text), start + 4) + 1):
                assert n.quote(start, end) == text[start:end]
                if n.text == text:
                    assert n.quote(start, end) == n.text[start:end]


@SETTINGS
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789的是了我不人在他有这", max_size=30))
def test_plain_text_is_identity(text: str) -> None:
    n = normalize(text)
    if n.text == text:
        assert n.is_identity
        assert n.quote(0, len(text)) == text


@SETTINGS
@given(any_text)
def test_all_paths_agree(text: str) -> None:
    fast = normalize(text)
    for other in (_normalize_general(text), _normalize_slow(text)):
        assert other.text == fast.text
        assert other.origin == fast.origin
        assert [other.span_to_original(i, i + 1) for i in range(len(other.text))] == [
            fast.span_to_original(i, i + 1) for i in range(len(fast.text))
        ]


@SETTINGS
@given(st.lists(any_text, max_size=20))
def test_batch_agrees(texts: list[str]) -> None:
    assert normalize_many(texts) == [normalize(t) for t in texts]


@SETTINGS
@given(any_text)
def test_output_is_folded(text: str) -> None:
    """Every character of the output folds to itself: nothing is left half-done."""
    fold = tables.load().fold
    assert [c for c in normalize(text).text if c in fold] == []
