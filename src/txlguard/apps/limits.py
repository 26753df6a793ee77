"""Cheap checks before any APK is parsed: size, a readable ZIP, no zip bomb, a manifest.

The size and the ZIP central directory are checked first, so a 100 MB file or a corrupt one is
turned away in milliseconds. The declared sizes may lie (androguard's ZIP reader inflates an entry
to its end, whatever the directory says), so every deflated entry is then inflated in chunks and
counted, stopping as soon as it exceeds its declared size: a lying bomb is refused after reading
at most its declared size plus one chunk, with memory bounded by the chunk.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from txlguard.ingest.readers.base import human_size


class ApkError(ValueError):
    """The file is not an APK we will analyse; the message is Chinese and says why."""


@dataclass(frozen=True)
class ApkLimits:
    """Bounds on what is analysed (configurable from the command line). A lending app is usually
    20–60 MB; androguard holds the whole file and its parsed code in memory, so larger files are
    refused unless the user raises the limit."""

    max_bytes: int = 64 * 1024 * 1024
    max_uncompressed: int = 1024 * 1024 * 1024
    max_entries: int = 50_000
    max_ratio: int = 200
    timeout_seconds: float = 300.0
    memory_bytes: int = 2 * 1024 * 1024 * 1024


def check_apk(path: Path, limits: ApkLimits) -> int:
    """Raise :class:`ApkError` unless ``path`` is a plausible APK within ``limits``; its size."""
    if not path.exists():
        raise ApkError(f"找不到 APK 文件：{path}")
    if not path.is_file():
        raise ApkError(f"{path} 不是一个文件")
    size = path.stat().st_size
    if size == 0:
        raise ApkError(f"{path.name} 是空文件")
    if size > limits.max_bytes:
        raise ApkError(
            f"{path.name} 大小为 {human_size(size)}，超过上限 {human_size(limits.max_bytes)}"
            "（可用 --max-size 调整）"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ApkError(f"{path.name} 不是有效的 APK（ZIP 结构损坏或不是 ZIP 文件）") from exc
    except (OSError, ValueError, NotImplementedError) as exc:
        raise ApkError(f"{path.name} 无法作为 APK 读取：{exc}") from exc
    if len(infos) > limits.max_entries:
        raise ApkError(f"{path.name} 含有 {len(infos)} 个文件，超过上限 {limits.max_entries}")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed:
        raise ApkError(
            f"{path.name} 解压后达 {human_size(total)}，超过上限 {human_size(limits.max_uncompressed)}，疑似压缩炸弹"
        )
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ApkError(
                f"{path.name} 中的 {info.filename} 压缩比异常（{info.file_size // max(info.compress_size, 1)}:1），疑似压缩炸弹"
            )
    if not any(i.filename == "AndroidManifest.xml" for i in infos):
        raise ApkError(f"{path.name} 中没有 AndroidManifest.xml，不是安卓安装包")
    _check_actual_sizes(path, infos)
    return size


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CHUNK = 1024 * 1024


def _check_actual_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Inflate each deflated entry with a running cap at its declared size (+1 byte) and refuse
    the file when any holds more than it declares, or is stored with two different sizes."""
    with path.open("rb") as handle:
        for info in infos:
            if info.compress_type == zipfile.ZIP_STORED:
                if info.compress_size != info.file_size:
                    raise ApkError(f"{path.name} 中的 {info.filename} 声明的大小前后不一致，文件可能被篡改")
                continue
            if info.compress_type != zipfile.ZIP_DEFLATED:
                raise ApkError(
                    f"{path.name} 中的 {info.filename} 使用了安卓不支持的压缩方式（{info.compress_type}）"
                )
            handle.seek(info.header_offset)
            header = handle.read(_LOCAL_HEADER.size)
            if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
                raise ApkError(f"{path.name} 不是有效的 APK（ZIP 结构损坏或不是 ZIP 文件）")
            fields = _LOCAL_HEADER.unpack(header)
            handle.seek(fields[-2] + fields[-1], 1)  # file name and extra field
            if _inflated_size(handle, info.file_size + 1, path.name) > info.file_size:
                raise ApkError(
                    f"{path.name} 中的 {info.filename} 解压后超过其声明的大小（{human_size(info.file_size)}），"
                    "疑似压缩炸弹"
                )


def _inflated_size(handle: BinaryIO, cap: int, name: str) -> int:
    """Bytes the deflate stream at the handle's position inflates to, counted up to ``cap``."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    while total < cap and not inflater.eof:
        data = inflater.unconsumed_tail or handle.read(_CHUNK)
        if not data:
            break
        try:
            total += len(inflater.decompress(data, min(_CHUNK, cap - total)))
        except zlib.error as exc:
            raise ApkError(f"{name} 中有损坏的压缩数据，不是有效的 APK") from exc
    return total
