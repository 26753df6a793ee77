"""Chat exports in their common text shapes.

- ``2024-03-01 21:15:03 张三`` then the message on the following lines (QQ, many exporters);
- ``张三 2024/3/1 21:15`` then the message (WeChat merged-forward, PC copy);
- a lone time header ``2024年3月1日 21:15`` (WeChat style) followed by ``张三：内容`` lines or by text;
- ``2024-03-01 21:15 张三：内容``, ``[2024-03-01 21:15] 张三: 内容`` or ``2024-03-01 21:15 内容`` on one line;
- date separators ``—— 2024-03-01 ——`` followed by ``张三 21:15`` headers.

Senders named in ``self_names`` (默认 我/本人/me) are the borrower: their messages are ``outgoing``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from txlguard.ingest.models import Channel, Communication, Direction, Evidence
from txlguard.ingest.readers.base import (
    CLOCK_RE,
    DATETIME_RE,
    ReadResult,
    check_size,
    clock_from_match,
    datetime_from_match,
    decode_text,
    require_items,
)

SELF_NAMES = frozenset({"我", "本人", "自己", "me", "Me", "ME"})

_SENDER_BAD = re.compile(r"[，。！？；、,!?;“”\"【】《》]")
_DECORATION = re.compile(r"^[\s\-—=─_*~·.]*$")
_PREAMBLE = re.compile(
    r"^(?:[=\-—─_*~·]{5,}|消息记录（此消息记录为文本格式.*|消息分组[:：].*|消息对象[:：].*)$"
)
_BRACKETED_STAMP = re.compile(r"^[\[【(（]\s*(\d{4}[-/.年]\d{1,2}[-/.月][^\]】)）]{1,30})[\]】)）]")
_SAYS = re.compile(r"^(?P<sender>[^：:\s][^：:]{0,23}?)\s*[：:]\s*(?P<text>.*)$")
_CLOCK_AT_END = re.compile(r"^(?P<sender>\S.{0,23}?)\s+" + CLOCK_RE.pattern + r"\s*$")
_CLOCK_AT_START = re.compile(r"^" + CLOCK_RE.pattern + r"\s+(?P<sender>\S.{0,23}?)\s*$")
_CLOCK_ALONE = re.compile(r"^" + CLOCK_RE.pattern + r"\s*$")


def _valid_sender(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= 24 and not _SENDER_BAD.search(text) and not CLOCK_RE.search(text)


@dataclass
class _Line:
    """One classified line of a chat export."""

    kind: str  # header | stamp | date | said | content | blank
    moment: datetime | None = None
    sender: str | None = None
    text: str = ""


def _with_clock(day: date, match: re.Match[str]) -> datetime | None:
    clock = clock_from_match(match)
    return datetime.combine(day, clock) if clock is not None else None


def _classify(raw: str, day: date | None) -> _Line:
    line = _BRACKETED_STAMP.sub(r"\1 ", raw.strip())
    if not line or _PREAMBLE.match(line):
        return _Line("blank")
    head = DATETIME_RE.match(line)
    if head:
        moment = datetime_from_match(head)
        rest = line[head.end() :]
        if moment is not None and head["H"] is None:
            if _DECORATION.match(rest):
                return _Line("date", moment)
        elif moment is not None:
            if not rest.strip():
                return _Line("stamp", moment)
            if rest[0].isspace():
                said = _SAYS.match(rest.strip())
                if said and _valid_sender(said["sender"]):
                    return _Line("said", moment, said["sender"].strip(), said["text"].strip())
                if _valid_sender(rest):
                    return _Line("header", moment, rest.strip())
                return _Line("said", moment, None, rest.strip())
    stripped_decoration = line.strip("-—=─_*~· ")
    only_date = DATETIME_RE.fullmatch(stripped_decoration)
    if only_date and only_date["H"] is None and stripped_decoration != line:
        return _Line("date", datetime_from_match(only_date))
    tail = DATETIME_RE.search(line)
    if tail and tail.end() == len(line) and tail.start() > 0 and tail["H"] is not None:
        sender = line[: tail.start()]
        if sender[-1].isspace() and _valid_sender(sender):
            return _Line("header", datetime_from_match(tail), sender.strip())
    if day is not None:
        for pattern in (_CLOCK_AT_END, _CLOCK_AT_START):
            found = pattern.match(line)
            if found and _valid_sender(found["sender"]):
                moment = _with_clock(day, found)
                if moment is not None:
                    return _Line("header", moment, found["sender"].strip())
        alone = _CLOCK_ALONE.match(line)
        if alone:
            moment = _with_clock(day, alone)
            if moment is not None:
                return _Line("stamp", moment)
    return _Line("content", text=line)


def _classify_all(text: str) -> list[_Line]:
    lines: list[_Line] = []
    day: date | None = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _classify(raw, day)
        if line.moment is not None:
            day = line.moment.date()
        lines.append(line)
    return lines


def looks_like_chat(text: str) -> bool:
    """At least two message headers, and headers are not lost among ordinary lines."""
    lines = _classify_all(text[:200_000])
    headers = sum(1 for line in lines if line.kind in ("header", "said", "stamp"))
    filled = sum(1 for line in lines if line.kind != "blank")
    return headers >= 2 and (headers >= 5 or headers / max(filled, 1) >= 0.15)


@dataclass
class _Draft:
    moment: datetime | None
    sender: str | None
    lines: list[str] = field(default_factory=list)


def parse_chat(text: str) -> list[_Draft]:
    """Group classified lines into messages (time, sender, text)."""
    drafts: list[_Draft] = []
    current: _Draft | None = None
    context: datetime | None = None  # last lone time header, for "张三：内容" lines below it

    def close() -> None:
        nonlocal current
        if current is not None and any(s.strip() for s in current.lines):
            drafts.append(current)
        current = None

    for line in _classify_all(text):
        if line.kind == "blank":
            if current is not None:
                current.lines.append("")
            continue
        if line.kind == "date":
            close()
            context = None
        elif line.kind == "stamp":
            close()
            context = line.moment
        elif line.kind == "header":
            close()
            context = None
            current = _Draft(line.moment, line.sender)
        elif line.kind == "said":
            close()
            drafts.append(_Draft(line.moment, line.sender, [line.text]))
        elif context is not None and (said := _SAYS.match(line.text)) and _valid_sender(said["sender"]):
            close()
            current = _Draft(context, said["sender"].strip(), [said["text"].strip()])
        elif current is not None:
            current.lines.append(line.text)
        else:
            current = _Draft(context, None, [line.text])
    close()
    return drafts


def chat_communications(
    text: str,
    sha256: str,
    *,
    self_names: Collection[str] = SELF_NAMES,
    channel: Channel = "chat",
) -> list[Communication]:
    drafts = parse_chat(text)
    others = {d.sender for d in drafts if d.sender and d.sender not in self_names}
    only_other = next(iter(others)) if len(others) == 1 else None
    items: list[Communication] = []
    for draft in drafts:
        direction: Direction = "unknown"
        counterparty = draft.sender
        if draft.sender in self_names:
            direction, counterparty = "outgoing", only_other
        elif draft.sender:
            direction = "incoming"
        items.append(
            Communication(
                evidence_sha256=sha256,
                index=len(items),
                channel=channel,
                direction=direction,
                counterparty=counterparty,
                timestamp=draft.moment,
                text="\n".join(draft.lines).strip(),
            )
        )
    return items


def read_chat_export(
    data: bytes,
    name: str = "聊天记录",
    *,
    self_names: Collection[str] = SELF_NAMES,
    channel: Channel = "chat",
) -> ReadResult:
    """A chat export as text (UTF-8 or GBK/GB18030)."""
    check_size(data, name)
    text, _ = decode_text(data, name)
    evidence = Evidence.of(data, media_type="text/plain", source_name=name, kind="chat-export")
    items = chat_communications(text, evidence.sha256, self_names=self_names, channel=channel)
    return evidence, require_items(items, name)
