"""Policy-recognizer data: term categories and rules, read from YAML beside the recognizers.

A policy lexicon (``data/<label>.yaml``) names categories of terms (``{a|b}`` spelled out,
``re:`` entries as regexes, matched on the normalised passage) and rules. A rule starts from an
``anchor`` category and asks which other categories must stand near it in the same sentence,
what the sentence or the whole passage must (not) hold, and whether a negation before the anchor
("我们不会读取…") cancels it. ``data/shared.yaml`` holds the categories every label uses
(contact-list objects, negation, breakers of a negation's scope).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from txlguard.detect.lexicon import LexiconError, compile_cue


class PolicyRule(BaseModel):
    """One way a passage is confirmed to carry the lexicon's label."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    anchor: str = Field(description="category the rule starts from")
    near: dict[str, int] = Field(
        default_factory=dict, description="category → most characters away, either side"
    )
    after: dict[str, int] = Field(
        default_factory=dict, description="category → most characters between the anchor's end and its start"
    )
    before: dict[str, int] = Field(
        default_factory=dict, description="category → most characters between its end and the anchor's start"
    )
    sentence_has: list[str] = Field(default_factory=list)
    sentence_lacks: list[str] = Field(default_factory=list)
    passage_has: list[str] = Field(default_factory=list)
    passage_lacks: list[str] = Field(default_factory=list)
    negatable: bool = Field(default=True, description="a negation before the anchor cancels the rule")
    confidence: float = Field(ge=0.0, le=1.0)
    explanation: str


class PolicyLexiconFile(BaseModel):
    """The YAML shape of one policy lexicon file."""

    model_config = ConfigDict(extra="forbid")

    label: str
    description: str = ""
    provisions: list[str] = Field(default_factory=list)
    terms: dict[str, list[str]] = Field(default_factory=dict)
    rules: list[PolicyRule] = Field(default_factory=list)


class PolicyLexicon:
    """A loaded policy lexicon with every category compiled to one regex."""

    def __init__(self, spec: PolicyLexiconFile, source: str, shared: dict[str, re.Pattern[str]]) -> None:
        self.spec = spec
        self.source = source
        self.label = spec.label
        self.provisions = tuple(spec.provisions)
        own = {name: compile_cue(entries, f"{source}: terms.{name}") for name, entries in spec.terms.items()}
        clash = set(own) & set(shared)
        if clash:
            raise LexiconError(f"{source}: categories {sorted(clash)} are already in shared.yaml")
        self.terms: dict[str, re.Pattern[str]] = {**shared, **own}
        self.rules = tuple(sorted(spec.rules, key=lambda r: -r.confidence))
        for rule in self.rules:
            named = [
                rule.anchor,
                *rule.near,
                *rule.after,
                *rule.before,
                *rule.sentence_has,
                *rule.sentence_lacks,
                *rule.passage_has,
                *rule.passage_lacks,
            ]
            for category in named:
                if category not in self.terms:
                    raise LexiconError(f"{source}: rule {rule.id} names unknown category {category}")


def data_dir() -> Path:
    return Path(str(resources.files("txlguard.detect.policy") / "data"))


def _read(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def shared_terms() -> dict[str, re.Pattern[str]]:
    """The categories of ``data/shared.yaml``, compiled."""
    raw = _read(data_dir() / "shared.yaml")
    if not isinstance(raw, dict) or not isinstance(raw.get("terms"), dict):
        raise LexiconError("shared.yaml: want a mapping with terms")
    return {
        name: compile_cue(list(entries), f"shared.yaml: terms.{name}")
        for name, entries in raw["terms"].items()
    }


def load_policy_lexicon_file(path: Path) -> PolicyLexicon:
    try:
        spec = PolicyLexiconFile.model_validate(_read(path))
    except Exception as exc:
        raise LexiconError(f"{path.name}: {exc}") from exc
    return PolicyLexicon(spec, path.name, shared_terms())


@lru_cache(maxsize=16)
def load_policy_lexicon(label: str) -> PolicyLexicon:
    """The packaged lexicon ``data/<label>.yaml`` (cached)."""
    return load_policy_lexicon_file(data_dir() / f"{label}.yaml")
