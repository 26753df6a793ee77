"""The registry of recognizers a scanner runs (Presidio's ``RecognizerRegistry``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from txlguard.detect.recognizer import Recognizer
from txlguard.detect.recognizers import MESSAGE_RECOGNIZERS
from txlguard.detect.recognizers.personal_data import PersonalDataRecognizer, default_personal_recognizers


class RecognizerRegistry:
    """Message-label recognizers (one per label) and personal-data recognizers."""

    def __init__(
        self,
        recognizers: Iterable[Recognizer] = (),
        personal: Iterable[PersonalDataRecognizer] = (),
    ) -> None:
        self.recognizers: list[Recognizer] = []
        self.personal: list[PersonalDataRecognizer] = list(personal)
        for recognizer in recognizers:
            self.add(recognizer)

    @classmethod
    def default(cls) -> RecognizerRegistry:
        """Every built-in recognizer, with the packaged lexicons."""
        return cls([r() for r in MESSAGE_RECOGNIZERS], default_personal_recognizers())

    def add(self, recognizer: Recognizer) -> None:
        if any(r.name == recognizer.name for r in self.recognizers):
            raise ValueError(f"recognizer {recognizer.name} is already registered")
        self.recognizers.append(recognizer)

    def remove(self, name: str) -> None:
        self.recognizers = [r for r in self.recognizers if r.name != name]
        self.personal = [r for r in self.personal if r.name != name]

    def get(self, label: str) -> list[Recognizer]:
        return [r for r in self.recognizers if r.label == label]

    @property
    def labels(self) -> list[str]:
        seen: list[str] = []
        for r in self.recognizers:
            if r.label not in seen:
                seen.append(r.label)
        return seen

    def __iter__(self) -> Iterator[Recognizer]:
        return iter(self.recognizers)

    def __len__(self) -> int:
        return len(self.recognizers)
