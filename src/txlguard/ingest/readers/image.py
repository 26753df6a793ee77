"""Screenshots (PNG, JPEG, WebP) through OCR, with every line's box and confidence kept.

Checks before any pixel is decoded: the file size, the magic bytes (a ZIP or anything else named
``.png`` is refused), the format, and the pixel count from the header (decompression bombs).
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING, Final, Literal

from txlguard.ingest.models import Channel, Communication, Evidence, IngestError
from txlguard.ingest.readers.base import ReadResult, check_size

if TYPE_CHECKING:
    from PIL.Image import Image

    from txlguard.ingest.ocr import OcrEngine

ImageFormat = Literal["png", "jpeg", "webp"]

MAX_IMAGE_BYTES: Final = 20 * 1024 * 1024
"""Phone screenshots, even long ones, are a few MB; anything over 20 MB is refused unread."""

MAX_IMAGE_PIXELS: Final = 40_000_000
"""About a 1440 × 27 000 long screenshot; larger headers are refused before decoding."""

MAX_IMAGE_SIDE: Final = 30_000

MEDIA_TYPES: Final[dict[ImageFormat, str]] = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
_PILLOW_FORMATS: Final[dict[ImageFormat, str]] = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}

# Other binary kinds, named so that a disguised file gets a precise message.
_OTHER_MAGIC: Final[tuple[tuple[bytes, str], ...]] = (
    (b"PK\x03\x04", "ZIP 压缩包"),
    (b"PK\x05\x06", "ZIP 压缩包"),
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩文件"),
    (b"%PDF", "PDF 文档"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"BM", "BMP 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"\x7fELF", "可执行程序"),
    (b"MZ", "Windows 可执行程序"),
)


def sniff_image(data: bytes) -> ImageFormat | None:
    """The image format the magic bytes announce, whatever the file is called."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def describe_binary(data: bytes) -> str | None:
    """A Chinese name for a known non-image binary kind (ZIP, PDF, …), from its magic bytes."""
    if data[4:8] == b"ftyp":
        return "HEIC/HEIF 图片（苹果手机默认格式）"
    for magic, label in _OTHER_MAGIC:
        if data.startswith(magic):
            return label
    return None


def refuse_not_image(data: bytes, name: str) -> IngestError:
    actual = describe_binary(data)
    if actual:
        return IngestError(
            f"{name} 的内容其实是{actual}，不是 PNG/JPEG/WebP 截图；出于安全原因拒绝读取。"
            "请直接提供截图文件（HEIC 请先转成 JPEG 或 PNG）"
        )
    return IngestError(f"{name} 不是 PNG、JPEG 或 WebP 图片（文件头不对），可能已损坏或被改了扩展名")


def open_image(data: bytes, name: str) -> tuple[Image, ImageFormat]:
    """Decode a screenshot safely: size, magic, header pixel count, then pixels; RGB, upright."""
    from PIL import Image as PILImage
    from PIL import ImageOps, UnidentifiedImageError

    check_size(data, name, MAX_IMAGE_BYTES)
    kind = sniff_image(data)
    if kind is None:
        raise refuse_not_image(data, name)
    if PILImage.MAX_IMAGE_PIXELS is None or PILImage.MAX_IMAGE_PIXELS > MAX_IMAGE_PIXELS:
        PILImage.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow's own bomb check, never loosened
    too_big = IngestError(
        f"{name} 的图片尺寸过大（超过 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素或单边 {MAX_IMAGE_SIDE} 像素），"
        "可能是“解压炸弹”，拒绝读取；请分段截图后再添加"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            opened = PILImage.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])
            width, height = opened.size
            if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
                raise too_big
            if width < 8 or height < 8:
                raise IngestError(f"{name} 的图片太小（{width}×{height} 像素），无法识别文字")
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except IngestError:
        raise  # ours, from the checks above (IngestError is a ValueError: keep it from the clause below)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise too_big from exc
    except UnidentifiedImageError as exc:
        raise IngestError(f"{name} 看起来是 {kind.upper()} 图片，但文件头已损坏，无法打开") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise IngestError(
            f"{name} 的图片数据不完整或已损坏（可能传输中被截断），请重新截图或重新导出"
        ) from exc
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = PILImage.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background, kind
    return image.convert("RGB"), kind


def read_image(
    data: bytes,
    name: str = "截图",
    *,
    engine: OcrEngine | None = None,
    channel: Channel = "other",
    counterparty: str | None = None,
) -> ReadResult:
    """OCR a screenshot into messages (one per bubble), each keeping its lines' boxes.

    An image without readable text gives no communications (the image is still evidence).
    ``counterparty`` overrides the title read from the top of the screenshot.
    """
    from txlguard.ingest.ocr import default_engine, group_lines

    image, kind = open_image(data, name)
    lines = (engine or default_engine()).read(image)
    layout = group_lines(lines, float(image.width), float(image.height), image)
    evidence = Evidence.of(data, media_type=MEDIA_TYPES[kind], source_name=name, kind="image-ocr")
    other_side = counterparty or layout.title
    items = [
        Communication(
            evidence_sha256=evidence.sha256,
            index=i,
            channel=channel,
            direction=message.direction,
            counterparty=other_side,
            timestamp=message.timestamp,
            text=message.text,
            boxes=message.boxes,
        )
        for i, message in enumerate(layout.messages)
    ]
    return evidence, items
