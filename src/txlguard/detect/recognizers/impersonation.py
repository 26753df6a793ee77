"""冒充公检法/律师: the sender claims to be police, a court, a procuratorate, an office or a law firm."""

from __future__ import annotations

from txlguard.detect.recognizer import Recognizer


class ImpersonationRecognizer(Recognizer):
    """Self-identification ("我是XX市公安局经侦大队", "【XX区人民法院】"), acting for an authority
    ("受法院委托"), forged documents presented as issued ("你的传票已经下来了", "拘留通知书").
    Mentioning a court or a lawsuit accurately ("我司将依法向法院起诉") is not this label."""

    label = "impersonation"
