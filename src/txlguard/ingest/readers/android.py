"""Android "SMS Backup & Restore" files: ``sms.xml`` (``<smses>``: sms and mms) and ``calls.xml`` (``<calls>``).

Parsed with defusedxml, streaming: a document type declaration (and with it every entity trick —
billion laughs, external entities) is refused before anything is expanded.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Final, Literal
from xml.etree.ElementTree import Element, ParseError

import defusedxml  # type: ignore[import-untyped]
import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]

from txlguard.ingest.models import Communication, Direction, Evidence, IngestError
from txlguard.ingest.readers.base import (
    MAX_COMMUNICATIONS,
    ReadResult,
    check_size,
    from_epoch,
    require_items,
)

BackupKind = Literal["sms-backup-xml", "call-log-xml"]

# sms type / mms msg_box: 1 received, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued
_SMS_DIRECTION: Final[dict[str, Direction]] = {"1": "incoming", "2": "outgoing", "4": "outgoing", "5": "outgoing", "6": "outgoing"}  # fmt: skip
# call type: 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked, 7 answered elsewhere
_CALL_TYPES: Final[dict[str, tuple[Direction, str]]] = {
    "1": ("incoming", "来电"),
    "2": ("outgoing", "去电"),
    "3": ("incoming", "未接来电"),
    "4": ("incoming", "语音信箱"),
    "5": ("incoming", "已拒接来电"),
    "6": ("incoming", "已拦截来电"),
    "7": ("incoming", "在其他设备接听的来电"),
}
_UNANSWERED_CALL_TYPES: Final = {"3", "5", "6"}
_MMS_FROM: Final = "137"
_MMS_TO: Final = "151"
_NO_NAME: Final = {"", "(unknown)", "null", "unknown"}


def _blank(value: str | None) -> str | None:
    if value is None or value.strip().lower() in _NO_NAME:
        return None
    return value.strip()


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _timestamp(value: str | None, where: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        return from_epoch(float(value))
    except (ValueError, OverflowError, OSError) as exc:
        raise IngestError(f"{where}的时间 date=「{value}」不是毫秒时间戳，文件可能已损坏") from exc


_SURROGATE_PAIR = re.compile(rb"&#(5[5-6]\d{3});&#(5[6-7]\d{3});")
_SURROGATE_ONE = re.compile(rb"&#(5[5-7]\d{3});")


def _join_pair(match: re.Match[bytes]) -> bytes:
    high, low = int(match[1]), int(match[2])
    if 0xD800 <= high <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
        return b"&#%d;" % (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    return match[0]


def _drop_lone(match: re.Match[bytes]) -> bytes:
    return b"&#65533;" if 0xD800 <= int(match[1]) <= 0xDFFF else match[0]


def repair_emoji_references(data: bytes) -> bytes:
    """SMS Backup & Restore writes emoji as UTF-16 surrogate pairs (``&#55357;&#56832;``), which XML
    forbids; join each pair into one character reference (lone halves become U+FFFD) for parsing."""
    if b"&#5" not in data:
        return data
    return _SURROGATE_ONE.sub(_drop_lone, _SURROGATE_PAIR.sub(_join_pair, data))


def _dtd_message(data: bytes, name: str) -> str:
    head = data[:65536]
    if b"<!ENTITY" in head and (b"SYSTEM" in head or b"PUBLIC" in head):
        return f"{name} 含有引用外部文件的实体（外部实体攻击），出于安全原因拒绝读取"
    if b"<!ENTITY" in head:
        return f"{name} 含有实体定义（可能是“亿笑”XML 炸弹），出于安全原因拒绝读取"
    return f"{name} 含有文档类型声明（DTD），出于安全原因拒绝读取；正常的短信备份文件不含 DTD"


def _events(data: bytes, name: str) -> Iterator[tuple[str, Element]]:
    """Stream (event, element) pairs; every XML trick and every syntax error becomes an IngestError."""
    try:
        yield from SafeET.iterparse(
            io.BytesIO(repair_emoji_references(data)), events=("start", "end"), forbid_dtd=True
        )
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise IngestError(
            f"{name} 不是完整有效的 XML（第{line}行第{column}列出错），文件可能被截断或损坏；请重新导出备份"
        ) from exc
    except defusedxml.DTDForbidden as exc:
        raise IngestError(_dtd_message(data, name)) from exc
    except defusedxml.EntitiesForbidden as exc:
        raise IngestError(f"{name} 含有实体定义（可能是“亿笑”XML 炸弹），出于安全原因拒绝读取") from exc
    except defusedxml.DefusedXmlException as exc:
        raise IngestError(f"{name} 引用了外部实体或外部文件，出于安全原因拒绝读取") from exc


def read_android_backup(data: bytes, name: str = "短信备份") -> ReadResult:
    """``sms.xml`` or ``calls.xml`` from SMS Backup & Restore; which one is read from the root element."""
    check_size(data, name)
    items: list[Communication] = []
    kind: BackupKind | None = None
    sha256 = Evidence.digest(data)
    depth = 0
    for event, element in _events(data, name):
        tag = _local_name(element.tag)
        if event == "start":
            depth += 1
            if depth == 1:
                if tag == "smses":
                    kind = "sms-backup-xml"
                elif tag == "calls":
                    kind = "call-log-xml"
                else:
                    raise IngestError(
                        f"{name} 是 XML，但不是“SMS Backup & Restore”的短信（<smses>）或通话记录（<calls>）备份，"
                        f"根元素是 <{tag}>"
                    )
            continue
        depth -= 1
        if depth != 1:
            continue
        where = f"{name} 第{len(items) + 1}条记录"
        item: Communication | None = None
        if kind == "sms-backup-xml" and tag == "sms":
            item = _sms(element, sha256, len(items), where)
        elif kind == "sms-backup-xml" and tag == "mms":
            item = _mms(element, sha256, len(items), where)
        elif kind == "call-log-xml" and tag == "call":
            item = _call(element, sha256, len(items), where)
        element.clear()
        if item is not None:
            items.append(item)
            if len(items) > MAX_COMMUNICATIONS:
                raise IngestError(f"{name} 含有超过 {MAX_COMMUNICATIONS} 条记录，请分段导出后分别添加")
    if kind is None:
        raise IngestError(f"{name} 里没有 XML 元素")
    evidence = Evidence.of(data, media_type="application/xml", source_name=name, kind=kind)
    return evidence, require_items(items, name)


def _sms(element: Element, sha256: str, index: int, where: str) -> Communication:
    return Communication(
        evidence_sha256=sha256,
        index=index,
        channel="sms",
        direction=_SMS_DIRECTION.get(element.get("type", ""), "unknown"),
        counterparty=_blank(element.get("address")) or _blank(element.get("contact_name")),
        timestamp=_timestamp(element.get("date"), where),
        text=element.get("body") or "",
    )


def _mms(element: Element, sha256: str, index: int, where: str) -> Communication:
    direction = _SMS_DIRECTION.get(element.get("msg_box", ""), "unknown")
    texts = [
        part.get("text") or ""
        for part in element.iter()
        if _local_name(part.tag) == "part" and (part.get("ct") or "").startswith("text/plain")
    ]
    counterparty = _blank(element.get("address"))
    wanted = _MMS_FROM if direction == "incoming" else _MMS_TO
    for addr in element.iter():
        if _local_name(addr.tag) == "addr" and addr.get("type") == wanted and _blank(addr.get("address")):
            counterparty = _blank(addr.get("address"))
            break
    return Communication(
        evidence_sha256=sha256,
        index=index,
        channel="sms",
        direction=direction,
        counterparty=counterparty or _blank(element.get("contact_name")),
        timestamp=_timestamp(element.get("date"), where),
        text="\n".join(t for t in texts if t.strip()),
    )


def _call(element: Element, sha256: str, index: int, where: str) -> Communication:
    call_type = element.get("type", "")
    direction, label = _CALL_TYPES.get(call_type, ("unknown", "通话"))
    duration_raw = element.get("duration")
    try:
        duration = int(duration_raw) if duration_raw not in (None, "") else None
    except ValueError as exc:
        raise IngestError(f"{where}的通话时长 duration=「{duration_raw}」不是整数，文件可能已损坏") from exc
    if call_type in _UNANSWERED_CALL_TYPES:
        duration = 0
    text = f"{label}（通话 {duration} 秒）" if duration else label
    return Communication(
        evidence_sha256=sha256,
        index=index,
        channel="call",
        direction=direction,
        counterparty=_blank(element.get("number")) or _blank(element.get("contact_name")),
        timestamp=_timestamp(element.get("date"), where),
        text=text,
        duration_seconds=duration,
    )
