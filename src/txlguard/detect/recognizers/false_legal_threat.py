"""虚假法律后果: false or misleading legal consequences of a civil debt."""

from __future__ import annotations

from functools import cached_property

from txlguard.detect.lexicon import Rule, expand
from txlguard.detect.recognizer import Recognizer
from txlguard.detect.view import Hit, MessageView, Span


class FalseLegalThreatRecognizer(Recognizer):
    """Criminal liability (诈骗罪, 坐牢, 拘留, 已立案), consequences for children and relatives
    (上学, 政审), frozen social security, made-up blacklists. Accurate notices — reporting to the
    credit reference system, a lawful suit — are not this label."""

    label = "false_legal_threat"

    def accept(self, view: MessageView, hit: Hit, rule: Rule, span: Span) -> bool:
        """Reject a "通缉令" that is made and spread (exposure), "把你带走" with no police, and
        "来所里面谈/详谈/咨询": a meeting at an office (a lawyer's), not a summons to the police station."""
        seg = view.segment(hit.start)
        if hit.term == "通缉" and view.text[hit.end : hit.end + 1] == "令":
            return not view.spans(self, "made_notice", seg)
        if hit.term in self._detention:
            return bool(view.spans(self, "detainer", seg))
        if hit.term in self._office_visit:
            return not view.text.startswith(self._office_followers, hit.end)
        return True

    @cached_property
    def _office_visit(self) -> frozenset[str]:
        return frozenset(self.lexicon.settings.get("office_visit_terms", []))

    @cached_property
    def _office_followers(self) -> tuple[str, ...]:
        return tuple(self.lexicon.settings.get("office_visit_followers", []))

    @cached_property
    def _detention(self) -> frozenset[str]:
        terms = self.lexicon.settings.get("detention_terms", [])
        return frozenset(t for written in terms for t in expand(written))
