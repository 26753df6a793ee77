"""Which questions are still worth asking, in interview order.

A question is worth asking when its answer is unknown to the case — neither the evidence nor an
earlier answer settled it — and some answer to it could still change the verdict or the findings.
That second test is made on the judgement itself: the planner tries the question's ``probes``
(true/false, each choice, a low and a high rate…) as hypothetical answers and keeps the question only
if one of them changes the outcome. So a "no" to one question makes its follow-ups moot without any
follow-up table (no contacts harvested → the consent question goes), and the plan is recomputed
after every answer. Questions without probes (dates, amounts, names) fall back to the engine's open
questions, or to the facts they serve.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from txlguard.facts.models import CaseFacts
from txlguard.interview.questions import AnswerValue, InterviewQuestion, QuestionBook, default_question_book
from txlguard.reason.models import Judgement
from txlguard.reason.rules import default_rule_book

JudgeFn = Callable[[Mapping[str, Any]], tuple[CaseFacts, Judgement]]
"""Interview answers in, the case facts and judgement out (``pipeline.judge_facts`` over a reading)."""

Outcome = tuple[str, frozenset[tuple[str, str]]]

_MISSING = object()


@dataclass(frozen=True)
class PlannedQuestion:
    """A question to ask now, the rules its answer decides, and the answer given before (``--again``)."""

    question: InterviewQuestion
    rules: tuple[str, ...] = ()
    previous: Any = _MISSING

    @property
    def revisiting(self) -> bool:
        return self.previous is not _MISSING


@dataclass
class Plan:
    """The ordered questions still worth asking, and the judgement they were planned on."""

    questions: list[PlannedQuestion]
    facts: CaseFacts
    judgement: Judgement
    settled_by_case: list[str] = field(default_factory=list)  # keys the evidence, not an answer, settled


def known_value(judgement: Judgement, key: str) -> Any:
    """The case's value of a fact or detail (None when unknown), whatever source settled it."""
    if key in judgement.facts:
        return judgement.facts[key]
    return judgement.details.get(key)


class Planner:
    """Plans over a judging function; pure apart from what ``judge`` does (it should store nothing)."""

    def __init__(self, judge: JudgeFn, book: QuestionBook | None = None) -> None:
        self.judge = judge
        self.book = book or default_question_book()
        self._violations = frozenset(r.id for r in default_rule_book().rules if r.kind == "violation")

    def outcome(self, judgement: Judgement) -> Outcome:
        """What an answer must change to matter: the verdict or a violation finding's status."""
        return judgement.verdict, frozenset(
            (f.rule, f.status) for f in judgement.findings if f.rule in self._violations
        )

    def _matters(self, key: str, answers: Mapping[str, Any], baseline: Outcome) -> bool | None:
        """Whether some probe answer to ``key`` changes the outcome; None when it has no probes."""
        question = self.book.questions.get(key)
        if question is None or not question.probes:
            return None
        return any(
            self.outcome(self.judge({**answers, key: probe})[1]) != baseline for probe in question.probes
        )

    def _blocked(self, q: InterviewQuestion, answers: Mapping[str, Any], judgement: Judgement) -> bool:
        """A follow-up whose premise was answered 不知道 or is false."""
        for key in q.requires:
            value = known_value(judgement, key)
            if value is False or (value is None and key in answers and answers[key] is None):
                return True
        return False

    def worth_asking(
        self,
        q: InterviewQuestion,
        answers: Mapping[str, Any],
        judgement: Judgement,
        open_keys: Collection[str],
    ) -> bool:
        if q.key in answers or known_value(judgement, q.key) is not None:
            return False
        if self._blocked(q, answers, judgement):
            return False
        if not q.serves:
            return True  # a plain case detail (the platform's name): asked while unknown
        baseline = self.outcome(judgement)
        served = [
            k for k in dict.fromkeys((q.key, *q.serves)) if k == q.key or known_value(judgement, k) is None
        ]
        verdicts = [self._matters(k, answers, baseline) for k in served]
        if any(v is True for v in verdicts):
            return True
        if any(v is False for v in verdicts):
            return False
        return any(k in open_keys for k in served)

    def plan(
        self,
        answers: Mapping[str, AnswerValue],
        *,
        revisit: Collection[str] = (),
        skip: Collection[str] = (),
    ) -> Plan:
        """The questions still worth asking given the stored ``answers``.

        ``revisit``: answered keys to ask again (their answers are set aside while planning, so the
        plan is what it would be without them); ``skip``: keys the person chose not to answer now.
        """
        effective = {k: v for k, v in answers.items() if k not in revisit}
        facts, judgement = self.judge(effective)
        open_rules = {q.key: tuple(q.rules) for q in judgement.questions}
        planned: list[PlannedQuestion] = []
        settled: list[str] = []
        for q in self.book.ordered():
            if q.key in skip:
                continue
            if q.key not in effective and known_value(judgement, q.key) is not None:
                settled.append(q.key)
                continue
            if self.worth_asking(q, effective, judgement, open_rules):
                previous = answers[q.key] if q.key in revisit and q.key in answers else _MISSING
                planned.append(
                    PlannedQuestion(question=q, rules=open_rules.get(q.key, ()), previous=previous)
                )
        return Plan(questions=planned, facts=facts, judgement=judgement, settled_by_case=settled)
