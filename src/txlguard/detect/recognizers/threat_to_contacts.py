"""威胁联系通讯录: threatens to contact, notify or message the borrower's contacts (爆通讯录)."""

from __future__ import annotations

import re
from functools import cached_property

from txlguard.detect.lexicon import Rule
from txlguard.detect.recognizer import Recognizer
from txlguard.detect.view import Hit, MessageView, Span


class ThreatToContactsRecognizer(Recognizer):
    """Who acts: the sender ("我们就…", "马上…"); what: contacting, notifying, mass-messaging;
    to whom: the borrower's contact list, family, colleagues, employer, village or group chats.
    A conditional demand ("今天不还就…") or a completed act ("已经发给你通讯录了") makes it a
    threat; a lawful purpose ("联系不上您时核实联系方式，不会透露借款信息") does not."""

    label = "threat_to_contacts"

    def accept(self, view: MessageView, hit: Hit, rule: Rule, span: Span) -> bool:
        """Reject a target that owns a photo, names a place, or is the reader's own role."""
        if rule.anchor != "target":
            return True
        if (
            rule.id in self.lexicon.settings.get("borrower_only_rules", ())
            and view.recipient()[0] == "contact"
        ):
            return False
        after, before = self._not_contacted
        text = view.text
        if after.match(text, hit.end):
            return False
        return before.search(text[max(0, hit.start - 4) : hit.start]) is None

    @cached_property
    def _not_contacted(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        settings = self.lexicon.settings
        return (
            re.compile(str(settings["not_contacted_after"]).removeprefix("re:")),
            re.compile(str(settings["not_contacted_before"]).removeprefix("re:")),
        )
