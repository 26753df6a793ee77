"""Chat exports in the text shapes QQ, WeChat and copy-paste produce."""

from __future__ import annotations

from datetime import datetime

import pytest

from txlguard.ingest.models import IngestError
from txlguard.ingest.readers.chat import looks_like_chat, read_chat_export

QQ_STYLE = """消息记录（此消息记录为文本格式，不支持重新导入）

================================================================
消息分组:我的好友
================================================================
消息对象:催收小王
================================================================

2024-03-01 21:15:03 催收小王(2811234567)
你在速借宝的借款已经逾期了
今天之内必须还清

2024-03-01 21:16:10 我
我明天发工资就还

2024-03-01 23:05:00 催收小王(2811234567)
再不还就把你的事发到你们公司群里
"""

SENDER_FIRST = """张经理 2024/3/1 21:15
今天必须还款
我 2024/3/1 21:17
知道了，宽限两天
张经理 2024/3/2 7:02
你这个老赖，等着全家被打电话吧
"""

WECHAT_HEADERS = """2024年3月1日 21:15
催收员：你再不还钱我们就打给你的紧急联系人
我：宽限两天
2024年3月2日 下午11:40
催收员：最后通牒，明早之前还款
"""

DATE_SEPARATORS = """—————  2024-03-01  —————
李经理 21:15
你好，在吗
我 21:16
在
李经理 23:50:12
你妈的电话我已经打过了
"""

ONE_LINE = """2024-03-01 21:15 【速借宝】您已逾期3天，请尽快还款
2024-03-01 23:30 【速借宝】今天不还就通知你的联系人
"""


def _read(text: str, encoding: str = "utf-8") -> list[tuple[datetime | None, str, str | None, str]]:
    _, items = read_chat_export(text.encode(encoding), "chat.txt")
    return [(c.timestamp, c.direction, c.counterparty, c.text) for c in items]


def test_timestamp_then_sender() -> None:
    assert looks_like_chat(QQ_STYLE)
    assert _read(QQ_STYLE, "gb18030") == [
        (
            datetime(2024, 3, 1, 21, 15, 3),
            "incoming",
            "催收小王(2811234567)",
            "你在速借宝的借款已经逾期了\n今天之内必须还清",
        ),
        (datetime(2024, 3, 1, 21, 16, 10), "outgoing", "催收小王(2811234567)", "我明天发工资就还"),
        (datetime(2024, 3, 1, 23, 5), "incoming", "催收小王(2811234567)", "再不还就把你的事发到你们公司群里"),
    ]


def test_sender_then_timestamp() -> None:
    assert _read(SENDER_FIRST) == [
        (datetime(2024, 3, 1, 21, 15), "incoming", "张经理", "今天必须还款"),
        (datetime(2024, 3, 1, 21, 17), "outgoing", "张经理", "知道了，宽限两天"),
        (datetime(2024, 3, 2, 7, 2), "incoming", "张经理", "你这个老赖，等着全家被打电话吧"),
    ]


def test_wechat_time_headers_with_sender_colon_lines() -> None:
    assert _read(WECHAT_HEADERS) == [
        (datetime(2024, 3, 1, 21, 15), "incoming", "催收员", "你再不还钱我们就打给你的紧急联系人"),
        (datetime(2024, 3, 1, 21, 15), "outgoing", "催收员", "宽限两天"),
        (datetime(2024, 3, 2, 23, 40), "incoming", "催收员", "最后通牒，明早之前还款"),
    ]


def test_date_separators_and_clock_only_headers() -> None:
    assert _read(DATE_SEPARATORS) == [
        (datetime(2024, 3, 1, 21, 15), "incoming", "李经理", "你好，在吗"),
        (datetime(2024, 3, 1, 21, 16), "outgoing", "李经理", "在"),
        (datetime(2024, 3, 1, 23, 50, 12), "incoming", "李经理", "你妈的电话我已经打过了"),
    ]


def test_timestamp_and_text_on_one_line() -> None:
    assert _read(ONE_LINE) == [
        (datetime(2024, 3, 1, 21, 15), "unknown", None, "【速借宝】您已逾期3天，请尽快还款"),
        (datetime(2024, 3, 1, 23, 30), "unknown", None, "【速借宝】今天不还就通知你的联系人"),
    ]


def test_bracketed_timestamps() -> None:
    text = "[2024-03-01 21:15:03] 张三: 你好，还钱\n[2024-03-01 23:15:03] 我: 明天\n【2024-03-02 01:00】张三：不行\n"
    assert _read(text) == [
        (datetime(2024, 3, 1, 21, 15, 3), "incoming", "张三", "你好，还钱"),
        (datetime(2024, 3, 1, 23, 15, 3), "outgoing", "张三", "明天"),
        (datetime(2024, 3, 2, 1, 0), "incoming", "张三", "不行"),
    ]


def test_self_names_and_channel() -> None:
    _, items = read_chat_export(SENDER_FIRST.encode(), "c.txt", self_names={"张经理"}, channel="wechat")
    assert [c.direction for c in items] == ["outgoing", "incoming", "outgoing"]
    assert {c.channel for c in items} == {"wechat"}


@pytest.mark.parametrize(
    "text",
    [
        "你好\n这是普通文本\n2024年3月1日 18:00前请还款\n",
        "【速借宝】您已逾期，请于2024-03-01 18:00前还款。\n逾期将影响征信。\n",
        "只有一个头 2024-03-01 21:15\n内容\n",
    ],
)
def test_ordinary_text_is_not_a_chat(text: str) -> None:
    assert not looks_like_chat(text)


def test_empty_chat_refused() -> None:
    with pytest.raises(IngestError, match="空"):
        read_chat_export(b"", "chat.txt")
