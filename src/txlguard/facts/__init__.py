"""Detections, log results and interview answers become TAXONOMY §3 case facts here."""

from txlguard.facts.models import CaseDetails, CaseFacts, EvidenceSpan, Fact

__all__ = ["CaseDetails", "CaseFacts", "EvidenceSpan", "Fact"]
