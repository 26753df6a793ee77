"""The label codes of shared/TAXONOMY.md.

They are a contract with users, corpora and evaluations: every stage uses these exact strings.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class MessageLabel(StrEnum):
    """TAXONOMY §1: labels of one collection communication."""

    DISCLOSURE_TO_THIRD_PARTY = "disclosure_to_third_party"
    THREAT_TO_CONTACTS = "threat_to_contacts"
    THREAT_OF_EXPOSURE = "threat_of_exposure"
    THREAT_OF_VIOLENCE = "threat_of_violence"
    INSULT = "insult"
    IMPERSONATION = "impersonation"
    FALSE_LEGAL_THREAT = "false_legal_threat"


class LogLabel(StrEnum):
    """TAXONOMY §2: labels of a series of contacts with one person."""

    OFF_HOURS_CONTACT = "off_hours_contact"
    EXCESSIVE_FREQUENCY = "excessive_frequency"


class FactCode(StrEnum):
    """TAXONOMY §3: what a borrower's whole account establishes."""

    CONTACTS_HARVESTED = "contacts_harvested"
    NO_SEPARATE_CONSENT = "no_separate_consent"
    CONTACTS_CONTACTED = "contacts_contacted"
    DEBT_DISCLOSED_TO_CONTACTS = "debt_disclosed_to_contacts"
    THREATS = "threats"
    INSULTS_OR_DEFAMATION = "insults_or_defamation"
    IMPERSONATION = "impersonation"
    HARASSMENT_PATTERN = "harassment_pattern"
    ILLEGAL_DEBT = "illegal_debt"
    HARM_SUFFERED = "harm_suffered"


class PolicyLabel(StrEnum):
    """TAXONOMY §4: labels of one privacy-policy or agreement passage."""

    COLLECTS_CONTACTS = "collects_contacts"
    CONTACTS_USED_FOR_COLLECTION = "contacts_used_for_collection"
    FORCED_CONSENT = "forced_consent"
    SHARED_WITH_COLLECTORS = "shared_with_collectors"
    RIGHTS_WAIVER = "rights_waiver"
    SEPARATE_CONSENT_DESCRIBED = "separate_consent_described"


Recipient = Literal["borrower", "contact", "unknown"]
RECIPIENTS: tuple[str, ...] = ("borrower", "contact", "unknown")

Regime = Literal["civil", "administrative", "criminal"]
Verdict = Literal["unlawful", "likely_unlawful", "lawful", "undetermined"]

ALL_CODES: frozenset[str] = frozenset(
    [c.value for c in MessageLabel]
    + [c.value for c in LogLabel]
    + [c.value for c in FactCode]
    + [c.value for c in PolicyLabel]
)
