"""Normalisation of Chinese text with an offset map back to the original."""

from txlguard.text.normalize import NormalizedText, normalize, normalize_many

__all__ = ["NormalizedText", "normalize", "normalize_many"]
