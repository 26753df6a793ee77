"""The JSONL line reader that `scan` and `policy` share: ``{"id", "text", …}`` objects, one a line.

Lines are split on "\\n" only (a trailing "\\r" is dropped): ``str.splitlines()`` would also split at
U+2028, U+0085 or \\x0b, which JSON allows raw inside a string, and so break valid lines apart.
Errors are Chinese and name the line; json's English messages are not passed on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


class JsonlError(ValueError):
    """A JSONL line cannot be read; the message is Chinese and names the line."""


def jsonl_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) of every non-blank line, split on "\\n" only."""
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if line.strip():
            yield number, line


def first_line(text: str) -> tuple[int, str] | None:
    """The first non-blank line, stripped, with its number; None for blank text."""
    for number, line in jsonl_lines(text):
        return number, line.strip()
    return None


def parse_object(line: str, number: int) -> dict[str, Any]:
    """One line as a JSON object, or :class:`JsonlError` saying where it went wrong."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise JsonlError(f"第{number}行不是有效的 JSON（第{exc.colno}列附近）") from exc
    if not isinstance(raw, dict):
        raise JsonlError(f"第{number}行应为 JSON 对象（{{...}}），而不是{_kind_zh(raw)}")
    return raw


def is_object_line(line: str) -> bool:
    """Whether the line parses as a JSON object (how JSONL input is told from a document)."""
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def read_jsonl(text: str, max_chars: int | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each line's number and object with ``text`` a string and ``id`` a string (the line number when absent);
    an id that is not a string or an integer, or a missing text, is an error naming the line."""
    for number, line in jsonl_lines(text):
        raw = parse_object(line, number)
        if not isinstance(raw.get("text"), str):
            raise JsonlError(f"第{number}行缺少文本字段 text（应为字符串）")
        if max_chars is not None and len(raw["text"]) > max_chars:
            raise JsonlError(f"第{number}行的文本超过 {max_chars} 个字符，请拆分后再检查")
        ident = raw.get("id")
        if ident is None:
            raw["id"] = str(number)
        elif isinstance(ident, str) or (isinstance(ident, int) and not isinstance(ident, bool)):
            raw["id"] = str(ident)
        else:
            raise JsonlError(f"第{number}行的 id 应为字符串或整数，而不是{_kind_zh(ident)}")
        yield number, raw


def _kind_zh(value: object) -> str:
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, float):
        return "小数"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, list):
        return "数组"
    if isinstance(value, dict):
        return "对象"
    if value is None:
        return "null"
    return "字符串"
