"""The planner: only questions whose answer is unknown and could still change the judgement, in order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from txlguard.detect.logrules import LogRuleResult
from txlguard.facts import CaseDetails, CaseFacts
from txlguard.interview.planner import Planner
from txlguard.pipeline import EvidenceFacts, judge_facts


def planner(*sources: CaseFacts) -> Planner:
    evidence = EvidenceFacts(
        sources=sources, results=[], logs=LogRuleResult(findings=[], notes=[]), db_ids={}
    )
    return Planner(lambda answers: judge_facts(answers, evidence))


def keys(p: Planner, answers: Mapping[str, Any] | None = None, **kwargs: Any) -> list[str]:
    return [q.question.key for q in p.plan(answers or {}, **kwargs).questions]


def test_an_empty_case_starts_with_the_platform_and_asks_every_fact() -> None:
    asked = keys(planner())
    assert asked[:2] == ["lender_name", "lender_licensed"]
    for code in (
        "contacts_harvested",
        "no_separate_consent",
        "contacts_contacted",
        "threats",
        "harm_suffered",
    ):
        assert code in asked


def test_answered_questions_are_not_asked_again_even_when_the_answer_was_dont_know() -> None:
    p = planner()
    asked = keys(p, {"lender_name": "某某贷", "threats": None})
    assert "lender_name" not in asked and "threats" not in asked


def test_a_no_makes_the_follow_ups_moot() -> None:
    p = planner()
    assert "no_separate_consent" in keys(p)
    assert "no_separate_consent" not in keys(p, {"contacts_harvested": False})
    assert "no_separate_consent" not in keys(p, {"contacts_harvested": None})  # requires: a premise not known
    assert "publicly_spread" not in keys(p)
    assert "publicly_spread" in keys(p, {"insults_or_defamation": True})


def test_rate_questions_come_when_the_rate_can_matter() -> None:
    p = planner()
    # an unlicensed lender: the rate decides whether illegal lending is suspected
    unlicensed = keys(p, {"lender_licensed": False})
    assert (
        unlicensed.index("loan_received")
        < unlicensed.index("loan_total_due")
        < unlicensed.index("annual_rate")
    )
    # the amounts give the rate, so the rate question goes once they are known
    amounts = {"lender_licensed": False, "loan_received": 2000, "loan_total_due": 2400, "loan_term_days": 30}
    assert not {"annual_rate", "loan_total_due", "loan_term_days"} & set(keys(p, amounts))
    # the amount received is unknown: no use asking the rest of the arithmetic
    assert "loan_total_due" not in keys(p, {"lender_licensed": False, "loan_received": None})


def test_what_the_evidence_settled_is_not_asked() -> None:
    evidence = CaseFacts.from_values(
        {"threats": True, "impersonation": True}, CaseDetails(lender_name="某某贷"), source="message"
    )
    plan = planner(evidence).plan({})
    asked = [q.question.key for q in plan.questions]
    assert not {"threats", "impersonation", "lender_name"} & set(asked)
    assert {"threats", "impersonation", "lender_name"} <= set(plan.settled_by_case)


def test_revisiting_asks_answered_questions_with_their_answer_and_skip_holds_back() -> None:
    p = planner()
    answers = {"lender_name": "某某贷", "contacts_harvested": False}
    plan = p.plan(answers, revisit={"lender_name", "contacts_harvested"})
    by_key = {q.question.key: q for q in plan.questions}
    assert by_key["lender_name"].previous == "某某贷" and by_key["contacts_harvested"].previous is False
    assert "no_separate_consent" in by_key  # while the answer is being revisited it is set aside
    assert not by_key["threats"].revisiting
    assert "threats" not in keys(p, skip={"threats"})
