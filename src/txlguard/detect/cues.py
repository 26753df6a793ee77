"""All cue categories of all lexicons, matched in one pass over a message.

A cue category (``data/<label>.yaml`` → ``cues``, ``data/context.yaml``) mixes literal terms and
``re:`` regexes. The literals of every category go into one automaton (:mod:`automaton`), run
once over a message that needs confirming; the regex parts stay regexes, run only when a rule
asks for them, sentence by sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from txlguard.detect import automaton
from txlguard.detect.lexicon import Lexicon, Sequence, expand

Span = tuple[int, int]

#: Tag prefix of the shared context cues.
CONTEXT = "ctx"


class CueIndex:
    """The compiled cues of a set of lexicons; tags are ``<label>/<category>`` or ``ctx/<category>``."""

    def __init__(self, lexicons: Iterable[Lexicon], context: Lexicon) -> None:
        literals: dict[str, set[str]] = {}
        self.regexes: dict[str, re.Pattern[str]] = {}
        self.known: set[str] = set()

        self.sequences: list[tuple[str, Sequence, re.Pattern[str]]] = []
        self._sequences_of: dict[str, list[int]] = {}

        def add(tag: str, entries: list[str]) -> None:
            self.known.add(tag)
            patterns = [e[3:] for e in entries if e.startswith("re:")]
            # Single characters are found faster by a character class than by the automaton.
            singles = sorted(
                {t for e in entries if not e.startswith(("re:", "seq:")) for t in expand(e) if len(t) == 1}
            )
            if singles:
                patterns.append("[" + "".join(re.escape(c) for c in singles) + "]")
            if patterns:
                self.regexes[tag] = re.compile("(?:" + "|".join(patterns) + ")")
            for entry in entries:
                if entry.startswith("seq:"):
                    seq = Sequence.parse(entry, tag)
                    then = re.compile("|".join(re.escape(t) for t in sorted(seq.then, key=len, reverse=True)))
                    seq_tag = f"seq#{len(self.sequences)}"
                    self._sequences_of.setdefault(tag, []).append(len(self.sequences))
                    self.sequences.append((tag, seq, then))
                    for term in seq.first:
                        literals.setdefault(term, set()).add(seq_tag)
                elif not entry.startswith("re:"):
                    for term in expand(entry):
                        if len(term) > 1:
                            literals.setdefault(term, set()).add(tag)

        for name, entries in context.spec.cues.items():
            add(f"{CONTEXT}/{name}", entries)
        lexicons = list(lexicons)
        for lexicon in lexicons:
            for name, entries in lexicon.spec.cues.items():
                add(f"{lexicon.label}/{name}", entries)
        self._sequence_tags = {tag: [f"seq#{n}" for n in ns] for tag, ns in self._sequences_of.items()}
        self._compiled: dict[str, re.Pattern[str]] = {}
        for lexicon in [context, *lexicons]:
            prefix = CONTEXT if lexicon is context else lexicon.label
            for name, pattern in lexicon.cues.items():
                self._compiled[f"{prefix}/{name}"] = pattern
        self._automaton: Any = automaton.build((term, tuple(sorted(tags))) for term, tags in literals.items())

    def regexes_or_literals(self, tag: str) -> re.Pattern[str]:
        """The whole category (literals and regexes) as one regex, for short look-ups."""
        return self._compiled[tag]

    def find(self, text: str) -> dict[str, list[Span]]:
        """Every literal cue in ``text``, by tag, in order of end position."""
        data = text.encode("utf-8", "surrogatepass")
        chars = automaton.char_offsets(data)
        out: dict[str, list[Span]] = {}
        for end, value in self._automaton.iter(data.decode("latin-1")):
            if value is None:
                continue
            length, tags = value
            stop = end + 1
            span = (stop - length, stop) if chars is None else (chars[stop - length], chars[stop])
            for tag in tags:
                found = out.get(tag)
                if found is None:
                    out[tag] = [span]
                else:
                    found.append(span)
        return out

    def may_occur(self, tag: str, found: dict[str, list[Span]]) -> bool:
        """Whether ``found`` holds a literal of ``tag`` or the first part of one of its sequences."""
        if tag in found:
            return True
        firsts = self._sequence_tags.get(tag)
        if firsts is None:
            return False
        return any(first in found for first in firsts)

    def complete(self, text: str, found: dict[str, list[Span]], tag: str) -> list[Span]:
        """The literal and ``seq:`` occurrences of ``tag``: sequences are completed from their
        first parts (recorded by :meth:`find` under ``seq#<n>``) only when a rule asks."""
        spans = list(found.get(tag, ()))
        for n in self._sequences_of.get(tag, ()):
            for first in found.get(f"seq#{n}", ()):
                span = self._sequence(text, n, first)
                if span is not None:
                    spans.append(span)
        if len(spans) > 1:
            spans.sort()
        return spans

    def _sequence(self, text: str, n: int, first: Span) -> Span | None:
        """Complete the ``seq:`` cue number ``n`` from its first part, or None."""
        _tag, seq, then = self.sequences[n]
        limit = first[1] + seq.gap
        for stop in "。!?;\n":
            cut = text.find(stop, first[1], limit)
            if cut != -1:
                limit = cut
        m = then.search(text, first[1], limit + max(len(t) for t in seq.then))
        if m is None or m.start() > limit:
            return None
        return first[0], m.end()
