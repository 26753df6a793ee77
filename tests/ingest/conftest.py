"""Shared fixtures: the screenshot renderer of benchmarks/ocr_accuracy.py, a CJK font, a fake OCR engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from txlguard.ingest.models import Box
from txlguard.ingest.ocr import OcrLine

if TYPE_CHECKING:
    from PIL.Image import Image


def line(
    text: str, left: float, top: float, right: float, bottom: float, confidence: float = 0.95
) -> OcrLine:
    return OcrLine(
        text, Box(points=[(left, top), (right, top), (right, bottom), (left, bottom)], confidence=confidence)
    )


class FakeEngine:
    """Returns fixed lines, to test everything around OCR without running it."""

    def __init__(self, lines: Sequence[OcrLine]) -> None:
        self.lines = list(lines)
        self.calls = 0

    def read(self, image: Image) -> list[OcrLine]:
        self.calls += 1
        return list(self.lines)
