"""What every reader shares: size limits, text decoding, time, direction and channel parsing.

Readers turn the bytes a user gave into ``(Evidence, [Communication])``. They never alter the
bytes (``Evidence`` keeps their SHA-256) and they refuse bad input with an :class:`IngestError`
whose message is Chinese and says what to do.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from txlguard.ingest.decoding import DecodingError, decode_bytes
from txlguard.ingest.models import Channel, Communication, Direction, Evidence, IngestError

ReadResult = tuple[Evidence, list[Communication]]

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest file any reader takes (50 MiB)."""

MAX_COMMUNICATIONS = 500_000
"""Most messages or calls read out of one file."""

PASTED = "pasted text"


def _china_tz() -> tzinfo:
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # no tz database: China has kept UTC+8 without DST since 1992
        return timezone(timedelta(hours=8), "Asia/Shanghai")


CHINA_TZ = _china_tz()


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} 字节"


def check_size(data: bytes, name: str, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse empty and oversized input before any parsing."""
    if not data:
        raise IngestError(f"{name} 是空文件，没有可读取的内容")
    if len(data) > limit:
        raise IngestError(
            f"{name} 太大（{human_size(len(data))}），单个文件最多 {human_size(limit)}；请拆分后分别添加"
        )


def check_count(items: list[Communication], name: str) -> None:
    if len(items) > MAX_COMMUNICATIONS:
        raise IngestError(f"{name} 含有超过 {MAX_COMMUNICATIONS} 条记录，请按时间拆分后分别添加")


def require_items(items: list[Communication], name: str) -> list[Communication]:
    """Text sources must yield something; an empty result means the wrong reader or an empty file."""
    if not items:
        raise IngestError(f"{name} 里没有读到任何消息或通话记录")
    check_count(items, name)
    return items


_SAMPLE_CHARS = 200_000
_MAX_UNCOMMON_SHARE = 0.2


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode with :func:`decode_bytes`; refuse binary data and text that only decodes as mojibake.

    GB18030 accepts most byte sequences, so Shift-JIS, Big5 or Latin-1 files "decode" into rare
    characters. Real GBK text is almost all within GB2312; when more than a fifth of the non-ASCII
    characters are not, the encoding was guessed wrong and we say so instead of reading garbage.
    """
    check_size(data, name)
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(f"{name} 不是文本文件（含有二进制数据），无法按文本读取")
    try:
        text, encoding = decode_bytes(data, name)
    except (DecodingError, UnicodeDecodeError) as exc:
        raise IngestError(
            f"{name} 的编码无法识别（不是 UTF-8，也不是 GBK/GB18030），请用记事本等工具另存为 UTF-8 后重试"
        ) from exc
    if encoding == "gb18030":  # the lenient guess; charset-normalizer's own answers are not second-guessed
        sample = "".join(ch for ch in text[:_SAMPLE_CHARS] if ord(ch) > 0x7F)
        if sample:
            uncommon = sample.encode("gb2312", errors="replace").count(b"?")  # sample holds no ASCII
            if uncommon / len(sample) > _MAX_UNCOMMON_SHARE:
                raise IngestError(
                    f"{name} 的编码看起来不是 UTF-8 或 GBK/GB18030（可能是 Big5、Shift-JIS 等），"
                    "按中文编码读出来是乱码；请另存为 UTF-8 后重试"
                )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, encoding


# -- time ---------------------------------------------------------------------------------------

_PERIOD_OFFSET = {"凌晨": 0, "早上": 0, "上午": 0, "中午": 12, "下午": 12, "晚上": 12, "傍晚": 12, "夜里": 12}

_DATE = r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
_CLOCK = (
    r"(?P<period>凌晨|早上|上午|中午|下午|晚上|傍晚|夜里)?\s*"
    r"(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{2})(?:\s*[:：]\s*(?P<S>\d{2})(?:[.,](?P<frac>\d{1,6}))?)?"
)
_WEEKDAY = r"(?:\s*(?:星期|周|礼拜)[一二三四五六日天])?"
_TZ = r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"

DATETIME_RE = re.compile(rf"{_DATE}{_WEEKDAY}(?:\s*[T ]?\s*{_CLOCK}{_TZ})?")
"""A calendar date with an optional clock time: 2024-03-01 21:15:03, 2024/3/1 21:15, 2024年3月1日 下午9:15."""

CLOCK_RE = re.compile(_CLOCK)
_EPOCH_RE = re.compile(r"^\d{9,13}(?:\.\d+)?$")


def clock_from_match(match: re.Match[str]) -> time | None:
    """The time of day a match of :data:`CLOCK_RE` (or :data:`DATETIME_RE` with a clock) names."""
    hour, minute = int(match["H"]), int(match["M"])
    second = int(match["S"] or 0)
    micro = int((match["frac"] or "0").ljust(6, "0")[:6])
    period = match["period"]
    if period:
        if hour > 12:
            return None
        if _PERIOD_OFFSET[period] == 0:
            hour = 0 if hour == 12 else hour  # 凌晨12:30 is 00:30
        elif not (period == "中午" and hour >= 11) and hour < 12:
            hour += 12  # 下午3:00 is 15:00; 中午12:30 stays 12:30, 中午1:00 is 13:00
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second, micro)


def _tz(raw: str | None) -> tzinfo | None:
    if not raw:
        return None
    if raw == "Z":
        return UTC
    sign = 1 if raw[0] == "+" else -1
    digits = raw[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def datetime_from_match(match: re.Match[str]) -> datetime | None:
    """The datetime a :data:`DATETIME_RE` match names (naive when the text gave no zone)."""
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    if match["H"] is None:
        return datetime(day.year, day.month, day.day)
    clock = clock_from_match(match)
    if clock is None:
        return None
    return datetime.combine(day, clock, tzinfo=_tz(match["tz"]))


def from_epoch(value: float) -> datetime:
    """Milliseconds (or seconds, when small) since 1970 as an aware datetime in China time."""
    seconds = value / 1000 if abs(value) >= 1e11 else value
    return datetime.fromtimestamp(seconds, UTC).astimezone(CHINA_TZ)


def parse_timestamp(value: object) -> datetime | None:
    """Read a time as users' files write it. Naive results mean local (China) time.

    Accepts datetimes, ISO 8601, the usual Chinese layouts, and epoch seconds or milliseconds.
    Returns None for blanks and for text that holds no full date and time.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return from_epoch(float(value)) if value > 0 else None
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw:
        return None
    if _EPOCH_RE.match(raw):
        return from_epoch(float(raw))
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        pass
    match = DATETIME_RE.search(raw)
    return datetime_from_match(match) if match else None


def local_time(moment: datetime, tz: tzinfo = CHINA_TZ) -> datetime:
    """Wall-clock time where the borrower lives: naive stays as it is, aware is converted."""
    return moment if moment.tzinfo is None else moment.astimezone(tz).replace(tzinfo=None)


# -- direction and channel ----------------------------------------------------------------------

_INCOMING = {
    "incoming", "in", "inbound", "received", "receive", "inbox", "recv", "1",
    "接收", "收到", "收", "来电", "呼入", "已接来电", "来信", "收信", "对方", "未接", "未接来电",
    "missed", "拒接", "rejected",
}  # fmt: skip
_OUTGOING = {
    "outgoing", "out", "outbound", "sent", "send", "outbox", "2",
    "发送", "已发送", "发出", "发", "去电", "呼出", "拨出", "已拨电话", "我", "本人", "自己",
}  # fmt: skip


def parse_direction(value: object) -> Direction:
    text = str(value).strip().lower() if value is not None else ""
    if text in _INCOMING:
        return "incoming"
    if text in _OUTGOING:
        return "outgoing"
    return "unknown"


_CHANNELS: dict[str, Channel] = {
    "sms": "sms", "短信": "sms", "短消息": "sms", "信息": "sms", "彩信": "sms", "mms": "sms", "message": "sms",
    "call": "call", "电话": "call", "通话": "call", "来电": "call", "去电": "call", "voice": "call",
    "phone": "call", "未接来电": "call", "语音": "call",
    "wechat": "wechat", "微信": "wechat", "weixin": "wechat",
    "qq": "qq",
    "chat": "chat", "聊天": "chat",
    "email": "email", "邮件": "email", "e-mail": "email", "mail": "email",
    "letter": "letter", "信件": "letter", "律师函": "letter",
    "text": "text", "文本": "text",
}  # fmt: skip


def parse_channel(value: object) -> Channel | None:
    text = str(value).strip().lower() if value is not None else ""
    return _CHANNELS.get(text)


def parse_duration(value: object) -> int | None:
    """Seconds from 125, "125", "125秒", "2:05", "00:02:05", "2分5秒"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if value >= 0 else None
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?\s*(?:s|秒)?", text):
        return int(float(re.sub(r"[^\d.]", "", text)))
    if re.fullmatch(r"\d{1,3}(?::\d{1,2}){1,2}", text):
        total = 0
        for part in text.split(":"):
            total = total * 60 + int(part)
        return total
    match = re.fullmatch(r"(?:(\d+)\s*(?:小时|时))?\s*(?:(\d+)\s*分(?:钟)?)?\s*(?:(\d+)\s*秒)?", text)
    if match and any(match.groups()):
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    return None
