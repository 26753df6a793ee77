"""Label privacy-policy and agreement passages (TAXONOMY §4), with offsets into the original text.

A text is split into passages at line breaks (a policy's paragraphs and numbered clauses); each
passage is normalised (full-width, traditional characters, spacers) and read sentence by sentence
by every recognizer. A label holds for a passage when any sentence confirms it without negation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from txlguard.detect.models import Detection
from txlguard.detect.policy.models import PolicyInput, PolicyResult
from txlguard.detect.policy.recognizer import PolicyRecognizer
from txlguard.detect.policy.recognizers import POLICY_RECOGNIZERS
from txlguard.detect.policy.view import PassageView
from txlguard.taxonomy import PolicyLabel

_ORDER = {label.value: i for i, label in enumerate(PolicyLabel)}
_PASSAGE = re.compile(r"[^\r\n]+")
_SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]?")
#: Where a sentence longer than a passage may be cut: after a comma or a space.
_CLAUSE = re.compile(r"[^，,、\s]*[，,、\s]*")
#: A line longer than this (a policy pasted or exported without paragraph breaks) is read as runs of
#: whole sentences of at most this length, so that a passage-wide condition ("…撤回") stays local.
MAX_PASSAGE_CHARS = 400


@dataclass(frozen=True)
class Passage:
    """A paragraph of a longer text: where it starts and ends in that text."""

    start: int
    end: int
    text: str


def split_passages(text: str) -> list[Passage]:
    """Non-blank lines, stripped, with their offsets in ``text``; overlong lines in sentence runs."""
    out: list[Passage] = []
    for m in _PASSAGE.finditer(text):
        line = m.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = m.start() + (len(line) - len(line.lstrip()))
        if len(stripped) <= MAX_PASSAGE_CHARS:
            out.append(Passage(start, start + len(stripped), stripped))
            continue
        run_start = run_end = 0
        for unit_end in _unit_ends(stripped):
            if unit_end - run_start > MAX_PASSAGE_CHARS and run_end > run_start:
                out += _piece(stripped, start, run_start, run_end)
                run_start = run_end
            run_end = unit_end
        out += _piece(stripped, start, run_start, len(stripped))
    return out


def _unit_ends(line: str) -> list[int]:
    """Where the sentences of an overlong line end; a sentence itself longer than a passage (no 。！？；
    for hundreds of characters) is cut after commas or spaces, and a clause longer than that every
    ``MAX_PASSAGE_CHARS`` characters — so no passage outgrows the bound that keeps scanning linear."""
    ends: list[int] = []
    for sentence in _SENTENCE.finditer(line):
        if sentence.end() == sentence.start():
            continue
        if sentence.end() - sentence.start() <= MAX_PASSAGE_CHARS:
            ends.append(sentence.end())
            continue
        for clause in _CLAUSE.finditer(line, sentence.start(), sentence.end()):
            ends += range(clause.start() + MAX_PASSAGE_CHARS, clause.end(), MAX_PASSAGE_CHARS)
            if clause.end() > clause.start():
                ends.append(clause.end())
    return ends


def _piece(line: str, offset: int, start: int, end: int) -> list[Passage]:
    chunk = line[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    body = chunk.strip()
    return [Passage(offset + start + lead, offset + start + lead + len(body), body)] if body else []


class PolicyScanner:
    """Runs the policy recognizers over passages."""

    def __init__(self, recognizers: Iterable[PolicyRecognizer] | None = None) -> None:
        self.recognizers = list(recognizers) if recognizers is not None else [r() for r in POLICY_RECOGNIZERS]

    def scan_passage(self, text: str, offset: int = 0) -> tuple[list[Detection], list[Detection]]:
        """(detections, negated statements) of one passage; offsets shifted by ``offset``."""
        view = PassageView(text)
        found: list[Detection] = []
        negated: list[Detection] = []
        for recognizer in self.recognizers:
            for f in recognizer.analyze(view):
                start, end = view.to_original(f.start, f.end)
                detection = Detection(
                    label=f.label,
                    start=start + offset,
                    end=end + offset,
                    quote=text[start:end],
                    confidence=f.confidence,
                    provisions=recognizer.provisions,
                    recognizer=recognizer.name,
                    voice="negated" if f.negated else "direct",
                    explanation=f.explanation,
                )
                (negated if f.negated else found).append(detection)
        key = lambda d: (d.start, _ORDER.get(d.label, 99), d.end)  # noqa: E731
        return sorted(found, key=key), sorted(negated, key=key)

    def scan(self, item: PolicyInput) -> PolicyResult:
        """Label one input; a text with several lines is read as several passages."""
        detections: list[Detection] = []
        negated: list[Detection] = []
        for passage in split_passages(item.text):
            found, denied = self.scan_passage(passage.text, passage.start)
            detections += found
            negated += denied
        labels = sorted({d.label for d in detections}, key=lambda lb: _ORDER.get(lb, 99))
        return PolicyResult(id=item.id, labels=labels, detections=detections, negated=negated)

    def scan_batch(self, items: Iterable[PolicyInput]) -> list[PolicyResult]:
        return [self.scan(item) for item in items]


@lru_cache(maxsize=1)
def default_policy_scanner() -> PolicyScanner:
    """The scanner with every built-in policy recognizer (built once)."""
    return PolicyScanner()
