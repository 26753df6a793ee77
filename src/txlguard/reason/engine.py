"""Apply the rule book to case facts: findings with citations, a trace, a verdict and open questions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from txlguard.facts.models import CaseDetails, CaseFacts, EvidenceSpan
from txlguard.law import LawBase, default_law_base
from txlguard.reason import concepts
from txlguard.reason.logic import Evaluation, Evaluator, Truth
from txlguard.reason.models import Finding, Judgement, Question, Remedy, TraceStep
from txlguard.reason.rules import Rule, RuleBook, default_rule_book
from txlguard.taxonomy import FactCode, Verdict

_RELIABILITY_FACTOR = {"primary": 1.0, "secondary": 0.75, "unverified": 0.4}

VERDICT_ZH: dict[str, str] = {
    "unlawful": "违法：已确认的事实足以认定催收行为违法。",
    "likely_unlawful": "很可能违法：已有事实指向违法，仍有关键事实需要补充证明。",
    "lawful": "未发现违法：根据已知事实，催收行为没有违反所列法律规定。",
    "undetermined": "无法判断：关键事实未知，请先回答下面的问题。",
}


class ReasoningError(ValueError):
    """The rule book refers to something the law base does not hold."""


def conduct_window(details: CaseDetails, as_of: date) -> tuple[date, date]:
    """The days the conduct took place on; the law is applied as it stood on those days."""
    start = details.start or details.end or as_of
    end = details.end or details.start or as_of
    return (start, end) if start <= end else (end, start)


class Reasoner:
    """Holds the law base and rule book; ``assess`` is pure and cheap enough for every request."""

    def __init__(self, law: LawBase | None = None, book: RuleBook | None = None) -> None:
        self.law = law or default_law_base()
        self.book = book or default_rule_book()
        self._check_book()

    def _check_book(self) -> None:
        problems: list[str] = []
        for rule in self.book.rules:
            for pid in rule.provisions:
                if not self.law.has(pid):
                    problems.append(f"rule {rule.id}: unknown provision {pid}")
                elif not self.law.provision(pid).citable:
                    problems.append(f"rule {rule.id}: provision {pid} is not citable")
            for code in rule.remedies:
                if code not in self.book.remedies:
                    problems.append(f"rule {rule.id}: unknown remedy {code}")
            for channel in rule.authorities:
                if channel not in self.law.channels:
                    problems.append(f"rule {rule.id}: unknown channel {channel}")
        for code, remedy in self.book.remedies.items():
            problems += [
                f"remedy {code}: unknown provision {p}" for p in remedy.provisions if not self.law.has(p)
            ]
        if problems:
            raise ReasoningError("; ".join(problems))

    # -- pieces ------------------------------------------------------------------------------
    def _derived(self, details: CaseDetails, as_of: date) -> dict[str, Callable[[], tuple[Truth, str]]]:
        return {
            "rate_above_judicial_cap": lambda: concepts.rate_above_judicial_cap(details, self.law, as_of),
            "pi_volume_over_criminal_threshold": lambda: concepts.pi_volume_over_criminal_threshold(
                details, self.law, as_of
            ),
        }

    def _applicable(self, provision_ids: list[str], window: tuple[date, date]) -> list[str]:
        start, end = window
        kept = []
        for pid in provision_ids:
            p = self.law.provision(pid)
            if p.effective_from and p.effective_from > end:
                continue
            if p.repealed_on and p.repealed_on <= start:
                continue
            kept.append(p.id)
        return kept

    def _confidence(self, rule: Rule, provisions: list[str], ev: Evaluation, facts: CaseFacts) -> float:
        reliability = max(
            (_RELIABILITY_FACTOR[self.law.provision(p).reliability] for p in provisions), default=0.0
        )
        fact_conf = min(
            (
                facts.facts[FactCode(a.split(":", 1)[1])].confidence
                for a in ev.supporting
                if a.startswith("fact:") and FactCode(a.split(":", 1)[1]) in facts.facts
            ),
            default=1.0,
        )
        return round(rule.confidence * reliability * fact_conf, 3)

    @staticmethod
    def _strength(confidence: float) -> Literal["strong", "moderate", "weak"]:
        return "strong" if confidence >= 0.75 else "moderate" if confidence >= 0.5 else "weak"

    # -- the whole judgement -----------------------------------------------------------------
    def assess(self, case: CaseFacts, as_of: date | None = None) -> Judgement:
        today = as_of or date.today()
        details = case.details
        window = conduct_window(details, today)
        detail_values: dict[str, Any] = details.model_dump()
        values: dict[str, Truth] = {code.value: case.value(code) for code in FactCode}
        notes_by_fact = {
            code.value: "; ".join(e.quote for e in fact.evidence[:2]) or fact.source
            for code, fact in case.facts.items()
        }
        notes: list[str] = list(case.notes)  # e.g. how a rate was computed from the loan amounts
        derived = self._derived(details, today)

        # derived facts: details may establish a fact nobody asserted; they never erase one.
        for code, condition in self.book.derived_facts.items():
            ev = Evaluator(
                values, detail_values, lambda p: self.law.parameter(p, window[0]), derived
            ).evaluate(condition)
            if ev.value is True and values[code] is not True:
                if values[code] is False:
                    notes.append(
                        f"事实 {code} 原为否，但细节显示为是：{'；'.join(s.because for s in ev.steps if s.value)}"
                    )
                values[code] = True
                notes_by_fact[code] = "；".join(s.because for s in ev.steps if s.value)

        # defeaters: a detail that makes an asserted fact false by definition.
        for code, condition in self.book.defeaters.items():
            ev = Evaluator(
                values, detail_values, lambda p: self.law.parameter(p, window[0]), derived
            ).evaluate(condition)
            if ev.value is True and values[code] is not False:
                values[code] = False
                notes_by_fact[code] = "；".join(s.because for s in ev.steps)
                notes.append(f"事实 {code} 按定义不成立：{notes_by_fact[code]}")

        evaluator = Evaluator(
            values, detail_values, lambda p: self.law.parameter(p, window[0]), derived, notes_by_fact
        )
        findings: list[Finding] = []
        open_keys: dict[str, list[str]] = {}
        for rule in self.book.rules:
            ev = evaluator.evaluate(rule.when)
            for key in ev.unknown:
                open_keys.setdefault(key, []).append(rule.id)
            if ev.value is False or (ev.value is None and not ev.supporting):
                continue
            if rule.regime == "criminal" and ev.value is not True:
                continue
            status = "established" if ev.value is True and rule.max_status == "established" else "possible"
            provisions = self._applicable(rule.provisions, window)
            if not provisions:
                # No finding without a citation: say which law is missing instead of guessing.
                notes.append(
                    f"「{rule.title_zh}」：所依据的规定在行为发生时（{window[0]} 至 {window[1]}）尚未施行，"
                    "应适用当时有效的法律（如《侵权责任法》《民法总则》），法律库尚未收录，因此不作结论。"
                )
                continue
            confidence = self._confidence(rule, provisions, ev, case)
            if status == "possible":
                confidence = round(confidence * (0.6 if ev.value is True else 0.45), 3)
            findings.append(
                Finding(
                    id=f"F{len(findings) + 1}",
                    rule=rule.id,
                    regime=rule.regime,
                    status=status,
                    title_zh=rule.title_zh,
                    summary=rule.summary_zh,
                    provisions=provisions,
                    remedies=[
                        Remedy(
                            code=c,
                            text_zh=self.book.remedies[c].text_zh,
                            provisions=self._applicable(self.book.remedies[c].provisions, window),
                        )
                        for c in rule.remedies
                    ]
                    if rule.kind == "violation"
                    else [],
                    authorities=rule.authorities,
                    confidence=confidence,
                    strength=self._strength(confidence),
                    evidence=self._evidence(case, ev),
                    trace=[TraceStep(atom=f"rule:{rule.id}", value=ev.value, because=rule.kind), *ev.steps],
                    missing=sorted(set(ev.unknown)),
                    notes_zh=list(rule.notes_zh),
                )
            )
        verdict = self._verdict(findings, values)
        violations = [f for f in findings if self._kind(f.rule) == "violation"]
        return Judgement(
            facts=values,
            details={k: v for k, v in details.model_dump(mode="json").items() if v is not None},
            verdict=verdict,
            verdict_zh=VERDICT_ZH[verdict],
            confidence=self._overall_confidence(verdict, violations, values),
            findings=findings,
            questions=self._questions(open_keys),
            law_as_of=sorted({window[0].isoformat(), window[1].isoformat()}),
            notes_zh=notes,
        )

    def _kind(self, rule_id: str) -> str:
        return next(r.kind for r in self.book.rules if r.id == rule_id)

    @staticmethod
    def _evidence(case: CaseFacts, ev: Evaluation) -> list[EvidenceSpan]:
        spans: list[EvidenceSpan] = []
        for atom in ev.supporting:
            if atom.startswith("fact:"):
                fact = case.facts.get(FactCode(atom.split(":", 1)[1]))
                if fact is not None:
                    spans.extend(e for e in fact.evidence if e not in spans)
        return spans

    def _verdict(self, findings: list[Finding], values: dict[str, Truth]) -> Verdict:
        violations = [f for f in findings if self._kind(f.rule) == "violation"]
        if any(f.status == "established" for f in violations):
            return "unlawful"
        if violations:
            return "likely_unlawful"
        if all(values.get(code) is not None for code in self.book.lawful_requires_known):
            return "lawful"
        return "undetermined"

    def _overall_confidence(
        self, verdict: Verdict, violations: list[Finding], values: dict[str, Truth]
    ) -> float:
        if verdict in ("unlawful", "likely_unlawful"):
            wanted = "established" if verdict == "unlawful" else "possible"
            return max(f.confidence for f in violations if f.status == wanted)
        known = sum(values[c] is not None for c in values) / len(values)
        return round(0.5 + 0.5 * known, 3) if verdict == "lawful" else round(0.5 * known, 3)

    def _questions(self, open_keys: dict[str, list[str]]) -> list[Question]:
        questions = []
        for key, rules in sorted(open_keys.items(), key=lambda item: -len(set(item[1]))):
            spec = self.book.fact_questions.get(key) or self.book.detail_questions.get(key)
            if spec is None:
                continue
            questions.append(
                Question(key=key, text_zh=spec.text_zh, why_zh=spec.why_zh, rules=sorted(set(rules)))
            )
        return questions


_DEFAULT: Reasoner | None = None


def assess(case: CaseFacts, as_of: date | None = None) -> Judgement:
    """Judge a case with the packaged law base and rule book."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Reasoner()
    return _DEFAULT.assess(case, as_of)
