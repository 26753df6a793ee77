"""Pasted text and plain-text files in every encoding borrowers' phones and PCs write."""

from __future__ import annotations

import codecs
import hashlib

import pytest

from txlguard.ingest.models import IngestError
from txlguard.ingest.readers.base import MAX_FILE_BYTES, parse_timestamp
from txlguard.ingest.readers.text import read_pasted_text, read_text

MESSAGES = [
    "【速借宝】您的借款已逾期7天，请今日还款。",
    "不还钱就把你的欠款信息发给你通讯录里的所有联系人！",
    "你是李建国的紧急联系人，请转告他尽快还款。",
]


def test_pasted_text_one_message_per_line() -> None:
    evidence, items = read_pasted_text("\n".join(MESSAGES) + "\n\n")
    assert [c.text for c in items] == MESSAGES
    assert {c.channel for c in items} == {"text"}
    assert evidence.source_name == "pasted text"
    assert evidence.kind == "text"
    assert evidence.media_type == "text/plain"
    assert evidence.sha256 == hashlib.sha256(("\n".join(MESSAGES) + "\n\n").encode()).hexdigest()
    assert [c.index for c in items] == [0, 1, 2]
    assert items[1].id == f"{evidence.sha256[:12]}:1"


def test_paragraphs_keep_multi_line_messages_together() -> None:
    text = "第一条：您已逾期，\n请尽快还款。\n\n第二条：今天不还\n就上门。\r\n\r\n第三条"
    _, items = read_pasted_text(text)
    assert [c.text for c in items] == [
        "第一条：您已逾期，\n请尽快还款。",
        "第二条：今天不还\n就上门。",
        "第三条",
    ]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gbk", b""), ("gb18030", b""), ("utf-16", b"")],
)
def test_encodings_detected(encoding: str, prefix: bytes) -> None:
    # GB18030 only: 𠮷 (U+20BB7) has a four-byte GB18030 code and no GBK code
    lines = [*MESSAGES, "生僻字𠮷也要读对"] if encoding == "gb18030" else MESSAGES
    data = prefix + "\r\n".join(lines).encode(encoding)
    evidence, items = read_text(data, "messages.txt")
    assert [c.text for c in items] == lines
    assert evidence.size == len(data)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("こんにちは、お支払いが遅れています。至急ご連絡ください。", "shift_jis"),
        ("你好，請儘快還款，否則我們將通知你的聯絡人。", "big5"),
        ("Café crème brûlée déjà vu à la française", "latin-1"),
    ],
)
def test_wrong_encodings_refused_in_chinese(text: str, encoding: str) -> None:
    with pytest.raises(IngestError, match="编码") as caught:
        read_text(text.encode(encoding), "wrong.txt")
    assert "wrong.txt" in str(caught.value)
    assert "UTF-8" in str(caught.value)


def test_binary_refused() -> None:
    with pytest.raises(IngestError, match="不是文本文件"):
        read_text(b"abc\x00\x01\x02" * 10, "data.bin")


@pytest.mark.parametrize("data", [b"", b"  \n\r\n\t  \n"])
def test_empty_input_refused(data: bytes) -> None:
    with pytest.raises(IngestError, match=r"空|没有读到"):
        read_text(data, "empty.txt")
    with pytest.raises(IngestError, match="空"):
        read_pasted_text(data.decode())


def test_size_cap() -> None:
    with pytest.raises(IngestError, match="太大"):
        read_text(b"a\n" * (MAX_FILE_BYTES // 2 + 1), "huge.txt")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-01 21:15:03", "2024-03-01T21:15:03"),
        ("2024/3/1 21:15", "2024-03-01T21:15:00"),
        ("2024.3.1 9:05", "2024-03-01T09:05:00"),
        ("2024年3月1日 21:15", "2024-03-01T21:15:00"),
        ("2024年3月1日 星期五 下午9:15", "2024-03-01T21:15:00"),
        ("2024年3月1日 凌晨12:05", "2024-03-01T00:05:00"),
        ("2024年3月1日 中午12:30", "2024-03-01T12:30:00"),
        ("2024-03-01T21:15:03+08:00", "2024-03-01T21:15:03+08:00"),
        ("1709298903000", "2024-03-01T21:15:03+08:00"),
        ("1709298903", "2024-03-01T21:15:03+08:00"),
    ],
)
def test_timestamps(raw: str, expected: str) -> None:
    parsed = parse_timestamp(raw)
    assert parsed is not None
    assert parsed.isoformat() == expected


@pytest.mark.parametrize("raw", ["", "明天", "2024-02-30 10:00", "25:00", "2024年13月1日"])
def test_not_timestamps(raw: str) -> None:
    assert parse_timestamp(raw) is None
