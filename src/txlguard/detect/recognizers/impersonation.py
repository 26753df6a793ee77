"""冒充公检法/律师: the sender claims to be police, a court, a procuratorate, an office or a law firm."""

from __future__ import annotations

from txlguard.detect.recognizer import Recognizer
from txlguard.detect.view import Finding, MessageView, Span

#: Cue categories that mark a real office's or an instructed lawyer's notice (a formal case number,
#: voluntary mediation, the right to object, the reader's own role or application, a licence number)
#: (unless it also shows a collector's hand, coerces or demands repayment within days: ``_COLLECTOR``).
_GENUINE = ("official_notice", "verifiable_firm")
_COLLECTOR = ("collector_marks", "coercion", "repay_demand")


class ImpersonationRecognizer(Recognizer):
    """Self-identification ("我是XX市公安局经侦大队", "【XX区人民法院】"), acting for an authority
    ("受法院委托"), forged documents presented as issued ("你的传票已经下来了", "拘留通知书").
    Mentioning a court or a lawsuit accurately ("我司将依法向法院起诉") is not this label.

    Where an office or firm speaks but the message carries the marks of a genuine notice (a case
    number, voluntary mediation, a lawyer's licence number) and no rule found impersonation, the
    rules say so with a lawful reading: no label, and no learned-tier guess either."""

    label = "impersonation"

    def analyze(self, view: MessageView) -> list[Finding]:
        out = super().analyze(view)
        if any(f.voice == "direct" for f in out):
            return out
        speaker = [h for tag in ("authority", "firm") for h in view.hits_for(self._tags[tag][0])]
        if not speaker:
            return out
        whole: Span = (0, len(view.text))
        genuine = any(view.spans(self, category, whole) for category in _GENUINE) and not any(
            view.spans(self, category, whole) for category in _COLLECTOR
        )
        # The reader asking whether a message is real quotes its threats: they void nothing.
        if genuine or view.spans(self, "authenticity_question", whole):
            first = min(speaker)
            out.append(
                Finding(
                    self.label,
                    first.start,
                    first.end,
                    0.5,
                    "带有真实公文或受托律师函的特征（案号、自愿调解、异议权利、执业证号等）",
                    self.name,
                    "conditional_lawful",
                    "genuine_notice",
                )
            )
        return out
