"""The evasive-spelling data file (``data/variants.yaml``) and how it is applied."""

from __future__ import annotations

import pytest

from txlguard.text import normalize, variants


def test_data_file_loads() -> None:
    loaded = variants.load()
    assert len(loaded) > 20
    canonicals = {v.canonical for v in loaded}
    assert {"通讯录", "催收", "傻逼", "老赖"} <= canonicals


def test_canonicals_are_in_folded_form() -> None:
    for v in variants.load():
        assert normalize(v.canonical).text == v.canonical


@pytest.mark.parametrize("variant", variants.load(), ids=lambda v: v.spelling)
def test_every_variant_is_applied_in_chinese_context(variant: variants.Variant) -> None:
    for spelling in {variant.spelling, variant.letters}:
        n = normalize(f"你的{spelling}我们")
        assert n.text == f"你的{variant.canonical}我们", spelling
        i = n.text.index(variant.canonical)
        assert n.quote(i, i + len(variant.canonical)) == spelling


@pytest.mark.parametrize("variant", [v for v in variants.load() if v.latin_only], ids=lambda v: v.spelling)
def test_latin_variants_need_token_boundaries(variant: variants.Variant) -> None:
    for text in (
        f"你的x{variant.letters}我们",
        f"你的{variant.letters}9我们",
        f"https://a.com/{variant.letters} 我们",
    ):
        assert variant.canonical not in normalize(text).text, text


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected a mapping"),
        ({"通讯录": "txl"}, "non-empty list"),
        ({"通讯录": []}, "non-empty list"),
        ({"通讯录": ["txl"], "催收": ["txl"]}, "listed for"),
        ({"通讯录": ["通讯录"]}, "equals the canonical"),
        ({"通讯录": [3]}, "bad variant"),
        ({"": ["x"]}, "bad canonical"),
    ],
)
def test_parse_rejects_bad_documents(document: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        variants.parse(document)


def test_parse_normalises_spaces() -> None:
    (v,) = variants.parse({"通讯录": ["  tong   xun  lu "]})
    assert v.spelling == "tong xun lu" and v.letters == "tongxunlu" and v.latin_only and not v.short
