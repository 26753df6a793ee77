"""Readers: bytes a borrower has → ``(Evidence, [Communication])``. See :mod:`txlguard.ingest.sources`
for the dispatcher that sniffs the content and picks one."""

from txlguard.ingest.readers.android import read_android_backup
from txlguard.ingest.readers.base import MAX_COMMUNICATIONS, MAX_FILE_BYTES, ReadResult, parse_timestamp
from txlguard.ingest.readers.chat import looks_like_chat, read_chat_export
from txlguard.ingest.readers.image import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, read_image, sniff_image
from txlguard.ingest.readers.tabular import FIELDS, ColumnMapping, read_csv, read_jsonl, read_parquet
from txlguard.ingest.readers.text import read_pasted_text, read_text

__all__ = [
    "FIELDS",
    "MAX_COMMUNICATIONS",
    "MAX_FILE_BYTES",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "ColumnMapping",
    "ReadResult",
    "looks_like_chat",
    "parse_timestamp",
    "read_android_backup",
    "read_chat_export",
    "read_csv",
    "read_image",
    "read_jsonl",
    "read_parquet",
    "read_pasted_text",
    "read_text",
    "sniff_image",
]
