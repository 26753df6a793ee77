"""The scanner: one automaton pass over a whole batch, Python only where a trigger hit.

``scan_batch`` joins the texts of a chunk of messages with a newline, runs the single
Aho–Corasick automaton (every recognizer's trigger terms, in every spelling that folds to them)
once over the joined text and assigns the hits to messages by bisecting the message boundaries.
Most messages — ordinary reminders — have no hit and get an empty result at once. Messages with
hits (or addressed to a contact) are folded and handed to the recognizers for confirmation. A
message holding something the length-preserving fold cannot express (zero-width characters,
spacers inside words, ...) goes through the full normaliser first, and offsets are mapped back
through it; every other message is matched on its original text, so offsets need no mapping.
A message whose text and recipient equal an earlier one's in the same chunk is not confirmed
again: it gets a copy of the earlier result (``Scanner.reuse_identical``). Across chunks and single
calls, the rules' and the learned tier's findings are remembered by the text with its digits read as
0 (``Scanner.reuse_templates``): a lender's template with another amount, date or card number is
confirmed once. No rule reads a digit's value (a message holding a lexicon's digit literal, "12368",
or a pattern that tells digits apart is confirmed anew), personal data is looked for in each
message's own text, and offsets carry over because the digits keep their places.
"""

from __future__ import annotations

import gc
import re
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import accumulate, islice
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel

from txlguard.detect import automaton as ac
from txlguard.detect.cues import CueIndex
from txlguard.detect.fold import ASTRAL, Fold, default_fold, has_astral, routing_pattern
from txlguard.detect.learned import LearnedTier, default_learned_tier, features_text
from txlguard.detect.lexicon import digit_sensitive, load_lexicon
from txlguard.detect.memo import DigestMemo, text_digest
from txlguard.detect.models import Detection, MessageInput, ScanResult
from txlguard.detect.recognizers.personal_data import PersonalFinding, find_personal_data
from txlguard.detect.registry import RecognizerRegistry
from txlguard.detect.view import Finding, Hit, MessageView, Span
from txlguard.law import LawBase
from txlguard.taxonomy import MessageLabel, Recipient

SEPARATOR = "\n"
SMALL_CHUNK = 8
"""Up to this many messages, the learned tier scores each on its own (an API check of one message)."""
LEARNED_EXPLANATION = "统计模型判断：与已标注的违法催收语句相似（没有规则命中，请人工核实）"
_DISCLOSURE = MessageLabel.DISCLOSURE_TO_THIRD_PARTY.value
_SPOKEN = ("direct", "reported")
"""Voices of a finding that says the conduct happened or was threatened (not negated, lawful, a quotation of the law)."""
_LABEL_ORDER = {label.value: i for i, label in enumerate(MessageLabel)}
_Mapper = Callable[[int, int], tuple[int, int]]
TEMPLATE_CACHE_SIZE = 16384
"""How many messages' findings ``Scanner.reuse_templates`` remembers (least recently used out)."""
TEMPLATE_CACHE_MAX_CHARS = 2000
"""Longer messages are not remembered (one-off texts: a pasted chat, a document)."""
_DIGIT = re.compile("[0-9]")
#: What is remembered of a confirmed message: its findings, whether its recipient was worked out
#: during confirmation, and the recipient (role, inferred).
_Remembered = tuple[list[Finding], bool, tuple[Recipient, bool]]  # findings, known, recipient
M = TypeVar("M", bound=BaseModel)


_new = object.__new__
_setattr = object.__setattr__


def _construct(cls: type[M], values: dict[str, Any]) -> M:
    """Build a model from already valid values without validation (hot path; see tests)."""
    obj = _new(cls)
    _setattr(obj, "__dict__", values)
    _setattr(obj, "__pydantic_fields_set__", set(values))
    _setattr(obj, "__pydantic_extra__", None)
    _setattr(obj, "__pydantic_private__", None)
    return obj


def _empty_result(msg_id: str, recipient: Recipient) -> ScanResult:
    return _construct(
        ScanResult,
        {
            "id": msg_id,
            "labels": [],
            "detections": [],
            "recipient": recipient,
            "recipient_inferred": False,
            "reported": [],
        },
    )


class LawLinks:
    """Provision ids per label code, read from the law base (``codes.yaml``) when it loads."""

    RETRY_SECONDS = 30.0

    def __init__(self, law_base: LawBase | None = None) -> None:
        self._law = law_base
        self._table: dict[str, list[str]] | None = None
        self._last_failure = -1e9

    def table(self) -> dict[str, list[str]]:
        if self._table is not None:
            return self._table
        now = time.monotonic()
        if now - self._last_failure < self.RETRY_SECONDS:
            return {}
        try:
            if self._law is None:
                from txlguard.law import default_law_base

                self._law = default_law_base()
            self._table = {code: list(meaning.provisions) for code, meaning in self._law.codes.items()}
        except Exception:  # the law base is not there yet or broken: scan without citations
            self._last_failure = now
            return {}
        return self._table

    def provisions(self, label: str) -> list[str]:
        return list(self.table().get(label, ()))


class Scanner:
    """Runs every registered recognizer over messages; see the module docstring."""

    def __init__(
        self,
        registry: RecognizerRegistry | None = None,
        *,
        min_confidence: float = 0.5,
        max_per_label: int = 8,
        chunk_size: int = 8192,
        law_base: LawBase | None = None,
        reuse_identical: bool = True,
        reuse_templates: bool = True,
        learned: bool | LearnedTier = True,
    ) -> None:
        self.registry = registry or RecognizerRegistry.default()
        self.min_confidence = min_confidence
        self.max_per_label = max_per_label
        self.chunk_size = chunk_size
        #: Confirm a message whose text and recipient equal an earlier one's in the same chunk only
        #: once, and give the later one a copy of the result. Lender traffic is templated: the same
        #: reminder, word for word, is sent to many people.
        self.reuse_identical = reuse_identical
        #: Remember findings by the text with digits read as 0, across chunks (see the module docstring).
        self.reuse_templates = reuse_templates
        self._templates: DigestMemo[_Remembered] = DigestMemo()
        #: The learned tier (``learned.py``): adds labels the rules missed; None to scan by rules alone.
        self.learned: LearnedTier | None = (
            learned if isinstance(learned, LearnedTier) else default_learned_tier() if learned else None
        )
        registered = {r.label for r in self.registry.recognizers}
        self._learned_excluded = {label.value for label in MessageLabel if label.value not in registered}
        #: (label, rule id) of the lexicons' lawful rules: their reading is about one sentence.
        self._lawful_rules = {
            (r.label, rule.id) for r in self.registry for rule in r.lexicon.rules if rule.lawful
        }
        self.fold: Fold = default_fold()
        self.context = load_lexicon("context")
        self.law = LawLinks(law_base)
        self.cues = CueIndex([r.lexicon for r in self.registry], self.context)
        self.automaton = self._build_automaton()
        self._route = routing_pattern()
        self._digit_literals, self._digit_patterns = digit_sensitive(
            [r.lexicon for r in self.registry] + [self.context]
        )

    # -- building ---------------------------------------------------------------------------------
    def _build_automaton(self) -> Any:
        """One automaton over UTF-8 code units (see :func:`encode`), frequent characters first."""
        entries: dict[str, tuple[str, set[str]]] = {}
        for recognizer in self.registry:
            for surface, term, tag in recognizer.trigger_terms():
                for variant in self.fold.variants(self.fold.apply(surface)):
                    if SEPARATOR in variant:
                        continue
                    known = entries.get(variant)
                    if known is None:
                        entries[variant] = (term, {tag})
                    else:
                        known[1].add(tag)
        return ac.build((surface, (term, tuple(sorted(tags)))) for surface, (term, tags) in entries.items())

    def clear_reuse(self) -> None:
        """Forget the findings remembered by template (``reuse_templates``), e.g. between benchmark runs."""
        self._templates.clear()

    # -- public API -------------------------------------------------------------------------------
    def scan(self, msg: MessageInput) -> ScanResult:
        """Scan one message (the same code path as a batch of one)."""
        return self._scan_chunk([msg])[0]

    def scan_text(self, text: str, recipient: Recipient | None = None, msg_id: str = "") -> ScanResult:
        return self.scan(MessageInput(id=msg_id, text=text, recipient=recipient))

    def scan_batch(self, msgs: Iterable[MessageInput]) -> list[ScanResult]:
        """Scan many messages; results in input order.

        The cyclic garbage collector is paused for the whole call, not only within each chunk (see
        ``_scan_chunk``): the results pile up as new, acyclic objects, and every collection between
        chunks would walk all of them again (about a tenth of the batch time on 100k messages)."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            return list(self.iter_scan(msgs))
        finally:
            if enabled:
                gc.enable()

    def iter_scan(self, msgs: Iterable[MessageInput]) -> Iterator[ScanResult]:
        """Scan a stream of messages lazily, chunk by chunk; results in input order."""
        iterator = iter(msgs)
        while True:
            chunk = list(islice(iterator, self.chunk_size))
            if not chunk:
                return
            yield from self._scan_chunk(chunk)

    # -- the batch pass ---------------------------------------------------------------------------
    def _scan_chunk(self, msgs: list[MessageInput]) -> list[ScanResult]:
        # A chunk allocates many small, short-lived, acyclic objects; generation-2 collections
        # triggered meanwhile would walk every long-lived object of the process (the law base,
        # the lexicons) again and again. Collection resumes when the chunk is done.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._scan_chunk_unguarded(msgs)
        finally:
            if enabled:
                gc.enable()

    def _scan_chunk_unguarded(self, msgs: list[MessageInput]) -> list[ScanResult]:
        texts = [m.text for m in msgs]
        encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
        # Character boundaries (for routing) and byte boundaries (for automaton hits).
        seps = list(accumulate(map(_len_plus_one, texts)))
        bseps = list(accumulate(map(_len_plus_one, encoded)))
        routed: set[int] = set()
        joined = SEPARATOR.join(texts)
        for m in self._route.finditer(joined):
            routed.add(bisect_left(seps, m.start() + 1))
        if has_astral(joined):
            for m in ASTRAL.finditer(joined):
                routed.add(bisect_left(seps, m.start() + 1))
        hits: dict[int, list[tuple[int, int, str, tuple[str, ...]]]] = {}
        for end, value in self.automaton.iter(b"\n".join(encoded).decode("latin-1")):
            if value is None:
                continue
            i = bisect_left(bseps, end + 1)
            found = hits.get(i)
            if found is None:
                hits[i] = found = []
            local_end = end + 1 - (bseps[i - 1] if i else 0)
            found.append((local_end - value[0], local_end, value[1][0], value[1][1]))
        results: list[ScanResult] = []
        slow = sorted(routed)
        normalized = dict(zip(slow, self._normalize([texts[i] for i in slow]), strict=True)) if slow else {}
        earlier: dict[tuple[str, Recipient | None], ScanResult] | None = {} if self.reuse_identical else None
        probabilities: np.ndarray[Any, Any] | None = None
        flagged: np.ndarray[Any, Any] | None = None
        if self.learned is not None:
            # Messages that needed the full normaliser are scored on their normalised text.
            learned_texts = (
                [normalized[i][0] if i in normalized else t for i, t in enumerate(texts)]
                if normalized
                else texts
            )
            probabilities = self._learned_probabilities(learned_texts)
            flagged = self.learned.over_threshold(probabilities)
        for i, msg in enumerate(msgs):
            if (
                i not in normalized
                and i not in hits
                and msg.recipient != "contact"
                and (flagged is None or not flagged[i])
            ):
                results.append(_empty_result(msg.id, msg.recipient or "unknown"))
                continue
            if earlier is not None:
                same = earlier.get((texts[i], msg.recipient))
                if same is not None:
                    results.append(_copy_result(same, msg.id))
                    continue
            row = probabilities[i] if probabilities is not None else None
            if i in normalized:
                text, mapper = normalized[i]
                result = self._confirm(msg, text, self._hits(text), mapper, row)
            else:
                text = texts[i]
                found = hits.get(i, [])
                if found and len(encoded[i]) != len(text):
                    found = _char_offsets(encoded[i], found)
                result = self._confirm(msg, self.fold.apply(text), [Hit(*h) for h in found], None, row)
            if earlier is not None:
                earlier[texts[i], msg.recipient] = result
            results.append(result)
        return results

    def _learned_probabilities(self, texts: list[str]) -> np.ndarray[Any, Any]:
        """The learned tier's probabilities (one row per text), each distinct text scored once."""
        learned = self.learned
        assert learned is not None
        if len(texts) <= SMALL_CHUNK:  # numpy's fixed costs outweigh the work: one at a time
            return np.array([learned.probability_row(self.fold.apply(t)) for t in texts]).reshape(
                len(texts), len(learned.labels)
            )
        # Texts that differ only in their digits get the same row (the tier reads every digit as 0).
        first: dict[str, int] = {}
        row_of = (
            [first.setdefault(features_text(t), len(first)) for t in texts] if self.reuse_identical else None
        )
        distinct = list(first) if row_of is not None and len(first) < len(texts) else texts
        seps = list(accumulate(map(_len_plus_one, distinct)))
        rows = learned.batch_probabilities(self.fold.apply(SEPARATOR.join(distinct)), seps)
        return rows if distinct is texts else rows[np.asarray(row_of, dtype=np.intp)]

    def _hits(self, text: str) -> list[Hit]:
        data = text.encode("utf-8", "surrogatepass")
        raw = [
            (end + 1 - value[0], end + 1, value[1][0], value[1][1])
            for end, value in self.automaton.iter(data.decode("latin-1"))
            if value is not None
        ]
        if len(data) != len(text):
            raw = _char_offsets(data, raw)
        return [Hit(*h) for h in raw]

    def _normalize(self, texts: list[str]) -> list[tuple[str, _Mapper | None]]:
        """Full normalisation (with an offset map) of the messages the fold cannot handle."""
        from txlguard import text as text_package

        clean = [_sanitize(t) for t in texts]
        many = getattr(text_package, "normalize_many", None)
        normalized: list[Any] = []
        try:
            normalized = list(many(clean)) if many is not None else [text_package.normalize(t) for t in clean]
        except Exception:
            normalized = []
        out: list[tuple[str, _Mapper | None]] = []
        for i, t in enumerate(clean):
            nt = normalized[i] if i < len(normalized) else None
            if nt is None:
                try:
                    nt = text_package.normalize(t)
                except Exception:  # never fail a scan: fall back to the fold alone
                    out.append((self.fold.apply(t), None))
                    continue
            out.append((self.fold.apply(nt.text), _bounded(nt.span_to_original, len(t))))
        return out

    # -- confirmation -----------------------------------------------------------------------------
    def _confirm(
        self,
        msg: MessageInput,
        text: str,
        hits: list[Hit],
        mapper: _Mapper | None,
        learned_row: np.ndarray[Any, Any] | None = None,
    ) -> ScanResult:
        key = self._template_key(text) if mapper is None and self.reuse_templates else None
        if key is not None:
            key += (msg.recipient or "-").encode()
            remembered = self._templates.get(key)
            if remembered is not None:
                return self._result(
                    msg, text, _same_span, remembered[0], remembered[1], lambda: remembered[2]
                )
        view = MessageView(text, hits, self.context, self.cues, msg.recipient, mapper)
        labels = {tag.partition("/")[0] for h in view.hits for tag in h.tags}
        findings: list[Finding] = []
        for recognizer in self.registry.recognizers:
            if recognizer.label in labels or recognizer.always_analyze(view):
                findings.extend(recognizer.analyze(view))
        findings.extend(self._learned_findings(view, findings, learned_row))
        known = view.recipient_known()
        if key is not None:
            self._templates.put(key, (findings, known, view.recipient()), TEMPLATE_CACHE_SIZE)
        return self._result(msg, text, view.to_original, findings, known, view.recipient)

    def _template_key(self, text: str) -> bytes | None:
        """The digest of ``text`` with its digits read as 0, or None when it must be confirmed anew."""
        if len(text) > TEMPLATE_CACHE_MAX_CHARS:
            return None
        if _DIGIT.search(text) is not None and (
            any(literal in text for literal in self._digit_literals)
            or any(p.search(text) for p in self._digit_patterns)
        ):
            return None
        return text_digest(features_text(text))

    def _result(
        self,
        msg: MessageInput,
        text: str,
        to_original: _Mapper,
        findings: list[Finding],
        known: bool,
        recipient: Callable[[], tuple[Recipient, bool]],
    ) -> ScanResult:
        """The result of a confirmed (or remembered) message. ``known``: whether confirmation worked
        out the recipient; personal data is looked for in this message's own text."""
        # Personal data matters as what was disclosed or threatened: looked for in messages with
        # a finding that it happened or was threatened (not one read as negated or lawful) or addressed
        # to a contact.
        personal: list[PersonalFinding] = []
        if self.registry.personal and (
            any(f.confidence >= self.min_confidence and f.voice in _SPOKEN for f in findings)
            or msg.recipient == "contact"
        ):
            personal = find_personal_data(text, self.registry.personal)
        if not findings and not personal:
            role, inferred = recipient() if known else (msg.recipient or "unknown", False)
            return _construct(
                ScanResult,
                {
                    "id": msg.id,
                    "labels": [],
                    "detections": [],
                    "recipient": role,
                    "recipient_inferred": inferred,
                    "reported": [],
                },
            )
        return self._assemble(msg, to_original, recipient(), findings, personal)

    def _learned_findings(
        self, view: MessageView, findings: list[Finding], row: np.ndarray[Any, Any] | None
    ) -> list[Finding]:
        """The learned tier's labels that the rules neither found nor read as reported, negated,
        a quotation of the law or a lawful condition (the rules know voice; the model does not).

        A reading of one sentence (reported, negated, quoted law, a lexicon rule's lawful reading)
        settles the label for that sentence only: the model's label stands when the sentence it
        weighed most is another. A recognizer's lawful reading of the whole message (a genuine
        notice, a guarantor addressed) settles it for the message.

        Only labels of recognizers in the registry; no disclosure to a third party in a message to
        the borrower (the model does not see recipients)."""
        if self.learned is None:
            return []
        ruled = set(self._learned_excluded)
        sentences: dict[str, list[Span]] = {}  # label → sentences its readings settle
        for f in findings:
            if f.voice == "direct":
                if f.confidence >= self.min_confidence:
                    ruled.add(f.label)
            elif f.voice == "conditional_lawful" and (f.label, f.rule) not in self._lawful_rules:
                ruled.add(f.label)
            else:
                sentences.setdefault(f.label, []).append(view.segment(f.start))
        hits = self.learned.hits(view.text, skip=ruled, probabilities=row)
        if sentences:
            hits = [
                h for h in hits if not any(s < h.end and h.start < e for s, e in sentences.get(h.label, ()))
            ]
        if any(h.label == _DISCLOSURE for h in hits) and view.recipient()[0] == "borrower":
            hits = [h for h in hits if h.label != _DISCLOSURE]  # recipient worked out only when it matters
        return [
            Finding(
                h.label, h.start, h.end, round(h.probability, 3), LEARNED_EXPLANATION, "learned", "direct", ""
            )
            for h in hits
        ]

    def _assemble(
        self,
        msg: MessageInput,
        to_original: _Mapper,
        recipient: tuple[Recipient, bool],
        findings: list[Finding],
        personal: list[PersonalFinding],
    ) -> ScanResult:
        direct: dict[str, list[Finding]] = {}
        reported: dict[str, list[Finding]] = {}
        for f in findings:
            if f.confidence < self.min_confidence:
                continue
            if f.voice == "direct":
                direct.setdefault(f.label, []).append(f)
            elif f.voice == "reported":
                reported.setdefault(f.label, []).append(f)
        original = msg.text
        detections: list[Detection] = []
        for label in sorted(direct, key=lambda x: _LABEL_ORDER.get(x, 99)):
            for f in _strongest(direct[label], self.max_per_label):
                detections.append(self._detection(to_original, original, f))
        for p in personal:
            detections.append(
                self._detection(
                    to_original,
                    original,
                    Finding(p.label, p.start, p.end, p.confidence, p.explanation, p.recognizer, "direct", ""),
                )
            )
        detections.sort(key=lambda d: (d.start, d.end, d.label))
        reported_out = [
            self._detection(to_original, original, f)
            for label in sorted(reported, key=lambda x: _LABEL_ORDER.get(x, 99))
            for f in _strongest(reported[label], self.max_per_label)
        ]
        role, inferred = recipient
        return _construct(
            ScanResult,
            {
                "id": msg.id,
                "labels": sorted(direct, key=lambda x: _LABEL_ORDER.get(x, 99)),
                "detections": detections,
                "recipient": role,
                "recipient_inferred": inferred,
                "reported": reported_out,
            },
        )

    def _detection(self, to_original: _Mapper, original: str, f: Finding) -> Detection:
        start, end = to_original(f.start, f.end)
        start = max(0, min(start, len(original)))
        end = max(start, min(end, len(original)))
        return _construct(
            Detection,
            {
                "label": f.label,
                "start": start,
                "end": end,
                "quote": original[start:end],
                "confidence": min(1.0, max(0.0, f.confidence)),
                "provisions": self.law.provisions(f.label),
                "recognizer": f.recognizer,
                "voice": f.voice,
                "explanation": f.explanation,
            },
        )


def _same_span(start: int, end: int) -> tuple[int, int]:
    return start, end


def _copy_result(result: ScanResult, msg_id: str) -> ScanResult:
    """An independent copy of ``result`` for another message with the same text and recipient."""
    values = dict(result.__dict__)
    values["id"] = msg_id
    values["labels"] = list(values["labels"])
    values["detections"] = [_copy_detection(d) for d in values["detections"]]
    values["reported"] = [_copy_detection(d) for d in values["reported"]]
    return _construct(ScanResult, values)


def _copy_detection(detection: Detection) -> Detection:
    values = dict(detection.__dict__)
    values["provisions"] = list(values["provisions"])
    return _construct(Detection, values)


def _len_plus_one(x: str | bytes) -> int:
    return len(x) + 1


def _char_offsets(
    data: bytes, hits: list[tuple[int, int, str, tuple[str, ...]]]
) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """Byte offsets of hits in ``data`` (UTF-8) → character offsets."""
    chars = ac.char_offsets(data)
    if chars is None:
        return hits
    return [(chars[start], chars[end], term, tags) for start, end, term, tags in hits]


def _strongest(findings: list[Finding], limit: int) -> list[Finding]:
    """The most confident findings whose spans do not overlap, at most ``limit`` of them."""
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda x: (-x.confidence, x.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
            if len(kept) >= limit:
                break
    return kept


def _sanitize(text: str) -> str:
    """Lone surrogates (invalid in UTF-8) become U+FFFD; the length, so every offset, is kept."""
    if not has_astral(text) and not any("\ud800" <= c <= "\udfff" for c in text):
        return text
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


def _bounded(mapper: _Mapper, length: int) -> _Mapper:
    def safe(start: int, end: int) -> tuple[int, int]:
        try:
            s, e = mapper(start, end)
        except Exception:
            return min(start, length), min(end, length)
        return s, e

    return safe


@lru_cache(maxsize=1)
def default_scanner() -> Scanner:
    """The scanner with every built-in recognizer (built once per process)."""
    return Scanner()
