"""The JSONL line reader that `scan` and `policy` share."""

from __future__ import annotations

import json

import pytest

from txlguard.ingest.jsonl import JsonlError, read_jsonl
from txlguard.ingest.messages import MessageFileError, read_messages


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_raw_line_separators_inside_a_string_do_not_split_the_line(separator: str) -> None:
    text = f"我们会读取您的通讯录{separator}并上传。"
    line = json.dumps({"id": "x", "text": text}, ensure_ascii=False)
    assert separator in line  # json keeps these raw; str.splitlines() would cut here
    rows = list(read_jsonl(line + "\r\n" + '{"id": 2, "text": "b"}\n'))
    assert [(n, r["id"], r["text"]) for n, r in rows] == [(1, "x", text), (2, "2", "b")]
    messages = read_messages((line + "\n").encode("utf-8"), "in.jsonl").messages
    assert [m.text for m in messages] == [text]


def test_ids_must_be_strings_or_integers() -> None:
    assert [r["id"] for _, r in read_jsonl('{"text": "a"}\n\n{"id": 7, "text": "b"}\n')] == ["1", "7"]
    for ident, kind in [("1.5", "小数"), ("true", "布尔值"), ('{"a": 1}', "对象"), ("[1]", "数组")]:
        with pytest.raises(JsonlError, match=f"第2行的 id 应为字符串或整数，而不是{kind}"):
            list(read_jsonl('{"id": "a", "text": "x"}\n{"id": ' + ident + ', "text": "y"}\n'))


def test_errors_are_chinese_and_name_line_and_column() -> None:
    with pytest.raises(JsonlError) as caught:
        list(read_jsonl('{"id": "1", "text": "a"}\n{"id": 2, "text": \n'))
    assert str(caught.value) == "第2行不是有效的 JSON（第19列附近）"
    with pytest.raises(MessageFileError, match=r"^第1行应为 JSON 对象"):
        read_messages(b"[1]\n", "in.jsonl")
    with pytest.raises(MessageFileError, match=r"^第1行的 id"):
        read_messages(b'{"id": 1.5, "text": "a"}\n', "in.jsonl")
