"""The rule book: rules, remedies and questions as data, validated against the law base."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from txlguard.taxonomy import Regime

# Folded YAML scalars (>-) join lines with a space, which Chinese text does not use.
_SPACE_BETWEEN_CJK = re.compile(
    r"(?<=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\"])\s+(?=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\"])"
)


def join_cjk_lines(text: str) -> str:
    return _SPACE_BETWEEN_CJK.sub("", text)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: Literal["violation", "note"]
    regime: Regime
    title_zh: str
    summary_zh: str
    when: Any
    provisions: list[str]
    remedies: list[str] = Field(default_factory=list)
    authorities: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    max_status: Literal["established", "possible"] = "established"
    notes_zh: list[str] = Field(default_factory=list)

    @field_validator("summary_zh", "title_zh")
    @classmethod
    def _join(cls, value: str) -> str:
        return join_cjk_lines(value)


class RemedySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text_zh: str
    provisions: list[str]


class QuestionSpec(BaseModel):
    """What the engine says about an open question; the interview's answer metadata (kind, choices,
    topics…) in the same file is validated strictly by :mod:`txlguard.interview.questions`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    text_zh: str
    why_zh: str = ""


class RuleBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    derived_facts: dict[str, Any]
    defeaters: dict[str, Any]
    lawful_requires_known: list[str]
    rules: list[Rule]
    remedies: dict[str, RemedySpec]
    fact_questions: dict[str, QuestionSpec]
    detail_questions: dict[str, QuestionSpec]


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_rule_book(data_dir: Path | None = None) -> RuleBook:
    root = data_dir or Path(str(resources.files("txlguard.reason") / "data"))
    raw_rules = _load(root / "rules.yaml")
    questions = _load(root / "questions.yaml")
    return RuleBook(
        version=str(raw_rules["version"]),
        derived_facts=raw_rules.get("derived_facts", {}),
        defeaters=raw_rules.get("defeaters", {}),
        lawful_requires_known=raw_rules["verdict"]["lawful_requires_known"],
        rules=[Rule.model_validate(r) for r in raw_rules["rules"]],
        remedies={k: RemedySpec.model_validate(v) for k, v in _load(root / "remedies.yaml").items()},
        fact_questions={k: QuestionSpec.model_validate(v) for k, v in questions["facts"].items()},
        detail_questions={k: QuestionSpec.model_validate(v) for k, v in questions["details"].items()},
    )


@lru_cache(maxsize=1)
def default_rule_book() -> RuleBook:
    return load_rule_book()
