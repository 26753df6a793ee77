"""The scanner's shortcuts give exactly what the long way gives (speed lives in benchmarks/)."""

from __future__ import annotations

from itertools import pairwise

from txlguard.detect import MessageInput, Scanner, ScanResult
from txlguard.detect.automaton import CharIndex, char_offsets
from txlguard.detect.fold import default_fold
from txlguard.detect.view import MAX_SEGMENT, MessageView

#: Messages full of what the fold and the normaliser deal with, some of them repeated.
EVASIONS = [
    "今天不还就给你通讯录所有人发信息",
    "通訊錄裡所有人明天都會收到你欠錢的消息，今天不還就等著吧。",
    "ＴＸＬ已經準備好，不還錢就爆你通訊錄。",
    "今天不还就爆你通\u200b讯\u200b录",
    "今天不还就爆你 通 讯 录",
    "再不还钱就把你P成裸照发到你家族群里😡",
    "你這個老賴，再不還錢就聯系你的通*讯*录，讓所有人知道",
    "您是张三的紧急联系人，他在易融花借款3000元已逾期4天，请转告他尽快还款",
    "𝐓𝐗𝐋已导出，傻ｂ，最后通牒",
    "\ud800孤立的代理项\ufeff不还就上门",
    "",
]


def _dump(results: list[ScanResult]) -> list[dict[str, object]]:
    return [r.model_dump() for r in results]


def test_fold_list_table_equals_the_dict_table() -> None:
    fold = default_fold()
    every_bmp_char = "".join(chr(cp) for cp in range(0x10000))
    assert fold.apply(every_bmp_char) == every_bmp_char.translate(fold.table)
    for text in EVASIONS:
        assert fold.apply(text) == text.translate(fold.table)
        assert len(fold.apply(text)) == len(text)


def test_char_offsets_agree_with_char_index() -> None:
    for text in [*EVASIONS, "ascii only", "混合 mixed 文字 ①②"]:
        data = text.encode("utf-8", "surrogatepass")
        table = char_offsets(data)
        index = CharIndex(data)
        for offset in range(len(data) + 1):
            expected = index.char(offset)
            assert (offset if table is None else table[offset]) == expected


def test_reusing_identical_messages_changes_nothing(scanner: Scanner) -> None:
    msgs = [
        MessageInput(id=f"{n}-{i}", text=text, recipient=recipient)
        for n in range(3)
        for i, text in enumerate(EVASIONS)
        for recipient in (None, "borrower", "contact")
    ]
    reusing = Scanner(reuse_identical=True).scan_batch(msgs)
    fresh = Scanner(reuse_identical=False).scan_batch(msgs)
    assert _dump(reusing) == _dump(fresh)
    assert _dump(reusing) == _dump([scanner.scan(m) for m in msgs])
    assert [r.id for r in reusing] == [m.id for m in msgs]


def test_reused_results_are_independent_objects() -> None:
    msgs = [MessageInput(id=str(i), text=EVASIONS[0], recipient="contact") for i in range(2)]
    first, second = Scanner(reuse_identical=True).scan_batch(msgs)
    assert first.detections and first.model_dump(exclude={"id"}) == second.model_dump(exclude={"id"})
    assert first.detections[0] is not second.detections[0]
    first.detections[0].provisions.append("changed")
    first.labels.append("changed")
    assert "changed" not in second.detections[0].provisions
    assert "changed" not in second.labels


def test_sentences_of_short_and_long_messages(scanner: Scanner) -> None:
    short = "今天不还就爆你通讯录。你等着！"
    view = MessageView(short, [], scanner.context, scanner.cues)
    assert view.segments() == [(0, 11), (11, len(short))]
    long = "，".join(EVASIONS[:8]) * 3 + "。" + "通讯录" * 100
    view = MessageView(long, [], scanner.context, scanner.cues)
    segments = view.segments()
    assert segments[0][0] == 0 and segments[-1][1] == len(long)
    assert all(a[1] == b[0] for a, b in pairwise(segments))
    assert all(0 < e - s <= MAX_SEGMENT for s, e in segments)
