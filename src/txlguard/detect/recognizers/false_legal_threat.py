"""虚假法律后果: false or misleading legal consequences of a civil debt."""

from __future__ import annotations

from txlguard.detect.recognizer import Recognizer


class FalseLegalThreatRecognizer(Recognizer):
    """Criminal liability (诈骗罪, 坐牢, 拘留, 已立案), consequences for children and relatives
    (上学, 政审), frozen social security, made-up blacklists. Accurate notices — reporting to the
    credit reference system, a lawful suit — are not this label."""

    label = "false_legal_threat"
