"""Behaviour of ``txlguard.text.normalize`` on real evasions, hard negatives and offsets."""

from __future__ import annotations

import time

import pytest

from txlguard.text import NormalizedText, normalize, normalize_many
from txlguard.text.normalize import _normalize_slow


def norm(text: str) -> str:
    return normalize(text).text


# --- the fold: width, case, script, invisible characters ------------------------------------


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("", ""),
        ("您好", "您好"),
        ("已逾期，请还款！", "已逾期,请还款!"),
        ("详询：０２１－１２３４", "详询:021-1234"),
        ("请登录APP查看", "请登录app查看"),
        ("XXX先生，您好", "xxx先生,您好"),
        ("ＴＸＬ", "txl"),  # full-width letters fold; no Chinese nearby, so no variant
        ("通訊錄", "通讯录"),
        ("你這個老賴，再不還錢", "你这个老赖,再不还钱"),
        ("後果自負", "后果自负"),
        ("⼈", "人"),  # Kangxi radical
        ("①", "1"),
        ("还款……谢谢", "还款……谢谢"),  # the ellipsis is kept, not turned into dots
        ("通\u200b讯\u200c录", "通讯录"),
        ("\ufeff请还款", "请还款"),
        ("逾\u00ad期", "逾期"),
        ("通\ufe0f讯\U000e0101录", "通讯录"),  # variation selectors
        ("tōng xùn lù 都有了", "通讯录都有了"),  # tone marks fold away, then pinyin
        ("cafe\u0301", "cafe"),
        ("İ", "i"),
    ],
)
def test_fold(original: str, expected: str) -> None:
    assert norm(original) == expected


# --- spacers between Chinese characters -----------------------------------------------------


@pytest.mark.parametrize(
    "original",
    [
        "通 讯 录",
        "通　讯　录",  # ideographic spaces
        "通*讯*录",
        "通＊讯＊录",
        "通#讯#录",
        "通_讯_录",
        "通~讯~录",
        "通-讯-录",
        "通.讯.录",
        "通·讯·录",
        "通/讯/录",
        "通😡讯😡录",
        "通❤️讯❤️录",  # emoji with a variation selector
        "通 * 讯 * 录",
        "通 . 讯 . 录",
        "通，讯，录",
        "通\n讯\n录",  # written vertically
        "通\u200b 讯\u200b 录",
    ],
)
def test_spacers_removed(original: str) -> None:
    assert norm(original) == "通讯录"


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("爆 通 讯 录", "爆通讯录"),
        ("你的通.讯.录我们都有", "你的通讯录我们都有"),
        ("你的通-讯-录我们都有", "你的通讯录我们都有"),
        ("你好，通，讯，录，谢谢", "你好,通讯录,谢谢"),
        ("本金+利息", "本金利息"),  # symbols between Chinese characters are spacers
        ("到期还 款日2017-07-30", "到期还款日2017-07-30"),  # real template with a stray space
        ("再拖就找你 家 人 和 单 位", "再拖就找你家人和单位"),
    ],
)
def test_spacers_in_context(original: str, expected: str) -> None:
    assert norm(original) == expected


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("已逾期，请还款", "已逾期,请还款"),  # a comma between clauses is not a spacer
        ("您好。请还款。谢谢", "您好。请还款。谢谢"),
        ("嗯，好，我知道了", "嗯,好,我知道了"),  # two single characters only
        ("你的通，讯，录", "你的通,讯,录"),  # clause punctuation needs three single characters
        ("北京-上海-广州", "北京-上海-广州"),  # multi-character elements
        ("共5000+200元", "共5000+200元"),  # digits are not Chinese characters
        ("2017-07-30 还款", "2017-07-30 还款"),
        ("APP 下载", "app 下载"),
        ("【随心贷】尊敬的用户", "【随心贷】尊敬的用户"),
        ("“家人”", "“家人”"),
        ("第1、2、3条", "第1、2、3条"),
    ],
)
def test_punctuation_kept(original: str, expected: str) -> None:
    assert norm(original) == expected


# --- evasive spellings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("今天不还就爆你txl", "今天不还就爆你通讯录"),
        ("今天不还就爆你TXL", "今天不还就爆你通讯录"),
        ("今天不还就爆你ｔｘｌ", "今天不还就爆你通讯录"),
        ("爆txl", "爆通讯录"),
        ("爆 t x l", "爆通讯录"),
        ("爆t.x.l", "爆通讯录"),
        ("你的tong xun lu我们都有", "你的通讯录我们都有"),
        ("你的tongxunlu我们都有", "你的通讯录我们都有"),
        ("你的Tong-Xun-Lu我们都有", "你的通讯录我们都有"),
        ("你的通迅录", "你的通讯录"),
        ("你的通汛录", "你的通讯录"),
        ("我是cs", "我是催收"),
        ("cs打电话给你", "催收打电话给你"),
        ("我们是cs 公司", "我们是催收公司"),
        ("你个sb", "你个傻逼"),
        ("你个傻b", "你个傻逼"),
        ("煞笔", "傻逼"),
        ("cnm你还不还", "操你妈你还不还"),
        ("草泥马", "操你妈"),
        ("艹", "操"),
        ("通知你jiaren", "通知你家人"),
        ("你就是lao lai", "你就是老赖"),
        ("tmd还钱", "他妈的还钱"),
    ],
)
def test_variants(original: str, expected: str) -> None:
    assert norm(original) == expected


@pytest.mark.parametrize(
    "original",
    [
        "https://x.com",
        "https://x.com/cs 请查看",
        "详见 www.example.cn/txl 页面",
        "邮箱 cs@example.com 联系",
        "class cs",  # no Chinese nearby
        "the CS major",
        "classic costs css",
        "tongxunlu",  # pinyin alone is left alone
        "txl2 型号",  # not a whole Latin token
        "atxl 型号",
        "草原",
        "通信录",  # a correct synonym, not an evasion
        "通知",
    ],
)
def test_variants_not_applied(original: str) -> None:
    assert norm(original) == original.lower()


# --- offsets and quotes -----------------------------------------------------------------------


def test_identity_map_is_none_for_plain_text() -> None:
    n = normalize("尊敬的张三，您的借款已逾期3天，请登录APP还款。")
    assert n.is_identity
    assert len(n.text) == len(n.original)
    i = n.text.index("app")
    assert n.quote(i, i + 3) == "APP"
    assert n.span_to_original(i, i + 3) == (i, i + 3)


def test_quote_of_pinyin_variant_is_what_was_written() -> None:
    n = normalize("我们会联系你的tong xun lu")
    i = n.text.index("通讯录")
    assert n.quote(i, i + 3) == "tong xun lu"
    assert n.quote(i, i + 1) == "tong"  # one syllable per character
    assert n.quote(i + 2, i + 3) == "lu"
    assert n.quote(0, len(n.text)) == n.original


def test_quote_of_compact_pinyin_covers_the_whole_spelling() -> None:
    n = normalize("联系你的tongxunlu")
    i = n.text.index("通讯录")
    assert n.quote(i, i + 3) == "tongxunlu"
    assert n.quote(i + 1, i + 2) == "tongxunlu"


def test_quote_across_spacers_and_invisibles() -> None:
    n = normalize("我们会爆你的通 * 讯\u200b * 录，等着")
    i = n.text.index("通讯录")
    assert n.quote(i, i + 3) == "通 * 讯\u200b * 录"
    assert n.text[i + 3] == ","
    assert n.quote(i + 3, i + 4) == "，"


def test_quote_of_traditional_and_full_width() -> None:
    n = normalize("爆你ＴＸＬ，聯系你的通訊錄")
    assert n.text == "爆你通讯录,联系你的通讯录"
    assert n.quote(2, 5) == "ＴＸＬ"
    assert n.quote(10, 13) == "通訊錄"


def test_quote_of_abbreviation_maps_letter_by_letter() -> None:
    n = normalize("你个sb")
    assert n.text == "你个傻逼"
    assert n.quote(2, 4) == "sb"
    assert n.quote(2, 3) == "s"


def test_deleted_character_offsets() -> None:
    n = normalize("\u200b通\u200b讯\u200b")
    assert n.text == "通讯"
    assert n.span_to_original(0, 2) == (1, 4)
    assert n.span_to_original(0, 0) == (1, 1)  # empty span: before the next character
    assert n.span_to_original(2, 2) == (5, 5)  # at the end: end of the original
    assert n.origin == (1, 3)


def test_expansion_maps_every_piece_to_its_source() -> None:
    n = normalize("⑴还款")
    assert n.text == "(1)还款"
    assert [n.quote(i, i + 1) for i in range(3)] == ["⑴", "⑴", "⑴"]
    assert n.quote(3, 5) == "还款"


def test_span_to_original_clamps() -> None:
    n = normalize("通 讯 录")
    assert n.span_to_original(-5, 100) == (0, 5)
    assert n.span_to_original(2, 1) == (4, 4)
    m = normalize("abc")
    assert m.span_to_original(-1, 10) == (0, 3)
    assert m.span_to_original(5, 7) == (3, 3)


def test_normalized_text_value_semantics() -> None:
    a = normalize("通 讯 录")
    b = normalize("通 讯 录")
    assert a == b and hash(a) == hash(b)
    assert a != normalize("通讯录")
    assert "mapped" in repr(a) and "identity" in repr(normalize("通讯录"))
    assert NormalizedText("ab", "ab") == normalize("ab")
    assert a.to_original(1) == 2


# --- batches, paths and robustness ------------------------------------------------------------


CASES = [
    "",
    "通 讯 录",
    "今天不还就爆你TXL",
    "尊敬的张三，您的借款已逾期3天。",
    "你這個老賴",
    "请登录APP或TXL查看",
    "B马BC",
    "\u200b",
    "a\x00b",
    "plain ascii",
    "通\udcff讯",
]


def test_normalize_many_agrees_with_normalize() -> None:
    texts = CASES * 5
    assert normalize_many(texts) == [normalize(t) for t in texts]
    assert normalize_many([]) == []
    assert normalize_many(CASES[:2]) == [normalize(t) for t in CASES[:2]]


def test_normalize_many_accepts_any_sequence() -> None:
    texts = tuple(CASES[1:6])
    assert [n.text for n in normalize_many(texts)] == [norm(t) for t in texts]


@pytest.mark.parametrize("text", CASES)
def test_fast_and_slow_paths_agree(text: str) -> None:
    fast, slow = normalize(text), _normalize_slow(text)
    assert fast.text == slow.text
    assert fast.origin == slow.origin


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02\x1f\x7f\x80\x9f",
        "通\x01讯\x02录",
        "\udcff\udc80 abc \ud800",  # lone surrogates, as from errors="surrogateescape"
        "\u0301\u0302\u0303",  # combining marks with no base
        "e\u0301\u0301\u0301通",
        "\U0001f600" * 10,
        "\U00020000\U0002a6d6 𠀀",
        "\ufffd\uffff\U0010ffff",
        " \t\r\n" * 5,
    ],
)
def test_never_raises(text: str) -> None:
    n = normalize(text)
    assert 0 <= n.span_to_original(0, len(n.text))[1] <= len(text)
    assert normalize_many([text] * 5) == [n] * 5


def test_one_megabyte_line() -> None:
    chunk = "尊敬的用户，您的借款已逾期，请尽快还款。通 讯 录 txl 傻b\u200b"
    text = chunk * (1_000_000 // len(chunk))
    t0 = time.perf_counter()
    n = normalize(text)
    elapsed = time.perf_counter() - t0
    assert n.text.count("通讯录") == 2 * (len(text) // len(chunk))
    assert n.quote(0, 5) == "尊敬的用户"
    assert elapsed < 30  # linear, not quadratic (about a second on a quiet machine)


def test_long_runs_are_linear() -> None:
    for text in ("通" * 200_000, " " * 200_000, "通 " * 100_000, "通," * 100_000, "a" * 200_000):
        t0 = time.perf_counter()
        normalize(text)
        assert time.perf_counter() - t0 < 10
