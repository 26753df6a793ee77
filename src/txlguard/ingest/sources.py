"""One entry point for every file a borrower brings: sniff what it really is, then read it.

The content decides, not the name: a PNG called ``calls.csv`` is read as a screenshot, a ZIP called
``shot.png`` is refused. The extension only breaks ties between text formats (``.csv``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal

from txlguard.ingest.models import Communication, Evidence, IngestError
from txlguard.ingest.readers.android import read_android_backup
from txlguard.ingest.readers.base import check_size, decode_text
from txlguard.ingest.readers.chat import SELF_NAMES, looks_like_chat, read_chat_export
from txlguard.ingest.readers.image import describe_binary, read_image, refuse_not_image, sniff_image
from txlguard.ingest.readers.tabular import (
    PARQUET_MAGIC,
    SYNONYMS,
    ColumnMapping,
    read_csv,
    read_jsonl,
    read_parquet,
)
from txlguard.ingest.readers.text import read_text

if TYPE_CHECKING:
    from txlguard.ingest.ocr import OcrEngine

SourceKind = Literal["image", "parquet", "xml", "jsonl", "csv", "chat", "text"]

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".heic", ".heif", ".tif", ".tiff"}
)
TABLE_SUFFIXES = frozenset({".csv", ".tsv"})
_JSON_ARRAY = re.compile(r"\[\s*[{\]]")  # not "[2024-03-01 21:15] 张三：…" chat lines
_KNOWN_COLUMNS = frozenset(s.strip().lower() for names in SYNONYMS.values() for s in names)


def _suffix(name: str) -> str:
    return PurePath(name).suffix.lower()


def _looks_like_table(text: str) -> bool:
    """A header row of at least two cells, two of which are column names we know."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    for delimiter in (",", "\t", ";", "|"):
        cells = [c.strip().lower() for c in next(csv.reader([header], delimiter=delimiter))]
        if len(cells) >= 2 and sum(c in _KNOWN_COLUMNS for c in cells) >= 2:
            return True
    return False


def sniff(data: bytes, name: str) -> SourceKind:
    """What the bytes are, by their content; raises IngestError for what we never read."""
    check_size(data, name)
    if sniff_image(data):
        return "image"
    if _suffix(name) in IMAGE_SUFFIXES:
        raise refuse_not_image(data, name)
    if data.startswith(PARQUET_MAGIC):
        return "parquet"
    binary = describe_binary(data)
    if binary:
        raise IngestError(f"{name} 是{binary}，不能直接读取；压缩包请先解压，再把里面的文件分别添加")
    text, _ = decode_text(data, name)
    head = text.lstrip()
    if not head:
        raise IngestError(f"{name} 里只有空白，没有可读取的内容")
    if head.startswith("<"):
        return "xml"
    if head.startswith("{") or _JSON_ARRAY.match(head):
        return "jsonl"
    if _suffix(name) in TABLE_SUFFIXES or _looks_like_table(text):
        return "csv"
    if looks_like_chat(text):
        return "chat"
    return "text"


def read_evidence(
    data: bytes,
    name: str,
    *,
    mapping: ColumnMapping | None = None,
    ocr_engine: OcrEngine | None = None,
    self_names: Collection[str] = SELF_NAMES,
) -> tuple[Evidence, list[Communication]]:
    """Read any supported file into its evidence record and the messages or calls in it.

    ``mapping`` names the columns of a CSV/JSONL/Parquet table explicitly; ``self_names`` are the
    borrower's own names in chat exports; ``ocr_engine`` replaces the packaged RapidOCR engine.
    Raises :class:`IngestError` (a Chinese message) for anything unreadable, hostile or too large.
    """
    kind = sniff(data, name)
    if kind == "image":
        return read_image(data, name, engine=ocr_engine)
    if kind == "parquet":
        return read_parquet(data, name, mapping)
    if kind == "xml":
        return read_android_backup(data, name)
    if kind == "jsonl":
        return read_jsonl(data, name, mapping)
    if kind == "csv":
        return read_csv(data, name, mapping)
    if kind == "chat":
        return read_chat_export(data, name, self_names=self_names)
    return read_text(data, name)
