"""Read a privacy policy or loan agreement: bytes in any common encoding, HTML or plain text.

HTML is reduced to its visible text (tags, scripts and styles dropped, entities decoded, block
elements ending a line), and offsets of detections then index that extracted text — the report
says so — because an offset into markup would point into tags a reader never sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from txlguard.ingest.decoding import decode_bytes

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)
_HIDDEN = frozenset({"script", "style", "noscript", "template", "head"})
_LOOKS_HTML = re.compile(r"<\s*(html|body|p|div|br|span|h[1-6]|li|table|!doctype)\b", re.IGNORECASE)


class DocumentError(ValueError):
    """A document cannot be read; the message is Chinese."""


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, one line per block element, runs of blank lines squeezed."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\r\n", "\n").replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_HTML.search(text[:4096]))


@dataclass(frozen=True)
class PolicyDocument:
    """The text the detections' offsets index, and how it was obtained."""

    name: str
    text: str
    encoding: str
    is_html: bool

    @property
    def offsets_note(self) -> str:
        if self.is_html:
            return "偏移量指向从 HTML 中提取出的正文文本（已去除标签），不是 HTML 源码"
        return "偏移量指向原文（解码后的文本）"


def read_document(data: bytes, name: str) -> PolicyDocument:
    """Decode (UTF-8, GBK/GB18030, detected) and, for HTML, extract the visible text."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"{name} 超过 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB，不像是一份隐私政策或协议")
    if not data.strip():
        raise DocumentError(f"{name} 是空的")
    try:
        text, encoding = decode_bytes(data, name)
    except ValueError as exc:
        raise DocumentError(str(exc)) from exc
    if looks_like_html(text) or name.lower().endswith((".html", ".htm")):
        return PolicyDocument(name, html_to_text(text), encoding, True)
    return PolicyDocument(name, text, encoding, False)
