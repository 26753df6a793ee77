"""Tables of messages or calls: CSV (any delimiter, any encoding), JSONL / JSON arrays, Parquet.

Columns are found by their usual Chinese and English names (``时间``/``time``, ``号码``/``number``,
``内容``/``text``, ``类型``/``type``…) or named explicitly with a mapping such as
``{"time": "发送时间", "counterparty": "对方号码", "text": "短信内容"}``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Literal

from txlguard.ingest.jsonl import JsonlError, jsonl_lines, parse_object
from txlguard.ingest.models import Channel, Communication, Direction, Evidence, IngestError
from txlguard.ingest.readers.base import (
    MAX_COMMUNICATIONS,
    ReadResult,
    check_size,
    decode_text,
    parse_channel,
    parse_direction,
    parse_duration,
    parse_timestamp,
    require_items,
)
from txlguard.taxonomy import Recipient

Field = Literal["time", "date", "counterparty", "name", "text", "direction", "type", "duration", "recipient"]
FIELDS: Final[tuple[Field, ...]] = (
    "time",
    "date",
    "counterparty",
    "name",
    "text",
    "direction",
    "type",
    "duration",
    "recipient",
)

ColumnMapping = Mapping[str, str]
"""Field (one of :data:`FIELDS`) → column name in the file."""

SYNONYMS: Final[dict[Field, tuple[str, ...]]] = {
    "time": (
        "time", "datetime", "timestamp", "date_time", "sent_at", "sent_time", "send_time", "received_at",
        "receive_time", "created_at", "call_time", "start_time", "readable_date", "date",
        "时间", "发送时间", "接收时间", "收到时间", "发信时间", "短信时间", "消息时间", "通话时间", "来电时间",
        "拨打时间", "开始时间", "通话开始时间", "日期时间", "时间戳",
    ),
    "date": ("日期", "通话日期", "发送日期", "day"),
    "counterparty": (
        "number", "phone", "phone_number", "phonenumber", "address", "from", "sender", "caller", "counterparty",
        "mobile", "tel", "号码", "电话", "电话号码", "手机", "手机号", "手机号码", "对方号码", "来电号码",
        "发送号码", "发信号码", "发件人", "发信人", "发送方", "发送者", "对方", "联系方式",
    ),
    "name": ("contact_name", "contact", "name", "nickname", "联系人", "姓名", "名称", "昵称", "备注", "联系人姓名"),
    "text": (
        "text", "content", "message", "body", "msg", "sms", "短信内容", "短信", "内容", "消息", "消息内容",
        "文本", "信息", "信息内容", "聊天内容", "正文",
    ),
    "direction": ("direction", "dir", "in_out", "方向", "收发", "收/发", "收发类型", "呼叫方向"),
    "type": ("type", "kind", "channel", "category", "类型", "通话类型", "消息类型", "渠道", "方式", "来源"),
    "duration": (
        "duration", "duration_seconds", "seconds", "call_duration", "时长", "通话时长", "通话时长(秒)",
        "通话时长（秒）", "持续时间",
    ),
    "recipient": ("recipient", "role", "recipient_role", "收信人身份", "接收人身份", "身份", "对象"),
}  # fmt: skip

_UNANSWERED_CALL_CODES = {"3", "5", "6"}  # Android call log types: missed, rejected, blocked
_UNANSWERED = {
    "未接",
    "未接来电",
    "未接通",
    "missed",
    "拒接",
    "已拒接",
    "rejected",
    "挂断",
    "blocked",
    "拦截",
    "响铃",
}
_RECIPIENTS: Final[dict[str, Recipient]] = {
    "borrower": "borrower", "借款人": "borrower", "本人": "borrower", "债务人": "borrower",
    "contact": "contact", "联系人": "contact", "紧急联系人": "contact", "亲友": "contact", "第三方": "contact",
    "unknown": "unknown", "未知": "unknown",
}  # fmt: skip
MAX_PARQUET_UNCOMPRESSED = 512 * 1024 * 1024


def _key(column: str) -> str:
    return re.sub(r"[\s_\-]+", "_", column.strip().lower().lstrip("\ufeff"))


def resolve_columns(columns: Sequence[str], mapping: ColumnMapping | None, name: str) -> dict[Field, str]:
    """Field → actual column, from the explicit mapping first and the usual names second."""
    resolved: dict[Field, str] = {}
    by_key = {_key(c): c for c in columns}
    for field, column in (mapping or {}).items():
        if field not in FIELDS:
            raise IngestError(f"列映射里的字段 {field} 不认识，可用的字段：{'、'.join(FIELDS)}")
        if column not in columns and _key(column) not in by_key:
            raise IngestError(f"{name} 里没有列映射指定的列「{column}」，现有列：{'、'.join(columns)}")
        resolved[field] = column if column in columns else by_key[_key(column)]
    taken = set(resolved.values())
    for field in FIELDS:
        if field in resolved:
            continue
        for synonym in SYNONYMS[field]:
            found = by_key.get(_key(synonym))
            if found is not None and found not in taken:
                resolved[field] = found
                taken.add(found)
                break
    if "text" not in resolved and "time" not in resolved:
        raise IngestError(
            f"{name} 里找不到时间列或内容列。现有列：{'、'.join(columns) or '（无）'}；"
            "时间列可叫「时间」「发送时间」「time」等，内容列可叫「内容」「短信内容」「text」等，"
            "也可以明确指定列映射"
        )
    return resolved


def _cell(row: Mapping[str, Any], column: str | None) -> Any:
    if column is None:
        return None
    value = row.get(column)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _timestamp(row: Mapping[str, Any], columns: Mapping[Field, str], where: str) -> datetime | None:
    raw = _cell(row, columns.get("time"))
    day = _cell(row, columns.get("date"))
    if raw is None and day is None:
        return None
    moment = parse_timestamp(raw) if raw is not None else None
    if moment is None and day is not None:
        moment = parse_timestamp(f"{day} {raw or ''}".strip())
    if moment is None:
        raise IngestError(
            f"{where}的时间「{raw if raw is not None else day}」无法识别，请使用 2024-03-01 21:15 这样的格式"
        )
    return moment


def rows_to_communications(
    rows: Iterable[Mapping[str, Any]],
    columns: Mapping[Field, str],
    sha256: str,
    name: str,
    *,
    first_row: int = 1,
    default_channel: Channel | None = None,
) -> list[Communication]:
    """Turn mapped rows into communications; blank rows are skipped, bad cells name their row."""
    items: list[Communication] = []
    has_text = "text" in columns
    for number, row in enumerate(rows, first_row):
        where = f"{name} 第{number}行"
        text_value = _cell(row, columns.get("text"))
        text = "" if text_value is None else str(text_value)
        counterparty_value = _cell(row, columns.get("counterparty")) or _cell(row, columns.get("name"))
        timestamp = _timestamp(row, columns, where)
        if not text and timestamp is None and counterparty_value is None:
            continue
        kind = _cell(row, columns.get("type"))
        kind_text = str(kind).strip().lower() if kind is not None else ""
        channel = parse_channel(kind_text) if kind is not None else None
        direction: Direction = parse_direction(_cell(row, columns.get("direction")))
        if direction == "unknown" and kind is not None:
            direction = parse_direction(kind_text)
        duration_raw = _cell(row, columns.get("duration"))
        duration = parse_duration(duration_raw)
        if duration_raw is not None and duration is None:
            raise IngestError(f"{where}的通话时长「{duration_raw}」无法识别，请写成秒数或 00:02:05")
        if kind_text in _UNANSWERED:
            channel = "call"
        elif channel is None:
            channel = default_channel or ("call" if not has_text or duration is not None else "other")
        if channel == "call" and (kind_text in _UNANSWERED or kind_text in _UNANSWERED_CALL_CODES):
            direction, duration = "incoming", 0  # missed or rejected: never connected, whatever rang
        recipient_raw = _cell(row, columns.get("recipient"))
        recipient = _RECIPIENTS.get(str(recipient_raw).strip().lower()) if recipient_raw is not None else None
        items.append(
            Communication(
                evidence_sha256=sha256,
                index=len(items),
                channel=channel,
                direction=direction,
                counterparty=None if counterparty_value is None else str(counterparty_value),
                timestamp=timestamp,
                text=text,
                recipient=recipient,
                duration_seconds=duration if channel == "call" else None,
            )
        )
        if len(items) > MAX_COMMUNICATIONS:
            raise IngestError(f"{name} 含有超过 {MAX_COMMUNICATIONS} 条记录，请按时间拆分后分别添加")
    return require_items(items, name)


# -- CSV ----------------------------------------------------------------------------------------

_DELIMITERS = (",", "\t", ";", "|", "，")


def _delimiter(header: str) -> str:
    counts = {d: len(next(csv.reader([header], delimiter=d))) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def read_csv(data: bytes, name: str = "表格", mapping: ColumnMapping | None = None) -> ReadResult:
    """CSV or TSV with a header row, in UTF-8 (BOM or not), GBK or GB18030."""
    check_size(data, name)
    text, _ = decode_text(data, name)
    header = next((line for line in text.splitlines() if line.strip()), "")
    if not header:
        raise IngestError(f"{name} 里只有空行，没有表头和数据")
    delimiter = _delimiter(header)
    reader = csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=delimiter)
    try:
        columns = [c.strip() for c in next(reader)]
        columns_found = resolve_columns(columns, mapping, name)
        rows = [dict(zip(columns, record, strict=False)) for record in reader]
    except csv.Error as exc:
        raise IngestError(f"{name} 第{reader.line_num}行不是有效的 CSV：{exc}") from exc
    evidence = Evidence.of(data, media_type="text/csv", source_name=name, kind="csv")
    return evidence, rows_to_communications(rows, columns_found, evidence.sha256, name, first_row=2)


# -- JSON lines ---------------------------------------------------------------------------------


def _json_rows(text: str, name: str) -> tuple[list[dict[str, Any]], int]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            raw = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise IngestError(f"{name} 不是有效的 JSON（第{exc.lineno}行：{exc.msg}）") from exc
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            raise IngestError(f"{name} 应为 JSON 对象数组，或每行一个 JSON 对象")
        return raw, 1
    rows: list[dict[str, Any]] = []
    first = 0
    for number, line in jsonl_lines(text):  # "\n" only: U+2028 may stand raw in a JSON string
        first = first or number
        try:
            rows.append(parse_object(line, number))
        except JsonlError as exc:
            raise IngestError(f"{name} {exc}") from exc
    return rows, first or 1


def read_jsonl(data: bytes, name: str = "JSONL", mapping: ColumnMapping | None = None) -> ReadResult:
    """One JSON object per line (the ``txlguard scan`` input shape works too), or a JSON array of objects."""
    check_size(data, name)
    text, _ = decode_text(data, name)
    rows, first = _json_rows(text, name)
    if not rows:
        raise IngestError(f"{name} 里没有任何 JSON 对象")
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    columns_found = resolve_columns(columns, mapping, name)
    evidence = Evidence.of(data, media_type="application/x-ndjson", source_name=name, kind="jsonl")
    scalar_rows = [{k: v for k, v in row.items() if not isinstance(v, dict | list)} for row in rows]
    return evidence, rows_to_communications(
        scalar_rows, columns_found, evidence.sha256, name, first_row=first
    )


# -- Parquet ------------------------------------------------------------------------------------

PARQUET_MAGIC = b"PAR1"


def read_parquet(data: bytes, name: str = "Parquet", mapping: ColumnMapping | None = None) -> ReadResult:
    """A Parquet table; its row count and uncompressed size are checked before reading any data."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    check_size(data, name)
    if not (data.startswith(PARQUET_MAGIC) and data.endswith(PARQUET_MAGIC)):
        raise IngestError(
            f"{name} 不是完整的 Parquet 文件（文件头或文件尾缺少 PAR1 标记，可能已损坏或被截断）"
        )
    try:
        table_file = pq.ParquetFile(io.BytesIO(data))
        meta = table_file.metadata
        if meta.num_rows > MAX_COMMUNICATIONS:
            raise IngestError(f"{name} 有 {meta.num_rows} 行，超过上限 {MAX_COMMUNICATIONS} 行，请拆分后添加")
        uncompressed = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if uncompressed > MAX_PARQUET_UNCOMPRESSED:
            raise IngestError(f"{name} 解压后超过 {MAX_PARQUET_UNCOMPRESSED // (1024 * 1024)} MB，拒绝读取")
        columns = [str(c) for c in table_file.schema_arrow.names]
        columns_found = resolve_columns(columns, mapping, name)
        table = table_file.read(columns=sorted(set(columns_found.values())))
        rows = table.to_pylist()
    except (pa.ArrowException, OSError) as exc:
        raise IngestError(f"{name} 不是有效的 Parquet 文件，或文件已损坏：{exc}") from exc
    evidence = Evidence.of(
        data, media_type="application/vnd.apache.parquet", source_name=name, kind="parquet"
    )
    return evidence, rows_to_communications(rows, columns_found, evidence.sha256, name, first_row=1)
