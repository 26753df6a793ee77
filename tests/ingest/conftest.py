"""Shared fixtures: the screenshot renderer of benchmarks/ocr_accuracy.py, a CJK font, a fake OCR engine."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

from txlguard.ingest.models import Box
from txlguard.ingest.ocr import OcrLine

if TYPE_CHECKING:
    from PIL.Image import Image

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "ocr_accuracy.py"


def _load_renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("txlguard_bench_ocr_accuracy", BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def screens() -> ModuleType:
    """benchmarks/ocr_accuracy.py: ``render_thread``, ``Thread``, ``Bubble``, ``png_bytes``, ``char_accuracy``."""
    module = _load_renderer()
    if module.find_cjk_font() is None:
        pytest.skip("Debian's fonts-noto-cjk is not installed (scripts/install-system-deps.sh installs it)")
    return module


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
