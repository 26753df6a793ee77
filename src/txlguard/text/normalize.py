"""Fold the forms collectors and OCR produce into one canonical text, keeping offsets.

``normalize(original).text`` is what detectors match on; ``span_to_original`` maps a match back so
that every quote a user sees is a slice of what they gave us.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

# Characters that carry no meaning but are used to split words past keyword filters.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Normalised text plus, for each of its characters, the original index it came from."""

    original: str
    text: str
    origin: tuple[int, ...]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span [start, end) of ``text`` to the matching span of ``original``."""
        if start >= end or not self.origin:
            pos = self.origin[start] if start < len(self.origin) else len(self.original)
            return pos, pos
        return self.origin[start], self.origin[end - 1] + 1

    def quote(self, start: int, end: int) -> str:
        o_start, o_end = self.span_to_original(start, end)
        return self.original[o_start:o_end]


def normalize(original: str) -> NormalizedText:
    """NFKC (full-width → half-width), lower case, traditional → simplified, invisible chars removed."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(original):
        if char in _INVISIBLE:
            continue
        folded = unicodedata.normalize("NFKC", char).lower()
        for piece in folded:
            chars.append(piece)
            origin.append(index)
    folded_text = "".join(chars)
    simplified = _t2s().convert(folded_text)
    if len(simplified) != len(folded_text):  # phrase conversions may change length: go char by char
        simplified = "".join(_t2s().convert(c) for c in folded_text)
    return NormalizedText(original=original, text=simplified, origin=tuple(origin))
