"""Cheap checks before any APK is parsed: size, a readable ZIP, no zip bomb, a manifest.

They read only the file's size and the ZIP central directory, never the content, so a 100 MB file
or a corrupt one is turned away in milliseconds and without loading it into memory.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

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
    memory_bytes: int = 4 * 1024 * 1024 * 1024


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
    return size
