"""The law base: provisions, cases, complaint channels and numeric rules, as dated data."""

from txlguard.law.base import LawBase, LawBaseError, default_law_base, load_law_base
from txlguard.law.models import Channel, CodeMeaning, Instrument, LegalCase, Parameter, Provision

__all__ = [
    "Channel",
    "CodeMeaning",
    "Instrument",
    "LawBase",
    "LawBaseError",
    "LegalCase",
    "Parameter",
    "Provision",
    "default_law_base",
    "load_law_base",
]
