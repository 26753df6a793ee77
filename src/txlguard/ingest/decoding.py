"""Decode user files: UTF-8 (with or without BOM), GBK/GB18030 and friends, detected, never guessed silently."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes


class DecodingError(ValueError):
    """The bytes are not text in any encoding we accept; the message is Chinese."""


_CHINESE_FAMILY = ("gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950", "cp936")


def decode_bytes(data: bytes, name: str = "输入") -> tuple[str, str]:
    """Return (text, encoding). UTF-8 first; otherwise GB18030 (a superset of GBK); then detection."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise DecodingError(f"{name} 不是可识别的文本文件（既不是 UTF-8，也不是 GBK/GB18030）")
    encoding = best.encoding.lower()
    if encoding not in _CHINESE_FAMILY and not encoding.startswith(("utf", "ascii")):
        raise DecodingError(f"{name} 的编码看起来是 {encoding}，不是中文文本常用编码，请另存为 UTF-8 后重试")
    return str(best), encoding
