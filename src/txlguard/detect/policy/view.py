"""One policy passage as recognizers see it: normalised text, sentences and category matches."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from txlguard.text import normalize

Span = tuple[int, int]

#: A sentence ends at these (full-width forms are folded to half-width by the normaliser).
_SENTENCE_END = re.compile(r"[。.!?;；！？\n]")


@dataclass(frozen=True)
class PolicyFinding:
    """A label confirmed at a span of the normalised passage."""

    label: str
    start: int
    end: int
    confidence: float
    rule: str
    explanation: str
    negated: bool = False


class PassageView:
    """A passage folded by :func:`txlguard.text.normalize` (full-width, traditional, spacers…),
    split into sentences, with category matches computed once and cached."""

    def __init__(self, original: str) -> None:
        self.normalized = normalize(original)
        self.text = self.normalized.text
        self.sentences: list[Span] = []
        start = 0
        for m in _SENTENCE_END.finditer(self.text):
            if m.end() - start > 1 or self.text[start : m.end()].strip():
                self.sentences.append((start, m.end()))
            start = m.end()
        if start < len(self.text):
            self.sentences.append((start, len(self.text)))
        self._cache: dict[re.Pattern[str], list[Span]] = {}
        self._bounds: dict[re.Pattern[str], tuple[list[int], list[int]]] = {}

    def matches(self, pattern: re.Pattern[str]) -> list[Span]:
        """Every non-overlapping match of a category's pattern in the whole passage (cached by
        pattern: two lexicons may use one category name for different terms)."""
        found = self._cache.get(pattern)
        if found is None:
            found = [(m.start(), m.end()) for m in pattern.finditer(self.text) if m.end() > m.start()]
            self._cache[pattern] = found
        return found

    def within(self, pattern: re.Pattern[str], span: Span) -> list[Span]:
        """The matches inside ``span``, found by bisection: matches do not overlap, so their starts
        and their ends both ascend (a passage with many anchors is checked in n log n, not n²)."""
        found = self.matches(pattern)
        bounds = self._bounds.get(pattern)
        if bounds is None:
            bounds = self._bounds[pattern] = ([s for s, _ in found], [e for _, e in found])
        return found[bisect_left(bounds[0], span[0]) : bisect_right(bounds[1], span[1])]

    def to_original(self, start: int, end: int) -> Span:
        return self.normalized.span_to_original(start, end)
