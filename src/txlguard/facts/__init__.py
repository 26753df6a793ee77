"""Detections, log results and interview answers become TAXONOMY §3 case facts here.

* ``extract_facts(narrative)`` — a borrower's own account → facts and details (``extract.py``);
* ``facts_from_scan(results)`` — scanned messages → facts (``scan.py``);
* ``merge_facts(*cases)`` — several sources → one CaseFacts (``merge.py``).
"""

from txlguard.facts.extract import extract_facts, facts_as_values
from txlguard.facts.merge import merge_facts
from txlguard.facts.models import CaseDetails, CaseFacts, EvidenceSpan, Fact
from txlguard.facts.scan import facts_from_scan

__all__ = [
    "CaseDetails",
    "CaseFacts",
    "EvidenceSpan",
    "Fact",
    "extract_facts",
    "facts_as_values",
    "facts_from_scan",
    "merge_facts",
]
