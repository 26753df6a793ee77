"""The per-chunk function: records in, per-record results out — the one piece every engine shares.

:func:`process_chunk` is a pure function of a pandas DataFrame with the input frame's columns
(:data:`~txlguard.batch.schema.INPUT_COLUMNS`, all strings) to a DataFrame with
:data:`OUTPUT_COLUMNS`, one row per input row in the same order. Rows that cannot be audited
carry a Chinese ``reject_reason`` instead of results; they are split off with
:func:`split_output`. One output schema for both keeps the function usable as is by Spark's
``mapInPandas`` (see :func:`map_partitions`), whose output must have a single schema.

Timestamps come out as naive China wall-clock times (aware inputs are converted), which is what
the log rules count days and hours in. Raw text does not leave this function: results carry
labels, detections (with quotes), provisions and, for flagged messages only, the message's
normalised template (:mod:`txlguard.batch.templates`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Final

from txlguard.batch.templates import template_of
from txlguard.detect.models import MessageInput
from txlguard.detect.scanner import Scanner
from txlguard.ingest.readers.base import (
    local_time,
    parse_channel,
    parse_direction,
    parse_duration,
    parse_timestamp,
)
from txlguard.taxonomy import Recipient

MAX_TEXT_CHARS = 1_000_000

RESULT_COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "borrower_id",
    "agent_id",
    "counterparty",
    "recipient",
    "recipient_inferred",
    "channel",
    "direction",
    "duration",
    "timestamp",
    "labels",
    "detections",
    "provisions",
    "template",
    "source_file",
    "source_row",
)
REJECT_COLUMNS: Final[tuple[str, ...]] = ("source_file", "source_row", "id", "reject_reason")
OUTPUT_COLUMNS: Final[tuple[str, ...]] = (*RESULT_COLUMNS, "reject_reason")

RECIPIENTS: Final[dict[str, Recipient]] = {
    "borrower": "borrower", "借款人": "borrower", "本人": "borrower", "债务人": "borrower",
    "contact": "contact", "联系人": "contact", "紧急联系人": "contact", "亲友": "contact", "第三方": "contact",
    "unknown": "unknown", "未知": "unknown",
}  # fmt: skip
_EARLIEST, _LATEST = datetime(1970, 1, 1), datetime(2100, 1, 1)


def output_schema() -> Any:
    """The Arrow schema of :func:`process_chunk`'s output (Parquet part files; Spark's ``mapInPandas``)."""
    import pyarrow as pa  # type: ignore[import-untyped]

    text = pa.string()
    return pa.schema(
        [
            ("id", text),
            ("borrower_id", text),
            ("agent_id", text),
            ("counterparty", text),
            ("recipient", text),
            ("recipient_inferred", pa.bool_()),
            ("channel", text),
            ("direction", text),
            ("duration", pa.int64()),
            ("timestamp", pa.timestamp("us")),
            ("labels", pa.list_(text)),
            ("detections", text),
            ("provisions", pa.list_(text)),
            ("template", text),
            ("source_file", text),
            ("source_row", pa.int64()),
            ("reject_reason", text),
        ]
    )


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and value != value)
        or (isinstance(value, str) and not value.strip())
    )


def _clean(value: Any) -> str | None:
    return None if _blank(value) else str(value).strip()


def _check(row: dict[str, Any]) -> tuple[str | None, Recipient | None, datetime | None, int | None]:
    """(reject reason or None, recipient, local timestamp, duration) of one input row."""
    if row["read_error"]:
        return str(row["read_error"]), None, None, None
    if _blank(row["id"]):
        return "缺少记录编号（id）", None, None, None
    text = row["text"]
    if _blank(text):
        return "缺少内容（text）", None, None, None
    if len(text) > MAX_TEXT_CHARS:
        return f"内容超过 {MAX_TEXT_CHARS} 个字符", None, None, None
    recipient: Recipient | None = None
    role = _clean(row["recipient"])
    if role is not None:
        recipient = RECIPIENTS.get(role.lower())
        if recipient is None:
            return (
                f"收信人身份「{role}」无法识别（应为 borrower、contact、unknown 或 借款人、联系人）",
                None,
                None,
                None,
            )
    moment: datetime | None = None
    raw_time = _clean(row["timestamp"])
    if raw_time is not None:
        parsed = parse_timestamp(raw_time)
        if parsed is None:
            return f"时间「{raw_time}」无法识别，请使用 2024-03-01 21:15 这样的格式", None, None, None
        moment = local_time(parsed)
        if not _EARLIEST <= moment < _LATEST:
            return f"时间「{raw_time}」不在 1970 至 2100 年之间", None, None, None
    duration: int | None = None
    raw_duration = _clean(row["duration"])
    if raw_duration is not None:
        duration = parse_duration(raw_duration)
        if duration is None:
            return f"通话时长「{raw_duration}」无法识别，请写成秒数或 00:02:05", None, None, None
    return None, recipient, moment, duration


def process_chunk(frame: Any, scanner: Scanner | None = None) -> Any:
    """Scan one chunk (pandas DataFrame of the input frame) → per-record results (:data:`OUTPUT_COLUMNS`)."""
    import pandas as pd  # type: ignore[import-untyped]

    if scanner is None:
        from txlguard.detect import default_scanner

        scanner = default_scanner()
    names = list(frame.columns)
    records: list[dict[str, Any]] = [
        dict(zip(names, values, strict=True))
        for values in zip(*(frame[c].tolist() for c in names), strict=True)
    ]
    out: dict[str, list[Any]] = {c: [] for c in OUTPUT_COLUMNS}
    messages: list[MessageInput] = []
    positions: list[int] = []
    for i, row in enumerate(records):
        reason, recipient, moment, duration = _check(row)
        channel_raw = _clean(row["channel"])
        out["id"].append(_clean(row["id"]))
        out["borrower_id"].append(_clean(row["borrower_id"]))
        out["agent_id"].append(_clean(row["agent_id"]))
        out["counterparty"].append(_clean(row["counterparty"]))
        out["recipient"].append(recipient)
        out["recipient_inferred"].append(False)
        out["channel"].append((parse_channel(channel_raw) or channel_raw) if channel_raw else None)
        out["direction"].append(parse_direction(_clean(row["direction"])))
        out["duration"].append(duration)
        out["timestamp"].append(moment)
        out["labels"].append([])
        out["detections"].append("[]")
        out["provisions"].append([])
        out["template"].append(None)
        out["source_file"].append(row["source_file"])
        out["source_row"].append(int(row["source_row"]))
        out["reject_reason"].append(reason)
        if reason is None:
            positions.append(i)
            messages.append(
                MessageInput(id=str(out["id"][i]), text=row["text"], recipient=recipient, channel=channel_raw)
            )
    for i, result in zip(positions, scanner.scan_batch(messages), strict=True):
        out["recipient"][i] = result.recipient
        out["recipient_inferred"][i] = result.recipient_inferred
        if not result.detections and not result.labels:
            continue
        public = [d.public() for d in result.detections]
        out["labels"][i] = list(result.labels)
        out["detections"][i] = json.dumps(public, ensure_ascii=False)
        out["provisions"][i] = sorted({p for d in result.detections for p in d.provisions})
        if result.labels:
            out["template"][i] = template_of(records[i]["text"])
    result_frame = pd.DataFrame(out, columns=list(OUTPUT_COLUMNS))
    result_frame["timestamp"] = pd.to_datetime(result_frame["timestamp"]).astype("datetime64[us]")
    result_frame["duration"] = result_frame["duration"].astype("Int64")
    result_frame["source_row"] = result_frame["source_row"].astype("int64")
    return result_frame


def split_output(frame: Any) -> tuple[Any, Any]:
    """(results, rejects) of :func:`process_chunk`'s output."""
    rejected = frame["reject_reason"].notna()
    results = frame.loc[~rejected, list(RESULT_COLUMNS)].reset_index(drop=True)
    rejects = frame.loc[rejected, list(REJECT_COLUMNS)].reset_index(drop=True)
    return results, rejects


def map_partitions(frames: Iterable[Any]) -> Iterator[Any]:
    """``process_chunk`` over a partition's batches: the function handed to Spark's ``mapInPandas``."""
    for frame in frames:
        yield process_chunk(frame)
