"""The policy-recognizer base class: a small class around one lexicon (as the message recognizers).

A recognizer confirms its label in a passage with the rules of its lexicon: an anchor term, the
terms that must stand near it in the same sentence, what the sentence or passage must (not) hold,
and whether a negation before the anchor cancels it. A subclass adds a check by overriding
:meth:`PolicyRecognizer.accept`.
"""

from __future__ import annotations

from typing import ClassVar

from txlguard.detect.lexicon import LexiconError
from txlguard.detect.policy.lexicon import PolicyLexicon, PolicyRule, load_policy_lexicon
from txlguard.detect.policy.view import PassageView, PolicyFinding, Span

#: How close a weak negation (不, 未, 没有) must stand before the anchor: "不收集", "未读取".
WEAK_NEGATION_GAP = 2


class PolicyRecognizer:
    """Base class of the policy-label recognizers (TAXONOMY §4)."""

    label: ClassVar[str] = ""

    def __init__(self, lexicon: PolicyLexicon | None = None) -> None:
        self.lexicon = lexicon or load_policy_lexicon(self.label)
        if self.lexicon.label != self.label:
            raise LexiconError(f"{self.lexicon.source}: label {self.lexicon.label} is not {self.label}")
        self.provisions = list(self.lexicon.provisions)

    @property
    def name(self) -> str:
        return type(self).__name__

    def _spans(self, view: PassageView, category: str, span: Span) -> list[Span]:
        return view.within(self.lexicon.terms[category], span)

    def analyze(self, view: PassageView) -> list[PolicyFinding]:
        """The strongest finding of each sentence (negated ones kept, marked, for explanations)."""
        out: list[PolicyFinding] = []
        whole: Span = (0, len(view.text))
        for sentence in view.sentences:
            best: PolicyFinding | None = None
            for rule in self.lexicon.rules:
                if best is not None and not best.negated and best.confidence >= rule.confidence:
                    break
                finding = self._confirm(view, rule, sentence, whole)
                if finding is not None and (best is None or (best.negated and not finding.negated)):
                    best = finding
            if best is not None:
                out.append(best)
        return out

    def _confirm(
        self, view: PassageView, rule: PolicyRule, sentence: Span, whole: Span
    ) -> PolicyFinding | None:
        for category in rule.passage_has:
            if not self._spans(view, category, whole):
                return None
        for category in rule.passage_lacks:
            if self._spans(view, category, whole):
                return None
        for category in rule.sentence_has:
            if not self._spans(view, category, sentence):
                return None
        for category in rule.sentence_lacks:
            if self._spans(view, category, sentence):
                return None
        negated: PolicyFinding | None = None
        for anchor in self._spans(view, rule.anchor, sentence):
            span = self._match(view, rule, anchor, sentence)
            if span is None or not self.accept(view, rule, span):
                continue
            is_negated = rule.negatable and self.negated(view, anchor[0], sentence)
            finding = PolicyFinding(
                self.label, span[0], span[1], rule.confidence, rule.id, rule.explanation, is_negated
            )
            if not is_negated:
                return finding
            negated = negated or finding
        return negated

    def _match(self, view: PassageView, rule: PolicyRule, anchor: Span, sentence: Span) -> Span | None:
        start, end = anchor
        for category, gap in rule.near.items():
            best, best_gap = None, gap + 1
            for s, e in self._spans(view, category, sentence):
                if anchor[0] <= s and e <= anchor[1]:
                    continue  # inside the anchor itself
                d = max(0, max(s, anchor[0]) - min(e, anchor[1]))
                if d < best_gap:
                    best, best_gap = (s, e), d
            if best is None:
                return None
            start, end = min(start, best[0]), max(end, best[1])
        for category, gap in rule.after.items():
            after = [
                (s, e)
                for s, e in self._spans(view, category, sentence)
                if s >= anchor[1] and s - anchor[1] <= gap
            ]
            if not after:
                return None
            end = max(end, min(after)[1])
        for category, gap in rule.before.items():
            before = [
                (s, e)
                for s, e in self._spans(view, category, sentence)
                if e <= anchor[0] and anchor[0] - e <= gap
            ]
            if not before:
                return None
            start = min(start, max(before, key=lambda x: x[1])[0])
        return start, end

    def negated(self, view: PassageView, position: int, sentence: Span) -> bool:
        """A strong negation (不会, 绝不, 不得…) earlier in the sentence with no breaker (但, 如, 除非…)
        between it and ``position``, or a weak one (不, 未) right before it."""
        terms = self.lexicon.terms
        scope: Span = (sentence[0], position)
        for _, e in self._spans(view, "negation", scope):
            between = (e, position)
            if not view.within(terms["negation_breaker"], between):
                return True
        return any(position - e <= WEAK_NEGATION_GAP for _, e in self._spans(view, "negation_weak", scope))

    def accept(self, view: PassageView, rule: PolicyRule, span: Span) -> bool:
        """A subclass's extra check on a rule match (default: accept)."""
        return True
