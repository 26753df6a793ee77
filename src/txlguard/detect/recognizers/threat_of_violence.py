"""暴力威胁: bodily harm, harm to family, damage to property, detention, a menacing visit."""

from __future__ import annotations

from txlguard.detect.recognizer import Recognizer


class ThreatOfViolenceRecognizer(Recognizer):
    """Explicit harm ("打断你的腿"), veiled threats about safety ("出门小心点", "小心你的家人"),
    menacing visits ("带几个兄弟上门", "天天去你家堵你"). A plain notice of a visit ("工作人员将
    上门拜访核实情况") is not this label."""

    label = "threat_of_violence"
