"""Rules from case facts to findings: regime, provisions, remedies, authorities, strength, trace."""

from txlguard.reason.engine import Reasoner, ReasoningError, assess
from txlguard.reason.models import Finding, Judgement, Question

__all__ = ["Finding", "Judgement", "Question", "Reasoner", "ReasoningError", "assess"]
