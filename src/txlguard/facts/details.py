"""CaseDetails stated in a narrative: interest rate, 砍头息, how many contacts, lender, licence, dates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from txlguard.facts.lexicon import DetailRules, RateRule
from txlguard.facts.models import CaseDetails
from txlguard.facts.numbers import parse_count, parse_number
from txlguard.facts.segment import View

_PERIODS = {"year": 1, "month": 12, "day": 365}
# percent per period for one unit of the numeral
_UNIT_PERCENT = {
    "percent": {"year": 1.0, "month": 1.0, "day": 1.0},
    "fen": {"year": 10.0, "month": 1.0, "day": 0.1},
    "li": {"year": 1.0, "month": 0.1, "day": 0.01},
    "permille": {"year": 0.1, "month": 0.1, "day": 0.1},
    "permyriad": {"year": 0.01, "month": 0.01, "day": 0.01},
}
_NEGATED_BEFORE = re.compile(r"(?:不是|没有|并非|非|无|不)$")


def annualise(value: float, per: str, unit: str) -> float:
    """Simple (uncompounded) annual rate in percent.

    >>> annualise(5, "day", "permille")   # 日息千分之五 = 0.5 % a day
    182.5
    >>> annualise(5, "day", "permyriad")  # 日息万分之五 = 0.05 % a day
    18.25
    >>> annualise(2, "month", "fen")      # 月息2分 = 2 % a month
    24.0
    """
    return round(value * _UNIT_PERCENT[unit][per] * _PERIODS[per], 4)


@dataclass
class DetailFinding:
    """Details plus where each came from (sentence index) and how it was computed."""

    values: dict[str, Any] = field(default_factory=dict)
    sentences: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def set(self, key: str, value: Any, sentence: int, note: str | None = None) -> None:
        if key not in self.values:
            self.values[key] = value
            self.sentences[key] = sentence
            if note:
                self.notes.append(note)


def _rate(view: View, rule: RateRule, m: re.Match[str]) -> float | None:
    n = parse_number(m.group("n"))
    if n is None:
        return None
    return annualise(n, rule.per, rule.unit)


def _rates(view: View, rules: DetailRules, out: DetailFinding) -> None:
    best: tuple[float, int, str] | None = None
    for rule in rules.rates:
        for m in rule.regex.finditer(view.text):
            value = _rate(view, rule, m)
            if value is None:
                continue
            if best is None or value > best[0]:
                best = (
                    value,
                    view.sentence_of(m.start()),
                    f"{m.group(0)} → 年化{value:g}%（{rule.id}，单利）",
                )
    if best is not None:
        out.set("annual_rate", best[0], best[1], "年利率：" + best[2])


def _upfront(view: View, rules: DetailRules, out: DetailFinding) -> None:
    for regex in rules.principal_received:
        for m in regex.finditer(view.text):
            borrowed = parse_number(m.group("a"))
            received = parse_number(m.group("r"))
            if borrowed is None or received is None or borrowed <= 0:
                continue
            sent = view.sentence_of(m.start())
            if received < borrowed:
                out.set(
                    "upfront_deduction",
                    True,
                    sent,
                    f"借{borrowed:g}、到手{received:g}：预扣{borrowed - received:g}（砍头息）",
                )
                return
            if received == borrowed:
                out.set("upfront_deduction", False, sent, f"借{borrowed:g}、到手{received:g}：未预扣")
                return


def _contacts_reached(view: View, rules: DetailRules, out: DetailFinding) -> None:
    best: tuple[int, int] | None = None
    for m in rules.contacts_count.finditer(view.text):
        sent = view.sentence_of(m.start())
        s0 = view.sentences[max(0, sent - 1)][0]
        s1 = view.sentences[sent][1]
        if not rules.contacts_count_context.search(view.text, s0, s1):
            continue
        n = parse_count(m.group("n"))
        if n is None or n <= 0:
            continue
        if best is None or n > best[0]:
            best = (n, sent)
    if best is not None:
        out.set("contacts_reached", best[0], best[1])


def _date(m: re.Match[str]) -> date | None:
    y = m.group("y") or m.group("y2")
    mo = m.group("m") or m.group("m2")
    d = m.group("d") or m.group("d2")
    try:
        return date(int(y), int(mo), int(d) if d else 1)
    except (TypeError, ValueError):
        return None


def _dates(view: View, rules: DetailRules, out: DetailFinding) -> None:
    found = [(m, _date(m)) for m in rules.date.finditer(view.text)]
    starts: list[tuple[date, int]] = []
    ends: list[tuple[date, int]] = []
    skip: set[int] = set()
    for i, (m, day) in enumerate(found):
        if day is None or i in skip:
            continue
        sent = view.sentence_of(m.start())
        s_end = view.sentences[sent][1]
        after = view.text[m.end() : s_end]
        joiner = rules.date_range_joiner.match(after)
        if joiner and i + 1 < len(found) and found[i + 1][0].start() == m.end() + joiner.end():
            other = found[i + 1][1]
            if other is not None:
                starts.append((day, sent))
                ends.append((other, sent))
                skip.add(i + 1)
                continue
        if rules.date_start_after.match(after):
            starts.append((day, sent))
        elif rules.date_loan_after.match(after):
            out.set("loan_date", day, sent)
        elif rules.date_collection_words.search(view.text, *view.sentences[sent]):
            starts.append((day, sent))
    if starts:
        day, sent = min(starts)
        out.set("start", day, sent)
    if ends:
        day, sent = max(ends)
        out.set("end", day, sent)


def _lender(view: View, rules: DetailRules, out: DetailFinding) -> None:
    for i, regex in enumerate(rules.lender_name):
        for m in regex.finditer(view.text):
            name = m.group("name")
            if rules.lender_name_reject.search(name):
                continue
            if i >= 2 and not rules.lender_name_needs.search(name):
                continue
            o_start, o_end = view.to_original(m.start("name"), m.end("name"))
            original = view.original[o_start:o_end].strip()
            if original:
                out.set("lender_name", original, view.sentence_of(m.start()))
                return


def _licensed(view: View, rules: DetailRules, out: DetailFinding) -> None:
    for m in rules.licensed_false.finditer(view.text):
        out.set("lender_licensed", False, view.sentence_of(m.start()), f"出借人无资质：{m.group(0)}")
        return
    for m in rules.licensed_true.finditer(view.text):
        before = view.text[max(0, m.start() - 3) : m.start()]
        if _NEGATED_BEFORE.search(before):
            continue
        sent = view.sentence_of(m.start())
        clause = view.text[slice(*view.clause_bounds(m.start(), sent))]
        if "吗" in clause or "是不是" in clause:
            continue
        out.set("lender_licensed", True, sent, f"出借人持牌：{m.group(0)}")
        return


def extract_details(view: View, rules: DetailRules) -> DetailFinding:
    """Every CaseDetails field the narrative states, with the sentence it came from."""
    out = DetailFinding()
    _rates(view, rules, out)
    _upfront(view, rules, out)
    _contacts_reached(view, rules, out)
    _dates(view, rules, out)
    _lender(view, rules, out)
    _licensed(view, rules, out)
    return out


# -- details computed from other details -------------------------------------------------------
def implied_annual_rate(received: float, total_due: float, term_days: int) -> float | None:
    """Simple annualised rate, in percent, on the money the borrower actually received.

    Borrowers rarely know their rate but do know what reached their account, what they must repay
    and when; courts count interest on the amount actually lent (砍头息 is not principal), so the
    base is what was received, not the contract amount. None when the figures cannot make a rate.

    >>> implied_annual_rate(2100, 3000, 30)   # 到手2100元，30天后还3000元
    521.43
    >>> implied_annual_rate(10000, 10000, 365)
    0.0
    >>> implied_annual_rate(0, 3000, 30) is None, implied_annual_rate(3000, 2000, 30) is None
    (True, True)
    """
    if received <= 0 or term_days <= 0 or total_due < received:
        return None
    return round((total_due - received) / received * 365 / term_days * 100, 2)


def derive_details(details: CaseDetails) -> tuple[CaseDetails, list[str]]:
    """Fill ``annual_rate`` and ``upfront_deduction`` from the loan amounts when nobody stated them.

    A stated value always wins: this only fills fields that are still unknown. Returns the details
    and a Chinese note for each value computed, so a reader can check the arithmetic.
    """
    update: dict[str, Any] = {}
    notes: list[str] = []
    principal, received = details.loan_principal, details.loan_received
    total, term = details.loan_total_due, details.loan_term_days
    if details.annual_rate is None and received is not None and total is not None and term is not None:
        rate = implied_annual_rate(received, total, term)
        if rate is not None:
            update["annual_rate"] = rate
            notes.append(
                f"年化利率按到手金额推算：（应还{total:g}元 − 到手{received:g}元）÷ {received:g}元 × 365 ÷ "
                f"{term}天 ≈ {rate:g}%（单利）"
            )
    if details.upfront_deduction is None and principal is not None and received is not None:
        if received < principal:
            update["upfront_deduction"] = True
            notes.append(
                f"合同金额{principal:g}元、到手{received:g}元：预扣{principal - received:g}元（砍头息）"
            )
        elif received == principal:
            update["upfront_deduction"] = False
    if not update:
        return details, notes
    return details.model_copy(update=update), notes
