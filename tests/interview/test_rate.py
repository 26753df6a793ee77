"""The annual rate and 砍头息 computed from loan amounts, and where the computed values are used."""

from __future__ import annotations

import doctest

import pytest

import txlguard.facts.details as details_module
from txlguard.facts import CaseDetails, CaseFacts, merge_facts
from txlguard.facts.details import derive_details, implied_annual_rate
from txlguard.facts.structured import FactInputError, parse_fact_object
from txlguard.reason import assess


def test_the_doctests_hold() -> None:
    result = doctest.testmod(details_module)
    assert result.attempted >= 5 and result.failed == 0


@pytest.mark.parametrize(
    ("received", "total", "days", "rate"),
    [
        (2100, 3000, 30, 521.43),  # 到手2100，30天还3000
        (10000, 10360, 365, 3.6),
        (1000, 1000, 7, 0.0),
        (5000, 6000, 180, 40.56),
    ],
)
def test_simple_annual_rate_on_the_money_received(
    received: float, total: float, days: int, rate: float
) -> None:
    assert implied_annual_rate(received, total, days) == pytest.approx(rate)


@pytest.mark.parametrize(("received", "total", "days"), [(0, 100, 30), (3000, 2000, 30), (100, 200, 0)])
def test_no_rate_from_impossible_figures(received: float, total: float, days: int) -> None:
    assert implied_annual_rate(received, total, days) is None


def test_derived_details_fill_only_what_is_unknown() -> None:
    amounts = CaseDetails(loan_principal=3000, loan_received=2100, loan_total_due=3000, loan_term_days=30)
    derived, notes = derive_details(amounts)
    assert derived.annual_rate == pytest.approx(521.43)
    assert derived.upfront_deduction is True
    assert len(notes) == 2 and "521.43%" in notes[0] and "预扣900元" in notes[1]

    stated = amounts.model_copy(update={"annual_rate": 24.0, "upfront_deduction": False})
    kept, notes = derive_details(stated)
    assert (kept.annual_rate, kept.upfront_deduction, notes) == (24.0, False, [])

    whole, _ = derive_details(CaseDetails(loan_principal=3000, loan_received=3000))
    assert whole.upfront_deduction is False and whole.annual_rate is None


def test_a_stated_rate_from_any_source_wins_over_the_computed_one() -> None:
    answers = CaseFacts(details=CaseDetails(loan_received=1000, loan_total_due=1100, loan_term_days=365))
    narrative = CaseFacts(details=CaseDetails(annual_rate=36.0))
    assert merge_facts(answers, narrative).details.annual_rate == 36.0
    assert merge_facts(answers).details.annual_rate == 10.0


def test_the_engine_uses_the_computed_rate() -> None:
    case = merge_facts(
        CaseFacts(
            details=CaseDetails(
                lender_licensed=False,
                loan_received=2000,
                loan_total_due=2400,
                loan_term_days=30,
                loan_principal=2000,
            )
        )
    )
    judgement = assess(case)
    assert judgement.details["annual_rate"] == pytest.approx(243.33)
    rules = {f.rule for f in judgement.findings}
    assert {"civil-illegal-debt", "criminal-illegal-lending"} <= rules


def test_fact_files_accept_and_check_the_amounts() -> None:
    case = parse_fact_object(
        {"facts": {}, "details": {"loan_received": 2100, "loan_total_due": 3000, "loan_term_days": 30}}
    )
    assert case.details.annual_rate == pytest.approx(521.43)
    with pytest.raises(FactInputError) as bad:
        parse_fact_object({"facts": {}, "details": {"loan_term_days": 0}})
    assert bad.value.field == "details.loan_term_days" and bad.value.message_zh == "应大于 0"
    with pytest.raises(FactInputError) as negative:
        parse_fact_object({"facts": {}, "details": {"loan_received": -5}})
    assert negative.value.message_zh == "不能为负数"
