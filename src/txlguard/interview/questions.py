"""The interview's questions as data: what to ask, how to read the answer, when it is worth asking.

They live in ``reason/data/questions.yaml`` beside the text the reasoning engine shows for its open
questions, so one entry says both what a question means to the law and how a person answers it. The
engine reads only ``text_zh``/``why_zh``; everything else is checked strictly here, against the
TAXONOMY §3 fact codes, the ``CaseDetails`` fields and the derived concepts the rules use.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from txlguard.facts.models import CaseDetails
from txlguard.reason.rules import RuleBook, default_rule_book, join_cjk_lines
from txlguard.taxonomy import FactCode

AnswerKind = Literal["yes_no", "choice", "number", "integer", "rate", "date", "text"]
AnswerValue = bool | int | float | str | None
"""What is stored for an answer: JSON-ready (dates as ISO strings); None means 不知道."""

FACT_KEYS = frozenset(code.value for code in FactCode)
DETAIL_KEYS = frozenset(CaseDetails.model_fields)


class Choice(BaseModel):
    """One option of a choice question: the label shown and the value stored."""

    model_config = ConfigDict(frozen=True)

    label_zh: str
    value: bool | str | None


class InterviewQuestion(BaseModel):
    """One question with everything a UI needs to ask it and read the answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(description="fact code or CaseDetails field the answer is stored under")
    target: Literal["fact", "detail"]
    topic: str
    text_zh: str
    why_zh: str = ""
    hint_zh: str = ""
    kind: AnswerKind = "yes_no"
    choices: tuple[Choice, ...] = ()
    units: dict[str, float] = Field(default_factory=dict)
    serves: tuple[str, ...] = Field(description="facts/details the answer settles")
    probes: tuple[AnswerValue, ...] = Field(description="answers tried to see if the answer matters")
    requires: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> InterviewQuestion:
        if self.target == "fact" and self.kind != "yes_no":
            raise ValueError(f"{self.key}: a fact is answered yes/no, not {self.kind}")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"{self.key}: choices belong to (and are required by) kind choice")
        if self.units and self.kind not in ("number", "integer"):
            raise ValueError(f"{self.key}: units only apply to number and integer answers")
        return self


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title_zh: str
    keys: tuple[str, ...]


class QuestionBook(BaseModel):
    """Every interview question, in interview order, and the topics they are grouped in."""

    model_config = ConfigDict(frozen=True)

    topics: tuple[Topic, ...]
    questions: dict[str, InterviewQuestion]

    def ordered(self) -> list[InterviewQuestion]:
        return list(self.questions.values())

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.topics if t.id == topic_id)


class QuestionDataError(ValueError):
    """questions.yaml does not describe a usable interview (a packaging bug, not user input)."""


def _derived_concepts(node: Any) -> set[str]:
    """The names of derived concepts (``{derived: name}``) used anywhere in a rule condition."""
    if isinstance(node, dict):
        found = {str(node["derived"])} if "derived" in node else set()
        for value in node.values():
            found |= _derived_concepts(value)
        return found
    if isinstance(node, list):
        return set().union(*(_derived_concepts(v) for v in node)) if node else set()
    return set()


def _default_probes(kind: AnswerKind, choices: tuple[Choice, ...]) -> tuple[AnswerValue, ...]:
    if kind == "yes_no":
        return (True, False)
    if kind == "choice":
        return tuple(dict.fromkeys(c.value for c in choices if c.value is not None))
    return ()


def _question(
    key: str, target: Literal["fact", "detail"], topic: str, raw: dict[str, Any]
) -> InterviewQuestion:
    raw = dict(raw)
    choices = tuple(
        Choice(label_zh=str(label), value=value) for label, value in (raw.pop("choices", {}) or {}).items()
    )
    kind = raw.pop("kind", "yes_no")
    probes = raw.pop("probes", None)
    return InterviewQuestion.model_validate(
        {
            **raw,
            "key": key,
            "target": target,
            "topic": topic,
            "kind": kind,
            "choices": choices,
            "text_zh": join_cjk_lines(str(raw.get("text_zh", ""))),
            "serves": tuple(raw.pop("serves", [key])),
            "probes": _default_probes(kind, choices) if probes is None else tuple(probes),
        }
    )


def _check(book: QuestionBook, rules: RuleBook) -> None:
    concepts = set().union(
        *(_derived_concepts(r.when) for r in rules.rules), _derived_concepts(rules.derived_facts)
    )
    known = FACT_KEYS | DETAIL_KEYS | concepts
    problems: list[str] = []
    for q in book.ordered():
        problems += [f"{q.key}: serves unknown key {k}" for k in q.serves if k not in known]
        problems += [f"{q.key}: requires unknown question {k}" for k in q.requires if k not in book.questions]
        if q.target == "detail":
            values = [c.value for c in q.choices] + [p for p in q.probes if p is not None]
            for value in values:
                try:
                    CaseDetails.model_validate({q.key: value})
                except ValidationError:
                    problems.append(f"{q.key}: {value!r} is not a valid value of the detail")
    if problems:
        raise QuestionDataError("; ".join(problems))


def load_question_book(path: Path | None = None, rules: RuleBook | None = None) -> QuestionBook:
    """Read and check questions.yaml; raises :class:`QuestionDataError` naming every problem."""
    source = path or Path(str(resources.files("txlguard.reason") / "data" / "questions.yaml"))
    with source.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    topics = tuple(Topic.model_validate(t) for t in raw.get("topics", []))
    sections: dict[str, tuple[Literal["fact", "detail"], dict[str, Any]]] = {}
    for target, section, valid in (("fact", "facts", FACT_KEYS), ("detail", "details", DETAIL_KEYS)):
        for key, spec in (raw.get(section) or {}).items():
            if key not in valid:
                raise QuestionDataError(
                    f"{section}.{key}: not a {'fact code' if target == 'fact' else 'CaseDetails field'}"
                )
            sections[key] = (target, spec)  # type: ignore[assignment]
    placed = [key for topic in topics for key in topic.keys]
    duplicated = sorted({k for k in placed if placed.count(k) > 1})
    unplaced = sorted(set(sections) - set(placed))
    unknown = sorted(set(placed) - set(sections))
    if duplicated or unplaced or unknown:
        raise QuestionDataError(
            f"topics: duplicated {duplicated}, in no topic {unplaced}, not a question {unknown}"
        )
    try:
        questions = {
            key: _question(key, sections[key][0], topic.id, sections[key][1])
            for topic in topics
            for key in topic.keys
        }
    except ValidationError as exc:
        raise QuestionDataError(str(exc)) from exc
    book = QuestionBook(topics=topics, questions=questions)
    _check(book, rules or default_rule_book())
    return book


@lru_cache(maxsize=1)
def default_question_book() -> QuestionBook:
    return load_question_book()
