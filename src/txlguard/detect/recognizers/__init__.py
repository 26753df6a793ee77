"""The built-in recognizers: one class per message label, plus the personal-data recognizers."""

from txlguard.detect.recognizers.disclosure import DisclosureRecognizer
from txlguard.detect.recognizers.false_legal_threat import FalseLegalThreatRecognizer
from txlguard.detect.recognizers.impersonation import ImpersonationRecognizer
from txlguard.detect.recognizers.insult import InsultRecognizer
from txlguard.detect.recognizers.personal_data import (
    AddressRecognizer,
    BankCardRecognizer,
    DigitRecognizer,
    IdNumberRecognizer,
    PersonalDataRecognizer,
    PhoneRecognizer,
)
from txlguard.detect.recognizers.threat_of_exposure import ThreatOfExposureRecognizer
from txlguard.detect.recognizers.threat_of_violence import ThreatOfViolenceRecognizer
from txlguard.detect.recognizers.threat_to_contacts import ThreatToContactsRecognizer

MESSAGE_RECOGNIZERS = (
    DisclosureRecognizer,
    ThreatToContactsRecognizer,
    ThreatOfExposureRecognizer,
    ThreatOfViolenceRecognizer,
    InsultRecognizer,
    ImpersonationRecognizer,
    FalseLegalThreatRecognizer,
)

__all__ = [
    "MESSAGE_RECOGNIZERS",
    "AddressRecognizer",
    "BankCardRecognizer",
    "DigitRecognizer",
    "DisclosureRecognizer",
    "FalseLegalThreatRecognizer",
    "IdNumberRecognizer",
    "ImpersonationRecognizer",
    "InsultRecognizer",
    "PersonalDataRecognizer",
    "PhoneRecognizer",
    "ThreatOfExposureRecognizer",
    "ThreatOfViolenceRecognizer",
    "ThreatToContactsRecognizer",
]
