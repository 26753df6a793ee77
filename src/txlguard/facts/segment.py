"""The text the narrative lexicons match on, its sentences and clauses, and the way back to the original.

``View`` is ``normalize(narrative).text`` with quote marks, whitespace (except line breaks) and
control characters removed, so that "他说「再不还就爆你通讯录」" and "他说再不还就爆你通讯录" are the
same text to every pattern. Every view offset maps back to the original narrative.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from txlguard.text import normalize

QUOTES = frozenset("「」『』“”‘’\"'﹁﹂﹃﹄〝〞＂＇‹›«»")
SENTENCE_END = frozenset("。！？!?；;\n｡")
CLAUSE_END = frozenset("，,：:")
#: Context checks look at most this far from a match: a "clause" or "sentence" without punctuation
#: (a pasted chat log, a 1 MB upload) must not make every check scan the whole text.
MAX_CONTEXT = 120
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n｡]*(?:[。！？!?；;\n｡]+|$)")
_BOUNDARY_RE = re.compile(r"[，,：:。！？!?；;\n｡]")
_DROP_RE = re.compile(
    "[" + re.escape("".join(sorted(QUOTES))) + r"]|[^\S\n]|[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad"
    r"\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ue000-\uf8ff\ud800-\udfff]"
)


@dataclass(frozen=True, slots=True)
class View:
    """Matching text plus, for each of its characters, the span of the original it came from."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    sentences: tuple[tuple[int, int], ...]
    sentence_starts: tuple[int, ...]
    boundaries: tuple[int, ...]  # offsets of clause and sentence punctuation, ascending

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind the view span [start, end)."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def sentence_of(self, index: int) -> int:
        """Index of the sentence that holds view offset ``index``."""
        return max(0, bisect_right(self.sentence_starts, index) - 1)

    def sentence_span_original(self, sent: int) -> tuple[int, int]:
        """Original span of a sentence, without surrounding whitespace."""
        start, end = self.sentences[sent]
        o_start, o_end = self.to_original(start, end)
        while o_start < o_end and self.original[o_start].isspace():
            o_start += 1
        while o_end > o_start and self.original[o_end - 1].isspace():
            o_end -= 1
        return o_start, o_end

    def clause_bounds(self, index: int, sent: int) -> tuple[int, int]:
        """The clause (between ，：) around view offset ``index`` inside sentence ``sent``."""
        s_start, s_end = self.sentences[sent]
        i = bisect_left(self.boundaries, index)
        left = self.boundaries[i - 1] + 1 if i > 0 else 0
        right = self.boundaries[i] if i < len(self.boundaries) else len(self.text)
        return max(left, s_start, index - MAX_CONTEXT), min(right, s_end, index + MAX_CONTEXT)

    def previous_clause_start(self, clause_start: int, sent: int) -> int:
        """Start of the clause before the one starting at ``clause_start`` (same sentence)."""
        s_start, _ = self.sentences[sent]
        if clause_start <= s_start:
            return s_start
        return self.clause_bounds(clause_start - 1, sent)[0]


def build_view(narrative: str) -> View:
    """Normalise ``narrative`` and strip what carries no meaning for fact extraction."""
    normalized = normalize(narrative.replace("\r\n", " \n").replace("\r", "\n"))
    folded = normalized.text
    identity = bool(getattr(normalized, "is_identity", False))
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for m in [*_DROP_RE.finditer(folded), None]:
        stop = len(folded) if m is None else m.start()
        if stop > last:
            pieces.append(folded[last:stop])
            if identity:
                starts.extend(range(last, stop))
                ends.extend(range(last + 1, stop + 1))
            else:
                for i in range(last, stop):
                    o_start, o_end = normalized.span_to_original(i, i + 1)
                    starts.append(o_start)
                    ends.append(o_end)
        if m is not None:
            last = m.end()
    text = "".join(pieces)
    sentences: list[tuple[int, int]] = []
    for m in _SENTENCE_RE.finditer(text):
        if m.end() > m.start() and text[m.start() : m.end()].strip("\n"):
            sentences.append((m.start(), m.end()))
    if not sentences:
        sentences.append((0, len(text)))
    return View(
        original=narrative,
        text=text,
        starts=tuple(starts),
        ends=tuple(ends),
        sentences=tuple(sentences),
        sentence_starts=tuple(s for s, _ in sentences),
        boundaries=tuple(m.start() for m in _BOUNDARY_RE.finditer(text)),
    )
