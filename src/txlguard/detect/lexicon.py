"""Recognizer data: trigger terms, cue patterns and confirmation rules, read from YAML.

A lexicon file (``data/<label>.yaml``) has four parts:

``triggers``
    category → terms. Every term (with every spelling that folds to it) goes into the scanner's
    single Aho–Corasick automaton; a message without any trigger hit is never looked at again.
    Keep them specific: an ordinary reminder should hit none.
``aliases``
    term → evasive spellings ("txl" for 通讯录) matched as that term.
``cues``
    category → terms or ``re:`` regexes, searched only inside messages that had a trigger hit,
    in the folded text (simplified, lower case, half-width).
``rules``
    how a trigger hit is confirmed: which cues must be near, what the sentence must (not) hold,
    the confidence and the explanation shown to the user.

``data/context.yaml`` holds the cues shared by every recognizer (negation, reported speech,
threat modality, recipient cues); a rule may name them as if they were its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

Voice = Literal["direct", "reported", "quoted_law", "negated", "conditional_lawful"]
Modality = Literal["any", "threat", "threat_or_done", "done"]


_BOTH_VOICES: tuple[Voice, ...] = ("direct", "reported")


class Rule(BaseModel):
    """One way a trigger hit is confirmed as a finding of the recognizer's label."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    anchor: str = Field(description="trigger category the rule starts from")
    near: dict[str, int] = Field(
        default_factory=dict,
        description="category → most characters between it and the anchor (same sentence)",
    )
    before: dict[str, int] = Field(
        default_factory=dict, description="category → most characters between its end and the anchor's start"
    )
    after: dict[str, int] = Field(
        default_factory=dict, description="category → most characters between the anchor's end and its start"
    )
    segment_has: list[str] = Field(
        default_factory=list, description="categories that must all occur in the sentence"
    )
    segment_lacks: list[str] = Field(
        default_factory=list, description="categories that veto the rule in the sentence"
    )
    message_lacks: list[str] = Field(
        default_factory=list, description="categories that veto it anywhere in the message"
    )
    message_has: list[str] = Field(
        default_factory=list, description="categories that must all occur somewhere in the message"
    )
    modality: Modality = "any"
    second_person: bool = Field(default=False, description="the sentence addresses 你/您")
    voices: list[Voice] = Field(default_factory=lambda: list(_BOTH_VOICES))
    confidence: float = Field(ge=0.0, le=1.0)
    explanation: str
    lawful: bool = Field(
        default=False,
        description='a lawful statement on the label\'s subject ("已向法院提交起诉材料"): the match is'
        " recorded as conditional_lawful, which gives no label and keeps the learned tier from adding it"
        " for that sentence; tried after every other rule of the anchor",
    )
    lifted_by: dict[str, list[str]] = Field(
        default_factory=dict,
        description="category → vetoes of message_lacks that do not hold when it occurs in the message"
        " (a mark of a genuine notice does not excuse a message that also coerces)",
    )
    lifted_confidence_drop: float = Field(
        default=0.02,
        ge=0.0,
        le=1.0,
        description="how much less sure the rule is when it holds by a lifted veto",
    )

    def lifted_variants(self) -> list[Rule]:
        """The rule as it holds when each ``lifted_by`` category occurs: that category required,
        its vetoes gone, the confidence a little lower (``lifted_confidence_drop``)."""
        return [
            self.model_copy(
                update={
                    "id": f"{self.id}+{category}",
                    "message_has": [*self.message_has, category],
                    "message_lacks": [c for c in self.message_lacks if c not in vetoes],
                    "confidence": round(max(0.0, self.confidence - self.lifted_confidence_drop), 6),
                    "lifted_by": {},
                }
            )
            for category, vetoes in self.lifted_by.items()
        ]


class LexiconFile(BaseModel):
    """The YAML shape of one lexicon file."""

    model_config = ConfigDict(extra="forbid")

    label: str
    recognizer: str = ""
    description: str = ""
    triggers: dict[str, list[str]] = Field(default_factory=dict)
    aliases: dict[str, list[str]] = Field(default_factory=dict)
    cues: dict[str, list[str]] = Field(default_factory=dict)
    negation: list[str] = Field(default_factory=lambda: ["negation", "prohibition"])
    rules: list[Rule] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Sequence:
    """A ``seq:`` cue: one of ``first``, then within ``gap`` characters (no sentence end) one of
    ``then`` — "如果…不", "已经…了". Matched with the cue automaton and a short window search."""

    first: tuple[str, ...]
    gap: int
    then: tuple[str, ...]

    @classmethod
    def parse(cls, entry: str, where: str) -> Sequence:
        try:
            first, gap, then = entry[4:].split("~")
            return cls(
                tuple(t for f in _split_top(first) for t in expand(f.strip()) if t),
                int(gap),
                tuple(t for f in _split_top(then) for t in expand(f.strip()) if t),
            )
        except ValueError as exc:
            raise LexiconError(f"{where}: bad seq entry {entry!r} (want 'seq:A|B ~N~ C|D')") from exc

    def regex(self) -> str:
        alt = "|".join(re.escape(t) for t in sorted(self.first, key=len, reverse=True))
        then = "|".join(re.escape(t) for t in sorted(self.then, key=len, reverse=True))
        return f"(?:{alt})[^。!?;\\n]{{0,{self.gap}}}?(?:{then})"


def _split_top(text: str) -> list[str]:
    """Split on "|" outside braces: "a|{b|c}d" → ["a", "{b|c}d"]."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def compile_cue(entries: list[str], where: str) -> re.Pattern[str]:
    """One alternation for a cue category: literals escaped (``{a|b}`` spelled out), ``re:``
    entries as written, ``seq:`` entries as the equivalent regex."""
    literals = sorted(
        {t for e in entries if not e.startswith(("re:", "seq:")) for t in expand(e)},
        key=lambda s: (-len(s), s),
    )
    parts = [re.escape(e) for e in literals] + [e[3:] for e in entries if e.startswith("re:")]
    parts += [Sequence.parse(e, where).regex() for e in entries if e.startswith("seq:")]
    if not parts:
        return re.compile("(?!)")
    try:
        return re.compile("(?:" + "|".join(parts) + ")")
    except re.error as exc:
        raise LexiconError(f"{where}: {exc}") from exc


class Lexicon:
    """A loaded lexicon file with its cue categories compiled."""

    def __init__(self, spec: LexiconFile, source: str = "<memory>") -> None:
        self.spec = spec
        self.source = source
        self.label = spec.label
        self.triggers: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in spec.triggers.items()}
        self.aliases: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in spec.aliases.items()}
        self.cues: dict[str, re.Pattern[str]] = {
            name: compile_cue(entries, f"{source}: cues.{name}") for name, entries in spec.cues.items()
        }
        for rule in spec.rules:
            for category, vetoes in rule.lifted_by.items():
                unknown = [v for v in vetoes if v not in rule.message_lacks]
                if unknown:
                    raise LexiconError(
                        f"{source}: rule {rule.id}: lifted_by.{category} names {unknown}, not in its message_lacks"
                    )
        self.rules: tuple[Rule, ...] = tuple(
            r for rule in spec.rules for r in (rule, *rule.lifted_variants())
        )
        self.negation: tuple[str, ...] = tuple(spec.negation)
        self.settings = spec.settings
        self._setting_patterns: dict[str, re.Pattern[str]] = {}
        for name, terms in self.triggers.items():
            for term in terms:
                if not term or term != term.strip():
                    raise LexiconError(f"{source}: empty or padded trigger in {name}: {term!r}")

    def setting_pattern(self, name: str) -> re.Pattern[str]:
        """The setting ``name`` written as a regex (see :func:`compile_setting`), compiled once."""
        pattern = self._setting_patterns.get(name)
        if pattern is None:
            pattern = self._setting_patterns[name] = compile_setting(self.settings.get(name))
        return pattern

    def trigger_terms(self) -> list[tuple[str, str, str]]:
        """(surface spelling, canonical term, category) for every trigger and alias.

        ``{a|b}`` in a term spells out alternatives: ``{你|您}的家人`` is two terms."""
        out: list[tuple[str, str, str]] = []
        categories: dict[str, list[str]] = {}
        for category, terms in self.triggers.items():
            for written in terms:
                for term in expand(written):
                    out.append((term, term, category))
                    categories.setdefault(term, []).append(category)
        for written, spellings in self.aliases.items():
            for term in expand(written):
                for category in categories.get(term, []):
                    out.extend((spelling, term, category) for s in spellings for spelling in expand(s))
        return out


_ALTERNATIVES = re.compile(r"\{([^{}]*)\}")


def expand(written: str) -> list[str]:
    """``"{你|您}的{家人|父母}"`` → the four spelled-out terms."""
    m = _ALTERNATIVES.search(written)
    if m is None:
        return [written]
    head, tail = written[: m.start()], written[m.end() :]
    return [t for option in m.group(1).split("|") for t in expand(head + option + tail)]


def compile_setting(value: object) -> re.Pattern[str]:
    """A setting written as a regex, with or without the ``re:`` prefix of cue entries; a missing
    one (None) matches nothing."""
    return re.compile("(?!)" if value is None else str(value).removeprefix("re:"))


def data_dir() -> Path:
    return Path(str(resources.files("txlguard.detect") / "data"))


def load_lexicon_file(path: Path) -> Lexicon:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    try:
        spec = LexiconFile.model_validate(raw)
    except Exception as exc:
        raise LexiconError(f"{path.name}: {exc}") from exc
    return Lexicon(spec, path.name)


@lru_cache(maxsize=32)
def load_lexicon(name: str) -> Lexicon:
    """The packaged lexicon ``data/<name>.yaml`` (cached)."""
    return load_lexicon_file(data_dir() / f"{name}.yaml")


_DIGIT = re.compile("[0-9]")


def digit_sensitive(lexicons: list[Lexicon]) -> tuple[tuple[str, ...], tuple[re.Pattern[str], ...]]:
    """The lexicons' literals that hold a digit ("12368", "24小时") and their patterns that tell
    digits apart (a class such as ``[1-3]``): what a rule could read of a digit's value."""
    literals: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for lexicon in lexicons:
        spec = lexicon.spec
        entries = [t for terms in [*spec.triggers.values(), *spec.cues.values()] for t in terms]
        entries += [a for spellings in spec.aliases.values() for a in spellings]
        for value in lexicon.settings.values():
            entries += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
        for entry in entries:
            if entry.startswith("seq:"):
                seq = Sequence.parse(entry, lexicon.source)
                literals.update(t for t in (*seq.first, *seq.then) if _DIGIT.search(t))
            elif entry.startswith("re:"):
                body = entry[3:]
                if any(_DIGIT.search(c) and "0-9" not in c for c in re.findall(r"\[[^\]]*\]", body)):
                    patterns.append(re.compile(body))
                bare = re.sub(r"\[[^\]]*\]|\{\d+(?:,\d*)?\}|\\[dDsSwWbB]", "", body)
                literals.update(re.findall(r"[0-9]+", bare))
            elif _DIGIT.search(entry):
                literals.update(expand(entry))
    return tuple(sorted(literals)), tuple(patterns)
