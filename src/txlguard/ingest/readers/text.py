"""Pasted text and plain-text files: one message per paragraph, or per line when there are no paragraphs."""

from __future__ import annotations

import re

from txlguard.ingest.models import Channel, Communication, Evidence, IngestError
from txlguard.ingest.readers.base import PASTED, ReadResult, check_size, decode_text, require_items

_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


def split_messages(text: str) -> list[str]:
    """Paragraphs (separated by blank lines) when the text has them, otherwise lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = _BLANK_LINE.split(text) if _BLANK_LINE.search(text.strip()) else text.split("\n")
    return [part.strip() for part in parts if part.strip()]


def text_communications(
    text: str, sha256: str, *, channel: Channel = "text", counterparty: str | None = None
) -> list[Communication]:
    return [
        Communication(
            evidence_sha256=sha256, index=i, channel=channel, text=message, counterparty=counterparty
        )
        for i, message in enumerate(split_messages(text))
    ]


def read_text(data: bytes, name: str = PASTED, *, channel: Channel = "text") -> ReadResult:
    """A plain-text file in UTF-8 (with or without BOM), GBK or GB18030."""
    check_size(data, name)
    text, _ = decode_text(data, name)
    evidence = Evidence.of(data, media_type="text/plain", source_name=name, kind="text")
    return evidence, require_items(text_communications(text, evidence.sha256, channel=channel), name)


def read_pasted_text(text: str, *, channel: Channel = "text", name: str = PASTED) -> ReadResult:
    """Text pasted into a form or piped in; kept as its UTF-8 bytes."""
    if not text.strip():
        raise IngestError("粘贴的内容是空的，请粘贴催收短信或聊天内容")
    return read_text(text.encode("utf-8"), name, channel=channel)
