"""暴力威胁: bodily harm, harm to family, damage to property, detention, a menacing visit."""

from __future__ import annotations

from functools import cached_property

from txlguard.detect.lexicon import Rule, expand
from txlguard.detect.recognizer import Recognizer
from txlguard.detect.view import Hit, MessageView, Span


class ThreatOfViolenceRecognizer(Recognizer):
    """Explicit harm ("打断你的腿"), veiled threats about safety ("出门小心点", "小心你的家人"),
    menacing visits ("带几个兄弟上门", "天天去你家堵你"). A plain notice of a visit ("工作人员将
    上门拜访核实情况") is not this label."""

    label = "threat_of_violence"

    def accept(self, view: MessageView, hit: Hit, rule: Rule, span: Span) -> bool:
        """Reject "你等着坐牢" (a legal consequence awaited), "发到你老家" (a sending, not a visit)
        and "经侦会把你带走" (the police, not the collectors, said to take the borrower)."""
        settings = self.lexicon.settings
        if rule.anchor == "menace_idiom" and "等" in hit.term:
            pattern = view.cue_index.regexes_or_literals(self.tag("legal_wait")[0])
            return pattern.match(view.text, hit.end) is None
        if hit.term.endswith("的人") and view.text[hit.end : hit.end + 1] in settings.get(
            "not_men_after", ""
        ):
            return False
        if rule.anchor == "visit":
            if hit.term[-1:] in "你您" and view.text[hit.end : hit.end + 1] == "的":
                return False  # "去找你的担保人": someone else is visited
            senders = settings.get("not_after_for_visit", "")
            before = view.text[max(0, hit.start - 2) : hit.start]
            if any(c in senders for c in before[-1:]) or (before[-1:] in "到你您" and before[:1] in senders):
                return False  # "发到你老家", "打到你公司", "贴你单位门口": sending or posting, not going
            group = self.lexicon.setting_pattern("visit_not_followed_by")
            return group.match(view.text[hit.end : hit.end + 4]) is None
        if rule.anchor == "harm" and hit.term in self._detention:
            seg = view.segment(hit.start)
            return not view.spans(self, "police", seg) or bool(view.spans(None, "first_person", seg))
        return True

    @cached_property
    def _detention(self) -> frozenset[str]:
        terms = self.lexicon.settings.get("detention_terms", [])
        return frozenset(t for written in terms for t in expand(written))
