"""向第三人披露债务: a message to someone other than the borrower about the borrower's debt."""

from __future__ import annotations

from txlguard.detect.recognizer import Recognizer
from txlguard.detect.view import Finding, MessageView, Span


class DisclosureRecognizer(Recognizer):
    """The act of 爆通讯录 itself. Needs the recipient to be a contact (given with the input, or
    implied: "您是张三的紧急联系人", "请转告他", "你儿子在我司借款"), and the message to reveal the
    borrower's debt or personal information or to ask the recipient to pass on, urge or pay.

    A borrower's account of it ("他们给我家人打电话说我欠钱") is recorded as reported conduct by
    the lexicon's rules.
    """

    label = "disclosure_to_third_party"

    def always_analyze(self, view: MessageView) -> bool:
        return view.given_recipient == "contact"

    def analyze(self, view: MessageView) -> list[Finding]:
        # The lexicon's rules only record a borrower's account (reported speech).
        out = [f for f in super().analyze(view) if f.voice != "direct"] if view.may_be_second_hand() else []
        whole: Span = (0, len(view.text))
        third_party = view.hits_for(self._tags["third_party"][0])
        group = bool(third_party) and bool(view.spans(self, "group_address", whole))
        if view.given_recipient == "borrower" and not group:
            return out
        if view.given_recipient != "contact" and not group:
            weak = self.lexicon.settings.get("weak_third_party", [])
            if not any(h.term not in weak for h in third_party) and not any(
                c in view.text for c in ("他", "她", "其", "您是", "你是", "作为")
            ):
                return out  # no sign of a third party: no need to infer the recipient
        role, inferred = view.recipient()
        if group:
            role, inferred = "contact", view.given_recipient != "contact"
        if role != "contact":
            return out
        # A named guarantor asked to honour the guarantee, a writer speaking of themselves, or advice
        # to the contact about his own rights: the rules have read the message as lawful, and say so
        # (no label, and no learned-tier guess).
        lawful = any(view.spans(self, c, whole) for c in ("guarantee", "writer_own", "own_people_warning"))
        advice = view.spans(self, "advice_to_contact", whole)
        if advice and not view.spans(self, "contrast", (advice[0][0], len(view.text))):
            lawful = True
        settings = self.lexicon.settings
        debt = view.spans(self, "debt_info", whole)
        request = view.spans(self, "request", whole)
        if debt:
            span = _first_sentence_span(view, debt)
            conf = float(settings["confidence_debt_given" if not inferred else "confidence_debt_inferred"])
            why = "向借款人以外的人（联系人）透露借款人的欠款情况"
        elif request:
            span = _first_sentence_span(view, request)
            conf = float(settings["confidence_request"])
            why = "要求借款人以外的人（联系人）转告、督促或代为还款"
        elif (pass_on := view.spans(self, "pass_on", whole)) and not self._from_collector(view):
            # "麻烦转告他来取包裹": someone other than a lender or collector asks the contact to pass
            # a message on. Read as lawful, so that the learned tier does not take it for collection.
            span = _first_sentence_span(view, pass_on)
            out.append(
                Finding(
                    self.label,
                    span[0],
                    span[1],
                    float(settings["confidence_request"]),
                    str(settings["pass_on_not_collector"]),
                    self.name,
                    "conditional_lawful",
                    "pass_on_not_collector",
                )
            )
            return out
        else:
            return out
        if lawful:
            out.append(
                Finding(self.label, span[0], span[1], conf, why, self.name, "conditional_lawful", "lawful")
            )
            return out
        voice = view.voice(span[0], span[1], self.lexicon.negation, victim_before=False)
        out.append(Finding(self.label, span[0], span[1], conf, why, self.name, voice, "recipient_contact"))
        return out

    def _from_collector(self, view: MessageView) -> bool:
        """Signs that a lender or collector writes: it names itself, a loan or the debt, or threatens."""
        whole: Span = (0, len(view.text))
        return bool(view.spans(self, "collector_sender", whole)) or "threat" in view.modality(whole)


def _first_sentence_span(view: MessageView, spans: list[Span]) -> Span:
    """From the first cue to the last cue of the same sentence."""
    first = spans[0]
    seg = view.segment(first[0])
    last_end = max(e for s, e in spans if seg[0] <= s < seg[1])
    return first[0], last_end
