"""One message as the recognizers see it: folded text, trigger hits, sentences, voice, recipient.

A :class:`MessageView` is built only for messages that had a trigger hit (or were addressed to a
contact). Everything on it is computed lazily and cached, and every search is limited to one
sentence of bounded length, so the work per message stays linear in its length.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from txlguard.detect.cues import CONTEXT, CueIndex
from txlguard.detect.lexicon import Lexicon, Voice
from txlguard.taxonomy import Recipient

if TYPE_CHECKING:
    from txlguard.detect.recognizer import Recognizer

#: Sentence ends (in folded text full-width punctuation is already half-width).
_SENTENCE_END = re.compile(r"[。!?;\n\r]+|…{2,}|\.{3,}")
#: Clause breaks inside a sentence.
_CLAUSE_BREAK = re.compile(r"[,:，：…~]+|\s{2,}")
#: After a collector word: a transcript's speaker tag ("催收员：", "催收(男)：").
_SPEAKER_TAG = re.compile(r"[员方]?(?:\([^)]{0,4}\))?\s*[:：]")
#: A clause that only extends the one before it (the negation there still governs).
_CONTINUATION = re.compile(r"\s*(?:包括|包含|以及|甚至|更不会|也不会|或者|或是|还是|尤其是)")
#: Longest sentence looked at as one unit; longer ones are cut at clause breaks (linear time).
MAX_SEGMENT = 160
_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", '"': '"', "‘": "’", "'": "'"}
_LATIN = re.compile(r"[a-z0-9]")
_QUOTE_CHARS = re.compile("[“”「」『』\"‘’']")
#: After a closing quotation mark: the quoted words are named as something said or written
#: ("…”等言语", "…”类短信", "…”相威胁的").
_QUOTE_TAIL = re.compile(
    r"(?:[”」』\"’'、,，和及]|[“「『\"‘'][^”」』\"’'\n]{0,24}[”」』\"’'])*(?:等|之类|一类|这类|类|这样的|这种|(?:相|进行|加以)?(?:威胁|恐吓|要挟|胁迫)|话术|字样|字眼|的(?:短信|信息|消息|话|言语|威胁|字样|内容|说法|话术))"
)


class Hit(NamedTuple):
    """A trigger term found in the view's text: [start, end) and the categories it belongs to."""

    start: int
    end: int
    term: str
    tags: tuple[str, ...]


Span = tuple[int, int]


@dataclass(slots=True)
class Finding:
    """A recognizer's confirmed finding, in view-text coordinates."""

    label: str
    start: int
    end: int
    confidence: float
    explanation: str
    recognizer: str
    voice: Voice
    rule: str


class MessageView:
    """The folded text of one message with its hits and lazily computed context."""

    def __init__(
        self,
        text: str,
        hits: list[Hit],
        context: Lexicon,
        cues: CueIndex,
        recipient: Recipient | None = None,
        to_original: Callable[[int, int], Span] | None = None,
    ) -> None:
        self.text = text
        self.hits = _longest([h for h in hits if not _latin_inside_word(text, h)])
        self.context = context
        self.cue_index = cues
        self._cues: dict[str, list[Span]] | None = None
        self.given_recipient = recipient
        self._to_original = to_original
        self._by_tag: dict[str, list[Hit]] | None = None
        self._segments: list[int] | None = None
        self._cache: dict[tuple[str, Span], list[Span]] = {}
        self._recipient: tuple[Recipient, bool] | None = None
        self._modality: dict[Span, frozenset[str]] = {}
        self._whole: dict[str, tuple[list[Span], list[int], re.Pattern[str] | None]] = {}
        self._second_hand: bool | None = None
        self._quoted: list[Span] | None = None
        self._present: dict[str, bool] = {}

    # -- coordinates ---------------------------------------------------------------------------
    def to_original(self, start: int, end: int) -> Span:
        if self._to_original is None:
            return start, end
        return self._to_original(start, end)

    # -- hits ------------------------------------------------------------------------------------
    def hits_for(self, tag: str) -> list[Hit]:
        if self._by_tag is None:
            by_tag: dict[str, list[Hit]] = {}
            for hit in self.hits:
                for t in hit.tags:
                    by_tag.setdefault(t, []).append(hit)
            self._by_tag = by_tag
        return self._by_tag.get(tag, [])

    # -- sentences and clauses ------------------------------------------------------------------
    def _segment_starts(self) -> list[int]:
        if self._segments is None:
            starts = [0]
            text = self.text
            n = len(text)
            for m in _SENTENCE_END.finditer(text):
                if m.end() < n:
                    starts.append(m.end())
            if n <= MAX_SEGMENT:  # no sentence can be too long: most messages
                self._segments = starts
                return starts
            bounded: list[int] = []
            ends = [*starts[1:], len(text)]
            for s, e in zip(starts, ends, strict=True):
                bounded.append(s)
                while e - s > MAX_SEGMENT:
                    cut = s + MAX_SEGMENT
                    br = None
                    for m in _CLAUSE_BREAK.finditer(text, s + MAX_SEGMENT // 2, cut):
                        br = m.end()
                    s = br if br and br > s else cut
                    bounded.append(s)
            self._segments = bounded
        return self._segments

    def segment(self, pos: int) -> Span:
        """The sentence (at most MAX_SEGMENT characters) holding ``pos``."""
        starts = self._segments or self._segment_starts()
        i = bisect_right(starts, pos) - 1
        end = starts[i + 1] if i + 1 < len(starts) else len(self.text)
        return starts[i], end

    def previous_segment(self, seg: Span) -> Span | None:
        if seg[0] == 0:
            return None
        return self.segment(seg[0] - 1)

    def clause_start(self, pos: int, seg: Span) -> int:
        start = seg[0]
        for m in _CLAUSE_BREAK.finditer(self.text, seg[0], pos):
            start = m.end()
        return start

    def clause_end(self, pos: int, seg: Span) -> int:
        m = _CLAUSE_BREAK.search(self.text, pos, seg[1])
        return m.start() if m else seg[1]

    # -- cues ------------------------------------------------------------------------------------
    def spans(self, owner: Recognizer | None, category: str, seg: Span) -> list[Span]:
        """Where ``category`` occurs in ``seg``: the owner's trigger hits or cue, or a shared
        context cue."""
        if owner is not None:
            tag, is_trigger = owner.tag(category)
        else:
            tag, is_trigger = _context_tag(category), False
        return self.spans_of(tag, is_trigger, seg)

    def spans_of(self, tag: str, is_trigger: bool, seg: Span) -> list[Span]:
        """Occurrences of the category ``tag`` inside ``seg`` (literals from the cue automaton,
        ``re:`` parts by regex), cached."""
        key = (tag, seg)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        whole = self._whole.get(tag)
        if whole is None:
            whole = self._whole[tag] = self._occurrences(tag, is_trigger)
        spans, starts, pattern = whole
        s, e = seg
        if spans:
            out = _inside(spans, starts, s, e)
        elif pattern is None:
            out = []  # most categories: nothing anywhere in the message
            self._cache[key] = out
            return out
        else:
            out = []
        if pattern is not None and pattern.search(self.text, s, e) is not None:  # mostly None
            out.extend(m.span() for m in pattern.finditer(self.text, s, e) if m.end() > m.start())
            out.sort()
        self._cache[key] = out
        return out

    def present(self, tag: str, is_trigger: bool) -> bool:
        """Whether ``tag`` may occur anywhere in the message (its literals or trigger hits do, or
        it has a regex part): a cheap test that lets a rule fail before any sentence look-up."""
        found = self._present.get(tag)
        if found is None:
            whole = self._whole.get(tag)
            if whole is None:
                whole = self._whole[tag] = self._occurrences(tag, is_trigger)
            found = self._present[tag] = bool(whole[0]) or whole[2] is not None
        return found

    def _occurrences(
        self, tag: str, is_trigger: bool
    ) -> tuple[list[Span], list[int], re.Pattern[str] | None]:
        """The literal occurrences of ``tag`` in the whole message (sorted, with their starts) and
        its regex part; worked out once per category, so that each sentence costs a bisect."""
        if is_trigger:
            spans = sorted((h.start, h.end) for h in self.hits_for(tag))
            return spans, [x[0] for x in spans], None
        index = self.cue_index
        pattern = index.regexes.get(tag)
        found = self._cues
        if found is None:
            found = self._cues = index.find(self.text)
        if tag not in found and not index.may_occur(tag, found):
            return [], [], pattern
        spans = self.cue_index.complete(self.text, found, tag)
        return spans, [x[0] for x in spans], pattern

    def _found_cues(self) -> dict[str, list[Span]]:
        if self._cues is None:
            self._cues = self.cue_index.find(self.text)
        return self._cues

    def segments(self) -> list[Span]:
        starts = self._segment_starts()
        return [(s, starts[i + 1] if i + 1 < len(starts) else len(self.text)) for i, s in enumerate(starts)]

    def has(self, category: str, seg: Span, owner: Recognizer | None = None) -> bool:
        return bool(self.spans(owner, category, seg))

    def modality(self, seg: Span) -> frozenset[str]:
        """``threat`` (a conditional demand or a future/volition marker) and/or ``done``."""
        cached = self._modality.get(seg)
        if cached is not None:
            return cached
        out: set[str] = set()
        if self.has("conditional_demand", seg) or self.has("threat_modal", seg):
            out.add("threat")
        else:
            prev = self.previous_segment(seg)
            if prev is not None and self.has("conditional_demand", prev):
                out.add("threat")
        if self.has("done", seg):
            out.add("done")
        self._modality[seg] = frozen = frozenset(out)
        return frozen

    def second_person(self, seg: Span, at: int | None = None) -> bool:
        """The sentence addresses someone: 你/您, or a writer speaks of what was done to them.
        With ``at`` inside a quotation, a 你 in that quotation counts: the quoted speaker addresses
        someone ("催收说“你不还我们就联系你通讯录”" is a threat, reported)."""
        return self.addressed(seg, at) or self.has("first_person_victim", seg)

    # -- voice -----------------------------------------------------------------------------------
    def voice(
        self,
        start: int,
        end: int,
        negation: tuple[str, ...],
        victim_before: bool = True,
        victim_after: bool = False,
    ) -> Voice:
        """Whose conduct a span is: the sender's own (direct), reported second-hand, negated, or a
        quotation of the law."""
        text = self.text
        seg = self.segment(start)
        if self._negated(start, seg, negation):
            return "negated"
        if not self.may_be_second_hand():
            return "direct"
        whole = (0, len(text))
        second = self.second_person(seg)
        if self.has("law_citation", seg) and not (second and self.has("accusation", seg)):
            return "quoted_law"
        if self._in_reported_quote(start, seg):
            return "reported"
        if self._reported_frame(seg[0], start):
            return "reported"
        if (
            text[max(seg[0], start - 1) : start] == "被"
            and not second
            and (
                self.spans(None, "first_person", (max(seg[0], start - 6), start))
                # A forum post drops the 我 ("被爆通讯录了，怎么办"); "再不还就被拘留，怎么办？" threatens.
                or (self.has("complaint", seg) and "threat" not in self.modality(seg))
            )
        ):
            return "reported"
        if victim_before and self.spans(None, "victim_before", (max(seg[0], start - 4), start)):
            return "reported"
        if victim_after and text[end : end + 1] == "我" and text[end : end + 2] not in ("我们", "我司"):
            return "reported"
        # A news report or a complaint quotes threats: "你" inside quotation marks, or a writer's
        # "给我"/"骂我", does not make the sentence one addressed to the reader.
        addressed = self.addressed(seg)
        if self.has("news", whole) and not addressed:
            return "reported"
        if self.has("complaint", whole) and not addressed and self.has("first_person", seg):
            return "reported"
        return "direct"

    def addressed(self, seg: Span, at: int | None = None) -> bool:
        """The sentence says 你/您 outside quotation marks (or inside the one ``at`` is in)."""
        spans = self.spans(None, "second_person", seg)
        if not spans:
            return False
        quoted = self.quoted_ranges()
        if not quoted:
            return True
        quote = next(((a, b) for a, b in quoted if a < at < b), None) if at is not None else None
        return any(
            not any(a < s < b for a, b in quoted) or (quote is not None and quote[0] < s < quote[1])
            for s, _e in spans
        )

    def quoted_ranges(self) -> list[Span]:
        """(opening, closing) positions of the paired quotation marks of the message."""
        if self._quoted is None:
            text = self.text
            out: list[Span] = []
            if _QUOTE_CHARS.search(text) is not None:
                i, n = 0, len(text)
                while i < n:
                    closing = _QUOTE_PAIRS.get(text[i])
                    if closing is not None:
                        j = text.find(closing, i + 1)
                        if j != -1:
                            out.append((i, j))
                            i = j
                    i += 1
            self._quoted = out
        return self._quoted

    def may_be_second_hand(self) -> bool:
        """Whether anything in the message could make a span reported or quoted (computed once)."""
        if self._second_hand is None:
            whole = (0, len(self.text))
            self._second_hand = (
                "我" in self.text
                or "被" in self.text
                or _QUOTE_CHARS.search(self.text) is not None
                or any(self.spans_of(tag, False, whole) for tag in _SECOND_HAND_TAGS)
            )
        return self._second_hand

    def _reported_frame(self, lo: int, pos: int) -> bool:
        """A reporting frame before ``pos`` in the sentence: "他威胁说", "催收天天打电话…"."""
        window = (lo, pos)
        if self.spans(None, "report_marker", window):
            return True
        verbs = self.spans(None, "report_speech", window)
        acts = self.spans(None, "report_act", window)
        if not verbs and not acts:
            return False
        text = self.text
        for people, kinds in (("report_person", verbs), ("report_collector", verbs + acts)):
            for _s, e in self.spans(None, people, window):
                if people == "report_collector" and _SPEAKER_TAG.match(text, e):
                    continue  # a transcript's speaker tag ("催收员：…"), not a report of one
                if any(0 <= vs - e <= 12 for vs, _ve in kinds):
                    return True
        return False

    def _negated(self, start: int, seg: Span, negation: tuple[str, ...]) -> bool:
        clause_start = self.clause_start(start, seg)
        # "不会告诉任何人，包括你的紧急联系人": the clause continues the negated one before it.
        if clause_start > seg[0] and _CONTINUATION.match(self.text, clause_start):
            clause_start = self.clause_start(clause_start - 1, seg)
        text = self.text
        for category in negation:
            for s, e in self.spans(None, category, (clause_start, start)):
                if text[s] == "不" and s > 0 and e > s + 1 and text[s - 1] == text[s + 1]:
                    continue  # "会不会", "要不要": a question, not a negation
                between = text[e:start]
                if (
                    self.cue_index.regexes_or_literals("ctx/negation_breaker").search(between)
                    and "因为" not in between
                    and "由于" not in between
                ):
                    continue
                if self.cue_index.regexes_or_literals("ctx/negation_exception").match(self.text, e):
                    continue
                return not self.spans(None, "negation_undone_after", (start, seg[1]))
        return False

    def _in_reported_quote(self, pos: int, seg: Span) -> bool:
        text = self.text
        lo = max(0, pos - MAX_SEGMENT)
        if _QUOTE_CHARS.search(text, lo, pos) is None:
            return False
        for i in range(pos - 1, lo - 1, -1):
            ch = text[i]
            if ch in "”」』":
                return False
            if ch in _QUOTE_PAIRS:
                closing = _QUOTE_PAIRS[ch]
                if closing == ch and text.count(ch, lo, pos) % 2 == 0:
                    return False
                before = (max(0, i - 12), i)
                if self.spans(None, "reporting_verb", before):
                    return True
                # "…以“让你好看”等言语恐吓", "发送“小心你孩子”的短信": named as a kind of speech.
                end = text.find(closing, pos)
                return end != -1 and _QUOTE_TAIL.match(text, end + 1) is not None
        return False

    # -- recipient -------------------------------------------------------------------------------
    def recipient_known(self) -> bool:
        """Whether :meth:`recipient` has been worked out already (or needs no inference)."""
        return self._recipient is not None or self.given_recipient in ("borrower", "contact")

    def recipient(self) -> tuple[Recipient, bool]:
        """(role, inferred): the given role, else the one the text implies, else unknown."""
        if self._recipient is not None:
            return self._recipient
        given = self.given_recipient
        whole = (0, len(self.text))
        found: tuple[Recipient, bool]
        if given in ("borrower", "contact"):
            found = (given, False)
        elif self.has("recipient_contact", whole):
            found = ("contact", True)
        elif self.has("recipient_borrower", whole):
            found = ("borrower", True)
        else:
            found = ("unknown", False)
        self._recipient = found
        return found


@cache
def _context_tag(category: str) -> str:
    """The tag of a shared context category (built once, not per look-up)."""
    return f"{CONTEXT}/{category}"


#: Context categories whose presence anywhere may make a span reported or quoted.
_SECOND_HAND_TAGS = tuple(
    f"{CONTEXT}/{c}"
    for c in ("report_marker", "report_speech", "report_act", "law_citation", "news", "complaint")
)


def _inside(spans: list[Span], starts: list[int], s: int, e: int) -> list[Span]:
    """The spans (sorted, with their starts) lying inside [s, e): a bisect, then only those."""
    i = bisect_left(starts, s)
    out: list[Span] = []
    n = len(spans)
    while i < n and spans[i][0] < e:
        if spans[i][1] <= e:
            out.append(spans[i])
        i += 1
    return out


def _longest(hits: list[Hit]) -> list[Hit]:
    """Drop a hit inside a longer hit of the same categories ("联系人" in "紧急联系人")."""
    if len(hits) < 2:
        return hits
    ordered = sorted(hits, key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    for h in ordered:
        start, end = h.start, h.end
        for k in kept[-4:]:
            if k.start <= start and end <= k.end and set(h.tags) <= set(k.tags):
                break
        else:
            kept.append(h)
    return kept


def _latin_inside_word(text: str, hit: Hit) -> bool:
    """A Latin trigger ("sb", "txl") inside a longer Latin word or number does not count."""
    if text[hit.start : hit.start + 1] >= "\x80" and text[hit.end - 1 : hit.end] >= "\x80":
        return False  # starts and ends with a non-ASCII character: not a Latin term
    if not _LATIN.match(text, hit.start) and not _LATIN.match(text, hit.end - 1):
        return False
    before = text[hit.start - 1 : hit.start] if hit.start else ""
    after = text[hit.end : hit.end + 1]
    first_latin = bool(_LATIN.match(text, hit.start))
    last_latin = bool(_LATIN.match(text, hit.end - 1))
    return bool(
        (first_latin and before and _LATIN.match(before)) or (last_latin and after and _LATIN.match(after))
    )
