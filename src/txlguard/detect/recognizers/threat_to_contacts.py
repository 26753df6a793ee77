"""威胁联系通讯录: threatens to contact, notify or message the borrower's contacts (爆通讯录)."""

from __future__ import annotations

import re
from functools import cached_property

from txlguard.detect.lexicon import Rule
from txlguard.detect.recognizer import Recognizer
from txlguard.detect.view import Finding, Hit, MessageView, Span


class ThreatToContactsRecognizer(Recognizer):
    """Who acts: the sender ("我们就…", "马上…"); what: contacting, notifying, mass-messaging;
    to whom: the borrower's contact list, family, colleagues, employer, village or group chats.
    A conditional demand ("今天不还就…") or a completed act ("已经发给你通讯录了") makes it a
    threat; a lawful purpose ("联系不上您时核实联系方式，不会透露借款信息") does not."""

    label = "threat_to_contacts"

    def analyze(self, view: MessageView) -> list[Finding]:
        """The lexicon's rules, then a question naming a contact answered by a threat in the
        next sentence: "你大舅是姓王吧？我这就打给他。"."""
        out = super().analyze(view)
        if any(f.voice == "direct" for f in out):
            return out
        tag = self.tag("action_them")[0]
        for hit in view.hits_for(self.tag("target")[0]):
            seg = view.segment(hit.start)
            if "?" not in view.text[seg[0] : seg[1]] or seg[1] >= len(view.text):
                continue
            if not view.addressed(seg):
                continue
            nxt = view.segment(seg[1])
            acts = view.spans_of(tag, False, nxt)
            if not acts or "threat" not in view.modality(nxt) or not self.accept_target(view, hit):
                continue
            if view.recipient()[0] == "contact":
                return out
            voice = view.voice(acts[0][0], acts[0][1], self.lexicon.negation)
            out.append(
                Finding(
                    self.label,
                    hit.start,
                    acts[0][1],
                    0.75,
                    "问及借款人的亲友、同事后扬言去联系他们",
                    self.name,
                    voice,
                    "target_question_then_act",
                )
            )
            break
        return out

    def accept(self, view: MessageView, hit: Hit, rule: Rule, span: Span) -> bool:
        """Reject a target that owns a photo, names a place, or is the reader's own role."""
        if rule.anchor != "target":
            return True
        if (
            rule.id in self.lexicon.settings.get("borrower_only_rules", ())
            and view.recipient()[0] == "contact"
        ):
            return False
        return self.accept_target(view, hit)

    def accept_target(self, view: MessageView, hit: Hit) -> bool:
        """Whether a target hit names someone to be contacted (see ``accept``): not "所有人" of a
        post on the internet ("发到网上让所有人都看到" exposes; it contacts no one)."""
        after, before = self._not_contacted
        text = view.text
        if after.match(text, hit.end):
            return False
        if hit.term in self._public_audience and view.spans(self, "online", view.segment(hit.start)):
            return False
        if self._vocative(view, hit):
            return False
        window = int(self.lexicon.settings.get("not_contacted_before_window", 4))
        return before.search(text[max(0, hit.start - window) : hit.start]) is None

    def _vocative(self, view: MessageView, hit: Hit) -> bool:
        """The message opens by addressing the reader with a kin term ("儿子，…"): see ``vocatives``."""
        if (
            hit.start != 0
            or hit.term not in self._vocatives
            or view.text[hit.end : hit.end + 1] not in self.lexicon.settings.get("vocative_followers", ())
        ):
            return False
        return not any(h.start == hit.end + 1 for h in view.hits_for(self.tag("target")[0]))

    @cached_property
    def _vocatives(self) -> frozenset[str]:
        return frozenset(self.lexicon.settings.get("vocatives", []))

    @cached_property
    def _public_audience(self) -> frozenset[str]:
        return frozenset(self.lexicon.settings.get("public_audience", []))

    @cached_property
    def _not_contacted(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        return (
            self.lexicon.setting_pattern("not_contacted_after"),
            self.lexicon.setting_pattern("not_contacted_before"),
        )
