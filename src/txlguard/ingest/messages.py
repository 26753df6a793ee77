"""Read messages for `scan`: JSONL, CSV or plain text (one message per line), in any common encoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from txlguard.detect.models import MessageInput
from txlguard.ingest.decoding import decode_bytes
from txlguard.ingest.jsonl import JsonlError, first_line, read_jsonl

MAX_MESSAGE_CHARS = 1_000_000

_TEXT_COLUMNS = ("text", "content", "message", "body", "短信内容", "内容", "消息", "文本")
_ID_COLUMNS = ("id", "msg_id", "message_id", "编号", "序号")


class MessageFileError(ValueError):
    """A message file cannot be read; the message is Chinese and names the line or column."""


@dataclass(frozen=True)
class MessageFile:
    encoding: str
    format: str
    messages: list[MessageInput]


def _detect_format(text: str, name: str) -> str:
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".txt", ".text")):
        return "text"
    first = first_line(text)
    return "jsonl" if first is not None and first[1].startswith("{") else "text"


def _jsonl(text: str) -> Iterator[MessageInput]:
    try:
        for number, raw in read_jsonl(text):
            try:
                yield MessageInput.model_validate(raw)
            except ValidationError as exc:
                err = exc.errors()[0]
                field = ".".join(str(p) for p in err["loc"])
                raise MessageFileError(
                    f"第{number}行字段 {field} 取值无效（recipient 只能是 borrower、contact 或 unknown）"
                ) from exc
    except JsonlError as exc:
        raise MessageFileError(str(exc)) from exc


def _csv(text: str) -> Iterator[MessageInput]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    text_col = next((c for c in _TEXT_COLUMNS if c in columns), None)
    if text_col is None:
        raise MessageFileError(
            f"CSV 里没有文本列（应为 {'、'.join(_TEXT_COLUMNS)} 之一），现有列：{'、'.join(columns)}"
        )
    id_col = next((c for c in _ID_COLUMNS if c in columns), None)
    originals = dict(zip(columns, reader.fieldnames or [], strict=True))
    for number, row in enumerate(reader, 2):
        recipient = (row.get(originals.get("recipient", ""), "") or "").strip() or None
        if recipient not in (None, "borrower", "contact", "unknown"):
            raise MessageFileError(f"CSV 第{number}行 recipient 只能是 borrower、contact 或 unknown")
        yield MessageInput(
            id=(row.get(originals[id_col]) or str(number - 1)) if id_col else str(number - 1),
            text=row.get(originals[text_col]) or "",
            recipient=recipient,
        )


def _plain(text: str) -> Iterator[MessageInput]:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield MessageInput(id=str(number), text=line)


def read_messages(data: bytes, name: str = "输入") -> MessageFile:
    """Decode and parse; every message's text is checked against the size limit."""
    text, encoding = decode_bytes(data, name)
    kind = _detect_format(text, name)
    reader = {"jsonl": _jsonl, "csv": _csv, "text": _plain}[kind]
    messages = list(reader(text))
    for message in messages:
        if len(message.text) > MAX_MESSAGE_CHARS:
            raise MessageFileError(f"消息 {message.id} 超过 {MAX_MESSAGE_CHARS} 个字符，请拆分后再检查")
    return MessageFile(encoding=encoding, format=kind, messages=messages)
