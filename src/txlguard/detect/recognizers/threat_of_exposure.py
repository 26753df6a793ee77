"""威胁曝光: threatens to publish the borrower's photo, ID, information or a "老赖" notice."""

from __future__ import annotations

from txlguard.detect.recognizer import Recognizer


class ThreatOfExposureRecognizer(Recognizer):
    """What: photos, ID, personal or debt information, wanted-style or "老赖" notices, edited or
    intimate images, rumours; where: online, 朋友圈, chat groups, public places; by the sender."""

    label = "threat_of_exposure"
