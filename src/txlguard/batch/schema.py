"""The record schema of an audit: which fields a record has, how file columns map onto them.

Every reader (CSV, JSONL, Parquet; later Spark tables) turns its rows into the same all-string
*input frame* (:data:`INPUT_COLUMNS`), so that one pure function (:func:`txlguard.batch.chunk.process_chunk`)
can work on any engine's chunks. Values stay strings until that function parses them: a bad
timestamp is then a rejected row with a reason, never a crash of the reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final, Literal

from txlguard.ingest.readers.tabular import SYNONYMS

RecordField = Literal[
    "id", "borrower_id", "counterparty", "recipient", "agent_id", "channel", "timestamp", "text",
    "direction", "duration",
]  # fmt: skip
RECORD_FIELDS: Final[tuple[RecordField, ...]] = (
    "id",
    "borrower_id",
    "counterparty",
    "recipient",
    "agent_id",
    "channel",
    "timestamp",
    "text",
    "direction",
    "duration",
)
"""The fields of one record. ``direction`` and ``duration`` are optional extras for call logs."""

FIELD_ZH: Final[dict[RecordField, str]] = {
    "id": "记录编号",
    "borrower_id": "借款人/案件编号",
    "counterparty": "对方号码",
    "recipient": "收信人身份",
    "agent_id": "催收员编号",
    "channel": "渠道",
    "timestamp": "时间",
    "text": "内容",
    "direction": "方向",
    "duration": "通话时长",
}

#: Column names tried, in order, when ``--column-map`` does not name a field's column.
RECORD_SYNONYMS: Final[dict[RecordField, tuple[str, ...]]] = {
    "id": ("id", "msg_id", "message_id", "record_id", "记录编号", "编号", "序号", "消息编号"),
    "borrower_id": (
        "borrower_id", "borrower", "case_id", "case", "debtor_id", "loan_id", "customer_id", "user_id",
        "借款人", "借款人编号", "借款人id", "案件编号", "案件号", "客户编号", "债务人编号",
    ),
    "counterparty": SYNONYMS["counterparty"],
    "recipient": SYNONYMS["recipient"],
    "agent_id": (
        "agent_id", "agent", "collector_id", "collector", "operator", "staff_id", "催收员", "催收员编号",
        "坐席", "坐席编号", "工号", "操作员",
    ),
    "channel": ("channel", "type", "kind", "渠道", "类型", "方式", "消息类型"),
    "timestamp": ("timestamp", *SYNONYMS["time"]),
    "text": SYNONYMS["text"],
    "direction": SYNONYMS["direction"],
    "duration": SYNONYMS["duration"],
}  # fmt: skip

REQUIRED_FIELDS: Final[tuple[RecordField, ...]] = ("text",)
"""A file without a text column cannot be audited; without an id column, ids are ``file:row``."""

SOURCE_FILE, SOURCE_ROW, READ_ERROR = "source_file", "source_row", "read_error"
INPUT_COLUMNS: Final[tuple[str, ...]] = (*RECORD_FIELDS, SOURCE_FILE, SOURCE_ROW, READ_ERROR)
"""The input frame: every record field as a string (or None), where it came from, and a reader's
complaint about the row (undecodable bytes, wrong column count, bad JSON) or None."""


class BatchInputError(ValueError):
    """Input that cannot be audited at all (unreadable file, unknown column); the message is Chinese."""


ColumnMap = Mapping[str, str]


def parse_column_map(spec: str | Sequence[str] | None) -> dict[RecordField, str]:
    """``id=msg_id,text=content`` (or several such options) → field → column name."""
    if spec is None:
        return {}
    parts: list[str] = []
    for item in [spec] if isinstance(spec, str) else spec:
        parts.extend(p for p in re.split(r"[,，]", item) if p.strip())
    mapping: dict[RecordField, str] = {}
    for part in parts:
        field, sep, column = part.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise BatchInputError(f"列映射「{part}」应写成 字段=列名，例如 id=msg_id,text=content")
        if field not in RECORD_FIELDS:
            raise BatchInputError(f"列映射里的字段 {field} 不认识，可用的字段：{'、'.join(RECORD_FIELDS)}")
        mapping[field] = column
    return mapping


def _key(column: str) -> str:
    return re.sub(r"[\s_\-]+", "_", column.strip().lower().lstrip("\ufeff"))


def resolve_columns(
    columns: Sequence[str], mapping: Mapping[RecordField, str], name: str
) -> dict[RecordField, str]:
    """Field → actual column: the explicit mapping first, then the usual names; text is required."""
    by_key = {_key(c): c for c in columns}
    resolved: dict[RecordField, str] = {}
    for field, column in mapping.items():
        found = column if column in columns else by_key.get(_key(column))
        if found is None:
            raise BatchInputError(
                f"{name} 里没有列映射指定的列「{column}」（字段 {field}），现有列：{'、'.join(columns) or '（无）'}"
            )
        resolved[field] = found
    taken = set(resolved.values())
    for field in RECORD_FIELDS:
        if field in resolved:
            continue
        for synonym in RECORD_SYNONYMS[field]:
            found = by_key.get(_key(synonym))
            if found is not None and found not in taken:
                resolved[field] = found
                taken.add(found)
                break
    for field in REQUIRED_FIELDS:
        if field not in resolved:
            raise BatchInputError(
                f"{name} 里找不到{FIELD_ZH[field]}列（{field}）。现有列：{'、'.join(columns) or '（无）'}；"
                f"可以用 --column-map {field}=列名 指定"
            )
    return resolved
