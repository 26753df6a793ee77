"""The built-in policy recognizers: one small class per TAXONOMY §4 label; the terms and rules
are in ``data/<label>.yaml`` and the examples each must pass in ``data/examples/<label>.yaml``."""

from __future__ import annotations

from txlguard.detect.policy.recognizer import PolicyRecognizer


class CollectsContactsRecognizer(PolicyRecognizer):
    """States that the app collects, reads, uploads or stores the contact list, call log or SMS —
    also when only on the user's authorisation. Emergency contacts the user types in, and a single
    contact picked to fill a form, are not the contact list."""

    label = "collects_contacts"


class ContactsUsedForCollectionRecognizer(PolicyRecognizer):
    """Says that contacts, emergency contacts or relatives may be called or messaged about the loan
    when the borrower is overdue. A contact reached only to confirm the borrower is safe is not."""

    label = "contacts_used_for_collection"


class ForcedConsentRecognizer(PolicyRecognizer):
    """Makes the permission or its use a condition of registering or borrowing ("不授权则无法借款"),
    or treats registering or using the service as consent (视为同意)."""

    label = "forced_consent"


class SharedWithCollectorsRecognizer(PolicyRecognizer):
    """Says borrower data may be given, entrusted or transferred to collection agencies or other
    third parties for 贷后管理."""

    label = "shared_with_collectors"


class RightsWaiverRecognizer(PolicyRecognizer):
    """A clause by which the borrower 'agrees' that contacting or telling relatives, friends or the
    employer is no infringement, or waives claims over it — void under the Civil Code's rules on
    standard terms (arts. 497 and 506)."""

    label = "rights_waiver"


class SeparateConsentDescribedRecognizer(PolicyRecognizer):
    """Describes a separate consent (单独同意) for the contact list or other sensitive information
    together with a way to withdraw it — the lawful practice (PIPL art. 29)."""

    label = "separate_consent_described"


POLICY_RECOGNIZERS: tuple[type[PolicyRecognizer], ...] = (
    CollectsContactsRecognizer,
    ContactsUsedForCollectionRecognizer,
    ForcedConsentRecognizer,
    SharedWithCollectorsRecognizer,
    RightsWaiverRecognizer,
    SeparateConsentDescribedRecognizer,
)
