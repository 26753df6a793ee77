"""威胁联系通讯录: threatens to contact, notify or message the borrower's contacts (爆通讯录)."""

from __future__ import annotations

from txlguard.detect.recognizer import Recognizer


class ThreatToContactsRecognizer(Recognizer):
    """Who acts: the sender ("我们就…", "马上…"); what: contacting, notifying, mass-messaging;
    to whom: the borrower's contact list, family, colleagues, employer, village or group chats.
    A conditional demand ("今天不还就…") or a completed act ("已经发给你通讯录了") makes it a
    threat; a lawful purpose ("联系不上您时核实联系方式，不会透露借款信息") does not."""

    label = "threat_to_contacts"
