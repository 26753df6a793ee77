"""侮辱: abusive, degrading, obscene or dehumanising words aimed at the borrower or a contact."""

from __future__ import annotations

import re
from functools import cached_property

from txlguard.detect.lexicon import Rule, compile_setting
from txlguard.detect.recognizer import Recognizer
from txlguard.detect.view import Hit, MessageView, Span


class InsultRecognizer(Recognizer):
    """Strong abuse counts wherever the sender writes it; words that are also ordinary nouns
    ("骗子", "老赖", "垃圾") count only when aimed at the reader ("你这个骗子", "老赖还钱")."""

    label = "insult"

    def accept(self, view: MessageView, hit: Hit, rule: Rule, span: Span) -> bool:
        """ "你妈的电话", "爸妈的养老金": a possessive 的, not the curse "妈的"; nor "您当妈的",
        "做爹的" (a role: "as a mother"); nor a word aimed at lenders ("放高利贷的畜生")."""
        if self.lexicon.setting_pattern("aimed_at_lender").search(
            view.text, max(0, hit.start - 12), hit.start
        ):
            return False
        guard = self._term_guards.get(hit.term)
        if guard is not None and (
            guard[0].search(view.text, max(0, hit.start - 4), hit.start) or guard[1].match(view.text, hit.end)
        ):
            return False
        if not hit.term.endswith("的"):
            return True
        if hit.start > 0 and view.text[hit.start - 1] in self.lexicon.settings.get("role_before", ""):
            return False
        pattern = view.cue_index.regexes_or_literals(self.tag("possessed")[0])
        return pattern.match(view.text, hit.end) is None

    @cached_property
    def _term_guards(self) -> dict[str, tuple[re.Pattern[str], re.Pattern[str]]]:
        """Per term: what before or right after it makes it no curse (``settings.term_guards``)."""
        return {
            term: (compile_setting(guard.get("before")), compile_setting(guard.get("after")))
            for term, guard in self.lexicon.settings.get("term_guards", {}).items()
        }
