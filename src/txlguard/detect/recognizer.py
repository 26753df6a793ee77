"""The recognizer base class: a small class around one lexicon (Presidio-style).

A recognizer contributes trigger terms to the scanner's single automaton and, for a message
with hits, confirms them with the rules of its lexicon: which cues must stand near the trigger,
what the sentence must or must not say, how sure a match is and how to explain it. A subclass
changes behaviour by overriding :meth:`Recognizer.analyze` (whole-message logic) or
:meth:`Recognizer.accept` (one more check on a rule match).
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from txlguard.detect.lexicon import Lexicon, LexiconError, Rule, Voice, load_lexicon
from txlguard.detect.view import Finding, Hit, MessageView, Span

#: (tag, is a trigger category) of a category a rule names.
_Tag = tuple[str, bool]

_MODALITIES = {"threat": frozenset({"threat"}), "done": frozenset({"done"})}
_MODALITIES["threat_or_done"] = _MODALITIES["threat"] | _MODALITIES["done"]


class _Plan(NamedTuple):
    """A rule with its categories already resolved to tags (rules are frozen), so that matching
    a hit looks them up directly instead of through the owner on every check."""

    near: tuple[tuple[str, bool, int], ...]
    before: tuple[tuple[str, str, bool, int], ...]
    after: tuple[tuple[str, bool, int], ...]
    segment_has: tuple[_Tag, ...]
    segment_lacks: tuple[_Tag, ...]
    message_lacks: tuple[_Tag, ...]
    message_has: tuple[_Tag, ...]
    modality: frozenset[str] | None
    second_person: bool
    #: Categories that must occur somewhere in the message for the rule to hold.
    required: tuple[_Tag, ...]


class Recognizer:
    """Base class of the message-label recognizers."""

    #: Label code (TAXONOMY §1) this recognizer emits.
    label: ClassVar[str] = ""
    #: Lexicon file name under ``detect/data`` (defaults to the label).
    lexicon_name: ClassVar[str] = ""

    def __init__(self, lexicon: Lexicon | None = None, context: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon(self.lexicon_name or self.label)
        self.context = context or load_lexicon("context")
        if self.lexicon.label != self.label:
            raise LexiconError(f"{self.lexicon.source}: label {self.lexicon.label} is not {self.label}")
        # Anchors in order of their strongest rule; each anchor's rules strongest first, and its
        # lawful readings last: one is taken only when no rule of the anchor finds the conduct.
        self._rules: dict[str, list[Rule]] = {}
        for rule in sorted(self.lexicon.rules, key=lambda r: (r.lawful, -r.confidence)):
            self._check_rule(rule)
            self._rules.setdefault(rule.anchor, []).append(rule)
        self._tags: dict[str, tuple[str, bool]] = {}
        for category in self.lexicon.cues:
            self._tags[category] = (f"{self.label}/{category}", False)
        for category in self.lexicon.triggers:
            if category in self.lexicon.cues:
                raise LexiconError(f"{self.lexicon.source}: {category} is both a trigger and a cue category")
            self._tags[category] = (f"{self.label}/{category}", True)
        # (trigger tag, anchor, its rules, the confidence after which a sentence needs no more).
        self._anchors = [
            (self._tags[anchor][0], anchor, rules, min(max(r.confidence for r in rules), 0.8))
            for anchor, rules in self._rules.items()
        ]
        self._plans = {id(rule): self._plan(rule) for rules in self._rules.values() for rule in rules}
        settings = self.lexicon.settings
        self._victim_before = frozenset(settings.get("victim_before", []))
        self._victim_after = frozenset(settings.get("victim_after", []))

    def tag(self, category: str) -> tuple[str, bool]:
        """(tag, is a trigger category) of one of this recognizer's or the shared categories."""
        found = self._tags.get(category)
        if found is None:
            found = self._tags[category] = (f"ctx/{category}", False)
        return found

    @property
    def name(self) -> str:
        return type(self).__name__

    def _known(self, category: str) -> bool:
        if category == "segment_start":
            return True
        lex = self.lexicon
        return category in lex.triggers or category in lex.cues or category in self.context.cues

    def _check_rule(self, rule: Rule) -> None:
        where = f"{self.lexicon.source}: rule {rule.id}"
        if rule.anchor not in self.lexicon.triggers:
            raise LexiconError(f"{where}: anchor {rule.anchor} is not a trigger category")
        for category in [
            *rule.near,
            *rule.before,
            *rule.after,
            *rule.segment_has,
            *rule.segment_lacks,
            *rule.message_lacks,
            *rule.message_has,
        ]:
            if not self._known(category):
                raise LexiconError(f"{where}: unknown category {category}")
        for category in self.lexicon.negation:
            if category not in self.context.cues:
                raise LexiconError(f"{self.lexicon.source}: unknown negation category {category}")

    def always_analyze(self, view: MessageView) -> bool:
        """Whether to analyze ``view`` even without a hit of this recognizer's triggers."""
        return False

    def trigger_terms(self) -> list[tuple[str, str, str]]:
        """(surface, canonical term, tag) for the automaton; tags are ``label/category``."""
        return [(s, t, f"{self.label}/{c}") for s, t, c in self.lexicon.trigger_terms()]

    # -- confirmation ----------------------------------------------------------------------------
    def analyze(self, view: MessageView) -> list[Finding]:
        """Confirm this recognizer's trigger hits in ``view`` with the lexicon's rules."""
        out: list[Finding] = []
        best: dict[int, float] = {}  # sentence start → strongest direct or reported finding
        for tag, anchor, rules, enough in self._anchors:
            for hit in view.hits_for(tag):
                seg_start = view.segment(hit.start)[0]
                if best.get(seg_start, -1.0) >= enough:
                    continue  # this sentence already has a strong enough finding
                finding = self.confirm(view, hit, anchor, rules)
                if finding is not None:
                    out.append(finding)
                    if finding.voice in ("direct", "reported"):
                        best[seg_start] = max(best.get(seg_start, -1.0), finding.confidence)
        return out

    def confirm(self, view: MessageView, hit: Hit, anchor: str, rules: list[Rule]) -> Finding | None:
        """The first (most confident) rule that holds for ``hit``."""
        seg = view.segment(hit.start)
        for rule in rules:
            span = self._match(view, hit, seg, rule)
            if span is None or not self.accept(view, hit, rule, span):
                continue
            voice: Voice
            if rule.lawful:  # the rules read the sentence as lawful, and say so
                voice = "conditional_lawful"
            else:
                voice = view.voice(
                    hit.start,
                    hit.end,
                    self.lexicon.negation,
                    victim_before=anchor in self._victim_before,
                    victim_after=anchor in self._victim_after,
                )
                if voice == "direct" and anchor in self._victim_before and "我" in hit.term:
                    voice = "reported"
                if voice in ("direct", "reported") and voice not in rule.voices:
                    return None
            return Finding(
                label=self.label,
                start=span[0],
                end=span[1],
                confidence=rule.confidence,
                explanation=rule.explanation,
                recognizer=self.name,
                voice=voice,
                rule=rule.id,
            )
        return None

    def _plan(self, rule: Rule) -> _Plan:
        return _Plan(
            near=tuple((*self.tag(c), gap) for c, gap in rule.near.items()),
            before=tuple((c, *self.tag(c), gap) for c, gap in rule.before.items()),
            after=tuple((*self.tag(c), gap) for c, gap in rule.after.items()),
            segment_has=tuple(self.tag(c) for c in rule.segment_has),
            segment_lacks=tuple(self.tag(c) for c in rule.segment_lacks),
            message_lacks=tuple(self.tag(c) for c in rule.message_lacks),
            message_has=tuple(self.tag(c) for c in rule.message_has),
            modality=None if rule.modality == "any" else _MODALITIES[rule.modality],
            second_person=rule.second_person,
            required=tuple(
                dict.fromkeys(
                    self.tag(c)
                    for c in [*rule.near, *rule.before, *rule.after, *rule.segment_has, *rule.message_has]
                    if c != "segment_start"
                )
            ),
        )

    def _match(self, view: MessageView, hit: Hit, seg: Span, rule: Rule) -> Span | None:
        plan = self._plans.get(id(rule))
        if plan is None:
            plan = self._plan(rule)
        present = view.present
        for tag, is_trigger in plan.required:
            if not present(tag, is_trigger):
                return None
        spans_of = view.spans_of
        start, end = hit.start, hit.end
        for tag, is_trigger, gap in plan.near:
            best: Span | None = None
            best_gap = gap + 1
            for s, e in spans_of(tag, is_trigger, seg):
                if hit.start <= s and e <= hit.end and (s, e) != (hit.start, hit.end):
                    continue  # part of the trigger itself ("联系" in "紧急联系人")
                d = max(0, max(s, hit.start) - min(e, hit.end))
                if d < best_gap:
                    best, best_gap = (s, e), d
            if best is None:
                return None
            start, end = min(start, best[0]), max(end, best[1])
        for category, tag, is_trigger, gap in plan.before:
            if category == "segment_start":
                if hit.start - seg[0] > gap:
                    return None
                continue
            candidates = [
                (s, e) for s, e in spans_of(tag, is_trigger, seg) if e <= hit.start and hit.start - e <= gap
            ]
            if not candidates:
                return None
            start = min(start, max(candidates, key=lambda x: x[1])[0])
        for tag, is_trigger, gap in plan.after:
            candidates = [
                (s, e) for s, e in spans_of(tag, is_trigger, seg) if s >= hit.end and s - hit.end <= gap
            ]
            if not candidates:
                return None
            end = max(end, min(candidates)[1])
        for tag, is_trigger in plan.segment_has:
            if not spans_of(tag, is_trigger, seg):
                return None
        for tag, is_trigger in plan.segment_lacks:
            if spans_of(tag, is_trigger, seg):
                return None
        for tag, is_trigger in plan.message_lacks:
            if spans_of(tag, is_trigger, (0, len(view.text))):
                return None
        for tag, is_trigger in plan.message_has:
            if not spans_of(tag, is_trigger, (0, len(view.text))):
                return None
        if plan.modality is not None and not view.modality(seg) & plan.modality:
            return None
        if plan.second_person and not view.second_person(seg, hit.start):
            return None
        return start, end

    def accept(self, view: MessageView, hit: Hit, rule: Rule, span: Span) -> bool:
        """A subclass's extra check on a rule match (default: accept)."""
        return True
