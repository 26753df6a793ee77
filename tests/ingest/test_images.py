"""Screenshots: hostile files refused before decoding, line grouping, and real OCR on rendered screens."""

from __future__ import annotations

import io
import socket
import struct
import time
import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PIL import Image

from txlguard.detect.logrules import evaluate_logs
from txlguard.ingest.models import IngestError
from txlguard.ingest.ocr import RapidOcrEngine, group_lines
from txlguard.ingest.readers.image import MAX_IMAGE_BYTES, read_image, sniff_image
from txlguard.ingest.sources import read_evidence

from .conftest import FakeEngine, line


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_claiming(width: int, height: int) -> bytes:
    """A small, well-formed PNG whose header claims width × height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def small_png(size: tuple[int, int] = (64, 64), mode: str = "RGB", fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white").save(buffer, format=fmt)
    return buffer.getvalue()


# -- refused before any decoding -----------------------------------------------------------------


def test_zip_renamed_png_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "x" * 1000)
    engine = FakeEngine([])
    with pytest.raises(IngestError, match="其实是ZIP 压缩包，不是 PNG/JPEG/WebP 截图"):
        read_image(buffer.getvalue(), "shot.png", engine=engine)
    with pytest.raises(IngestError, match="其实是ZIP 压缩包，不是 PNG/JPEG/WebP 截图"):
        read_evidence(buffer.getvalue(), "shot.png", ocr_engine=engine)
    assert engine.calls == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a" + b"\x00" * 100, "GIF 图片"),
        (b"%PDF-1.7\n" + b"0" * 100, "PDF 文档"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100, "HEIC"),
        (b"just some text pretending", "不是 PNG、JPEG 或 WebP 图片"),
    ],
)
def test_other_files_named_png_refused(data: bytes, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        read_evidence(data, "photo.png")


def test_header_claiming_100k_by_100k_pixels_refused_quickly() -> None:
    bomb = png_claiming(100_000, 100_000)
    assert len(bomb) < 200
    started = time.perf_counter()
    with pytest.raises(IngestError, match=r"尺寸过大.*解压炸弹"):
        read_image(bomb, "bomb.png", engine=FakeEngine([]))
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(("width", "height"), [(1440, 30_000), (100, 35_000), (8000, 5100)])
def test_headers_over_the_pixel_or_side_cap_refused(width: int, height: int) -> None:
    with pytest.raises(IngestError, match="尺寸过大"):
        read_image(png_claiming(width, height), "long.png", engine=FakeEngine([]))


def test_tiny_image_refused() -> None:
    with pytest.raises(IngestError, match="图片太小（4×4 像素）"):
        read_image(small_png((4, 4)), "dot.png", engine=FakeEngine([]))


def test_50_megabyte_image_refused_without_decoding() -> None:
    data = png_claiming(1080, 2340) + b"\x00" * (50 * 1024 * 1024)
    engine = FakeEngine([])
    started = time.perf_counter()
    with pytest.raises(IngestError, match=r"太大（50\.0 MB）"):
        read_evidence(data, "huge.png", ocr_engine=engine)
    assert time.perf_counter() - started < 0.5
    assert engine.calls == 0
    assert len(data) > MAX_IMAGE_BYTES


def test_truncated_png_refused() -> None:
    data = small_png((400, 400))
    with pytest.raises(IngestError, match="不完整或已损坏"):
        read_image(data[: len(data) // 2], "cut.png", engine=FakeEngine([]))


def test_sniffing_by_content_not_name() -> None:
    png, jpeg, webp = small_png(), small_png(fmt="JPEG"), small_png(fmt="WEBP")
    assert (sniff_image(png), sniff_image(jpeg), sniff_image(webp)) == ("png", "jpeg", "webp")
    engine = FakeEngine([line("您已逾期", 40, 400, 400, 450)])
    evidence, items = read_evidence(jpeg, "calls.csv", ocr_engine=engine)
    assert evidence.media_type == "image/jpeg"
    assert evidence.kind == "image-ocr"
    assert [c.text for c in items] == ["您已逾期"]


def test_transparent_png_composited_on_white() -> None:
    seen: list[Any] = []

    class Spy(FakeEngine):
        def read(self, image: Any) -> list[Any]:
            seen.append(image)
            return []

    evidence, items = read_image(small_png(mode="RGBA"), "alpha.png", engine=Spy([]))
    assert items == []  # no text: still evidence, no communications
    assert evidence.size > 0
    assert seen[0].mode == "RGB"
    assert seen[0].getpixel((0, 0)) == (255, 255, 255)


# -- grouping lines into messages ---------------------------------------------------------------

W, H = 1080.0, 2340.0


def test_group_lines_bubbles_sides_times_and_title() -> None:
    lines = [
        line("21:16", 48, 30, 140, 70),  # status bar
        line("10690571234567", 360, 150, 720, 210),  # title
        line("2024年3月1日 09:12", 400, 290, 680, 325),
        line("【速借宝】尊敬的王先生，您的借款", 75, 380, 760, 430),
        line("已逾期7天。", 75, 447, 300, 497),
        line("我这个月工资还没发，能不能宽", 330, 600, 1005, 650),
        line("限几天？", 330, 667, 520, 717),
        line("昨天 22:31", 470, 800, 610, 835),
        line("不还钱就告诉你家人！", 75, 900, 600, 950),
    ]
    layout = group_lines(lines, W, H)
    assert layout.title == "10690571234567"
    assert [(m.text, m.direction) for m in layout.messages] == [
        ("【速借宝】尊敬的王先生，您的借款已逾期7天。", "incoming"),
        ("我这个月工资还没发，能不能宽限几天？", "outgoing"),
        ("不还钱就告诉你家人！", "incoming"),
    ]
    assert layout.messages[0].timestamp == datetime(2024, 3, 1, 9, 12)
    assert layout.messages[1].timestamp == datetime(2024, 3, 1, 9, 12)
    assert layout.messages[2].timestamp is None  # "昨天" names no date
    assert [len(m.boxes) for m in layout.messages] == [2, 2, 1]


def test_group_lines_clock_label_takes_the_last_date() -> None:
    lines = [
        line("2024年3月1日 21:00", 400, 300, 680, 335),
        line("第一条", 75, 380, 300, 430),
        line("23:40", 500, 500, 580, 535),
        line("第二条", 75, 600, 300, 650),
        line("Please repay", 75, 667, 400, 717),
        line("today", 75, 734, 220, 784),
    ]
    messages = group_lines(lines, W, H).messages
    assert [m.timestamp for m in messages] == [datetime(2024, 3, 1, 21, 0), datetime(2024, 3, 1, 23, 40)]
    assert messages[1].text == "第二条Please repay today"


def test_bubble_colour_decides_the_side_of_full_width_bubbles() -> None:
    from PIL import ImageDraw

    image = Image.new("RGB", (1080, 1200), (237, 237, 237))
    draw = ImageDraw.Draw(image)
    draw.rectangle((170, 300, 880, 420), fill=(255, 255, 255))  # incoming, white
    draw.rectangle((200, 500, 910, 620), fill=(149, 236, 105))  # outgoing, WeChat green
    lines = [
        line("王先生，你的账单已经逾期四十五天", 204, 330, 850, 380),
        line("我下周一发工资就还，先还一半", 234, 530, 880, 580),
    ]
    assert [m.direction for m in group_lines(lines, 1080, 1200).messages] == ["unknown", "unknown"]
    assert [m.direction for m in group_lines(lines, 1080, 1200, image).messages] == ["incoming", "outgoing"]
    plain = Image.new("RGB", (1080, 1200), (255, 255, 255))  # nothing coloured: geometry stands
    assert [m.direction for m in group_lines(lines, 1080, 1200, plain).messages] == ["unknown", "unknown"]


def test_group_lines_empty() -> None:
    layout = group_lines([], W, H)
    assert layout.title is None
    assert layout.messages == []


# -- real OCR on rendered screenshots (about 1–2 s per image) -----------------------------------


@pytest.fixture(scope="module")
def offline_engine() -> RapidOcrEngine:
    """The OCR engine built and run with every network connection refused: models ship in the wheel."""
    import rapidocr_onnxruntime  # type: ignore[import-untyped]

    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    assert {p.suffix for p in models.iterdir()} >= {".onnx"}

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("OCR tried to use the network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        return RapidOcrEngine()


def test_ocr_sms_screenshot_end_to_end(screens: ModuleType, offline_engine: RapidOcrEngine) -> None:
    thread = screens.THREADS[0]
    image, shown = screens.render_thread(thread)
    data = screens.png_bytes(image)
    evidence, items = read_evidence(data, "IMG_20240302_223300.png", ocr_engine=offline_engine)
    assert evidence.media_type == "image/png"
    assert evidence.kind == "image-ocr"
    assert len(items) == len(shown) == 4
    for bubble, item in zip(shown, items, strict=True):
        assert screens.char_accuracy(bubble.text, item.text) >= 0.95, (bubble.text, item.text)
        assert item.direction == bubble.side
        assert item.counterparty == thread.title
        assert item.boxes
        for box in item.boxes:
            assert 0.5 <= box.confidence <= 1.0
            assert all(0 <= x <= image.width and 0 <= y <= image.height for x, y in box.points)
    assert [c.timestamp for c in items] == [
        datetime(2024, 3, 1, 9, 12),
        datetime(2024, 3, 2, 21, 47),
        datetime(2024, 3, 2, 21, 47),
        datetime(2024, 3, 2, 22, 31),
    ]
    # the box of the last bubble lies where it was drawn: lower half, left side
    last = items[-1].boxes[0]
    assert min(x for x, _ in last.points) < image.width / 3
    assert min(y for _, y in last.points) > image.height / 3
    # and the times read off the screen feed the log rules: the 22:31 threat came after hours
    (night,) = evaluate_logs(items).by_label("off_hours_contact")
    assert night.communication_ids == [items[3].id]
    assert night.counterparty == thread.title


def test_ocr_wechat_jpeg(screens: ModuleType, offline_engine: RapidOcrEngine) -> None:
    thread = screens.THREADS[4]
    fonts = screens.Fonts.load(720 / 1080)
    image, shown = screens.render_thread(thread, width=720, height=1560, fonts=fonts)
    _, items = read_image(screens.png_bytes(image, "JPEG", quality=60), "wechat.jpg", engine=offline_engine)
    assert [c.direction for c in items] == [b.side for b in shown]
    got = "".join(c.text for c in items)
    assert screens.char_accuracy("".join(b.text for b in shown), got) >= 0.95
    assert "联系你单位领导和同事" in got


def test_ocr_long_screenshot_read_in_tiles_without_duplicates(
    screens: ModuleType, offline_engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    bubbles = tuple(
        screens.Bubble("incoming" if i % 2 == 0 else "outgoing", f"第{i + 1}条：请于今日还款{i + 1}00元")
        for i in range(16)
    )
    thread = screens.Thread("10690000000", bubbles)
    image, shown = screens.render_thread(thread, width=720, height=3400, fonts=screens.Fonts.load(720 / 1080))
    assert len(shown) == 16
    tiles: list[float] = []
    read_tile = offline_engine._read_array

    def spy(tile: Any, offset_y: float) -> Any:
        tiles.append(offset_y)
        return read_tile(tile, offset_y)

    monkeypatch.setattr(offline_engine, "_read_array", spy)
    _, items = read_image(screens.png_bytes(image), "long.png", engine=offline_engine)
    assert tiles == [0.0, 1400.0, 2800.0]  # overlapping tiles, not one shrunken image
    texts = [c.text for c in items]
    assert len(texts) == 16, texts
    for i, text in enumerate(texts):
        assert screens.char_accuracy(f"第{i + 1}条：请于今日还款{i + 1}00元", text) >= 0.9, text
