"""OCR of screenshots with RapidOCR (PP-OCRv4 Chinese models shipped inside the rapidocr-onnxruntime
wheel; nothing is downloaded), and the grouping of read lines into chat or SMS messages.

:class:`RapidOcrEngine` reads lines with their boxes and confidences; :func:`group_lines` turns the
lines of one screenshot into messages using the layout of phone messaging apps: bubbles on the left
are the other side (incoming), on the right the phone's owner (outgoing) — and where both kinds of
bubble are on screen, the coloured ones (green, blue) are the owner's and the white or grey ones the
other side's; centred short lines such as ``2024年3月1日 21:15`` or ``昨天 23:40`` are time labels;
a centred line at the top is the title (the number or name of the other side); the status bar and
icons read as single letters are ignored.
"""

from __future__ import annotations

import re
import statistics
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from txlguard.ingest.models import Box, Direction
from txlguard.ingest.readers.base import CLOCK_RE, DATETIME_RE, clock_from_match, datetime_from_match

if TYPE_CHECKING:
    from PIL.Image import Image


@dataclass(frozen=True)
class OcrLine:
    """One line of text as read, with its box (pixel corners, clockwise from top-left) and confidence."""

    text: str
    box: Box

    @property
    def left(self) -> float:
        return min(x for x, _ in self.box.points)

    @property
    def right(self) -> float:
        return max(x for x, _ in self.box.points)

    @property
    def top(self) -> float:
        return min(y for _, y in self.box.points)

    @property
    def bottom(self) -> float:
        return max(y for _, y in self.box.points)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def center_x(self) -> float:
        return (self.left + self.right) / 2


class OcrEngine(Protocol):
    """Anything that reads the text lines of an RGB image."""

    def read(self, image: Image) -> list[OcrLine]: ...


TILE_HEIGHT = 1600
TILE_OVERLAP = 200
_MAX_SIDE = 2000  # RapidOCR shrinks anything larger; long screenshots are read in tiles instead


class RapidOcrEngine:
    """RapidOCR with its packaged models, loaded once; long screenshots are read in overlapping tiles."""

    def __init__(self, *, threads: int | None = None, min_confidence: float = 0.5) -> None:
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]

        options: dict[str, Any] = {"text_score": min_confidence, "print_verbose": False}
        if threads:
            options["intra_op_num_threads"] = threads
        self._ocr = RapidOCR(**options)
        self._lock = threading.Lock()

    def _read_array(self, image: Image, offset_y: float) -> list[OcrLine]:
        import numpy as np

        rgb = image if image.mode == "RGB" else image.convert("RGB")
        array = np.asarray(rgb)[:, :, ::-1]  # RapidOCR wants BGR
        with self._lock:
            result, _ = self._ocr(np.ascontiguousarray(array))
        lines: list[OcrLine] = []
        for points, text, score in result or []:
            if not str(text).strip():
                continue
            corners = [(float(x), float(y) + offset_y) for x, y in points]
            confidence = min(max(float(score), 0.0), 1.0)
            lines.append(OcrLine(str(text).strip(), Box(points=corners, confidence=confidence)))
        return lines

    def read(self, image: Image) -> list[OcrLine]:
        width, height = image.size
        if height <= _MAX_SIDE or height <= width * 2.2:
            return self._read_array(image, 0.0)
        lines: list[OcrLine] = []
        start = 0
        while start < height:
            end = min(start + TILE_HEIGHT, height)
            tile = image.crop((0, start, width, end))
            keep_from = start + (TILE_OVERLAP / 2 if start else 0)
            keep_to = end - (TILE_OVERLAP / 2 if end < height else 0)
            for line in self._read_array(tile, float(start)):
                middle = (line.top + line.bottom) / 2
                if keep_from <= middle < keep_to:
                    lines.append(line)
            if end == height:
                break
            start = end - TILE_OVERLAP
        return lines


@lru_cache(maxsize=1)
def default_engine() -> RapidOcrEngine:
    """The process-wide OCR engine (model loading takes about a second)."""
    return RapidOcrEngine()


# -- grouping lines into messages ---------------------------------------------------------------


@dataclass
class OcrMessage:
    """One bubble (or block) of a screenshot: its text, the boxes it was read from, side and time."""

    text: str
    boxes: list[Box]
    direction: Direction = "unknown"
    timestamp: datetime | None = None
    lines: list[OcrLine] = field(default_factory=list)


@dataclass
class OcrLayout:
    title: str | None
    messages: list[OcrMessage]


_RELATIVE_DAY = r"(?:今天|昨天|前天|星期[一二三四五六日天]|周[一二三四五六日天]|\d{1,2}月\d{1,2}日)"
_TIME_LABEL = re.compile(rf"^(?:{_RELATIVE_DAY}\s*)?{CLOCK_RE.pattern}$")
_STATUS_BAR_SHARE = 0.045
_TITLE_SHARE = 0.14
_CENTRED = 0.12
_SIDE_MARGIN = 0.04  # a bubble is on the side whose screen edge it is nearer to by 4 % of the width


def _joined(parts: Sequence[str]) -> str:
    text = ""
    for part in parts:
        if text and text[-1].isascii() and text[-1].isalnum() and part[:1].isascii() and part[:1].isalnum():
            text += " "
        text += part
    return text


def _time_label(line: OcrLine, width: float, day: date | None) -> tuple[bool, datetime | None]:
    """Whether the line is a centred time label, and the time it names when the day is known."""
    text = line.text.replace(" ", " ").strip()
    if abs(line.center_x - width / 2) > width * _CENTRED:
        return False, None
    full = DATETIME_RE.fullmatch(text)
    if full:
        return True, datetime_from_match(full)
    label = _TIME_LABEL.match(text)
    if not label:
        return False, None
    clock = clock_from_match(label)
    bare = CLOCK_RE.fullmatch(text)
    if clock is None or day is None or not bare:
        return True, None
    return True, datetime.combine(day, clock)


def bubble_colour(image: Image, line: OcrLine) -> tuple[float, float, float] | None:
    """The median colour just left of a line's text: the padding of the bubble it sits in."""
    from PIL import ImageStat

    x0, x1 = max(0, round(line.left - 0.5 * line.height)), round(line.left - 0.1 * line.height)
    y0, y1 = round(line.top + 0.3 * line.height), round(line.bottom - 0.3 * line.height)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    red, green, blue = ImageStat.Stat(image.crop((x0, y0, x1, y1)).convert("RGB")).median[:3]
    return float(red), float(green), float(blue)


def _saturation(colour: tuple[float, float, float]) -> float:
    brightest = max(colour)
    return (brightest - min(colour)) / brightest if brightest else 0.0


_COLOURED = 0.18  # WeChat green, iMessage/QQ/Huawei blue: the owner's (outgoing) bubbles
_PLAIN = 0.08  # white, grey or dark grey: the other side's (incoming) bubbles


def _sides_by_colour(messages: Sequence[OcrMessage], image: Image) -> None:
    """Where a screenshot shows both coloured and plain bubbles, colour decides the side.

    Geometry alone cannot tell a full-width bubble's side when avatars sit on both edges
    (WeChat, QQ); every common messaging app colours the owner's bubbles and leaves the
    other side's white or grey.
    """
    colours = [bubble_colour(image, m.lines[0]) if m.lines else None for m in messages]
    saturations = [_saturation(c) if c else None for c in colours]
    coloured = [s is not None and s > _COLOURED for s in saturations]
    plain = [s is not None and s < _PLAIN for s in saturations]
    if not (any(coloured) and any(plain)):
        return
    for message, is_coloured, is_plain in zip(messages, coloured, plain, strict=True):
        if is_coloured:
            message.direction = "outgoing"
        elif is_plain:
            message.direction = "incoming"


def group_lines(
    lines: Sequence[OcrLine], width: float, height: float, image: Image | None = None
) -> OcrLayout:
    """Messages of one screenshot, top to bottom, from its OCR lines (and bubble colours, given the image)."""
    ordered = sorted(lines, key=lambda line: (line.top, line.left))
    if not ordered:
        return OcrLayout(None, [])
    typical = statistics.median(line.height for line in ordered) or 1.0
    title: str | None = None
    messages: list[OcrMessage] = []
    current: list[OcrLine] = []
    moment: datetime | None = None
    day: date | None = None

    def close() -> None:
        if not current:
            return
        left = min(line.left for line in current) / width
        right = 1 - max(line.right for line in current) / width
        direction: Direction = "unknown"
        if left < right - _SIDE_MARGIN:
            direction = "incoming"
        elif right < left - _SIDE_MARGIN:
            direction = "outgoing"
        messages.append(
            OcrMessage(
                text=_joined([line.text for line in current]),
                boxes=[line.box for line in current],
                direction=direction,
                timestamp=moment,
                lines=list(current),
            )
        )
        current.clear()

    for line in ordered:
        if line.bottom < height * _STATUS_BAR_SHARE and len(line.text) <= 16:
            continue  # status bar: clock, carrier, battery
        if len(line.text) == 1 and line.text.isascii():
            continue  # icons read as letters: a back chevron "<", the "O" of a voice or emoji button
        is_label, when = _time_label(line, width, day)
        if is_label:
            close()
            moment = when
            day = when.date() if when else day
            continue
        if (
            title is None
            and not messages
            and not current
            and line.bottom < height * _TITLE_SHARE
            and abs(line.center_x - width / 2) < width * _CENTRED
        ):
            title = line.text
            continue
        if current:
            previous = current[-1]
            gap = line.top - previous.bottom
            aligned = (
                abs(line.left - current[0].left) < typical * 1.2
                or abs(line.right - current[0].right) < typical * 1.2
            )
            same_row = gap < -typical * 0.5
            if not same_row and (gap > typical * 0.9 or not aligned):
                close()
        current.append(line)
    close()
    if image is not None:
        _sides_by_colour(messages, image)
    return OcrLayout(title, messages)
