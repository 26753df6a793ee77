"""A borrower's own account (complaint, forum post, interview answers) → TAXONOMY §3 case facts.

How it reads a narrative:

1. ``segment.build_view``: normalise (traditional → simplified, full-width → half-width, evasions),
   drop quote marks, spaces and control characters, split into sentences and clauses.
2. Every pattern of ``data/lexicon.yaml`` runs over that text. Each match is judged in its context:
   a question (…吗？), a threat / condition / promise (要、会、如果、否则), the writer's own doubt
   (不确定、不记得) or a negation (没有、从未) right before it. An affirmed match counts as its
   value, a negated one as the opposite, a doubted one as unknown; questions and threats drop out.
   In 问/答 interviews the answer decides the question's match.
3. If the message recognizers (``txlguard.detect``) are installed, each sentence is also scanned;
   direct and reported threats, insults and impersonation count as evidence.
4. Details (rate, 砍头息, contacts reached, lender, licence, dates) come from ``data/details.yaml``;
   some establish facts (a rate above 24 % a year, 砍头息 or an unlicensed lender → illegal_debt).
5. Per fact: any affirmed true match makes it true (false evidence alongside lowers the confidence
   and is kept), otherwise any false match makes it false, otherwise it stays unknown (None).

Evidence spans are whole sentences of the ORIGINAL narrative (``quote == narrative[start:end]``).
"""

from __future__ import annotations

import importlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from txlguard.facts.details import extract_details
from txlguard.facts.lexicon import Lexicon, Pattern, default_lexicon
from txlguard.facts.models import CaseDetails, CaseFacts, EvidenceSpan, Fact
from txlguard.facts.numbers import parse_count
from txlguard.facts.segment import MAX_CONTEXT, View, build_view
from txlguard.taxonomy import FactCode

Status = Literal["affirmed", "negated", "uncertain", "answered", "derived", "scanner"]

_SCAN_LABEL_FACT: dict[str, FactCode] = {
    "threat_to_contacts": FactCode.THREATS,
    "threat_of_exposure": FactCode.THREATS,
    "threat_of_violence": FactCode.THREATS,
    "insult": FactCode.INSULTS_OR_DEFAMATION,
    "impersonation": FactCode.IMPERSONATION,
}
_SCAN_VOICES = frozenset({"direct", "reported"})
#: The recognizers see at most this many characters of one narrative (they are built for messages).
SCAN_CHAR_LIMIT = 200_000
_REALISED = re.compile(r"[了过]")
_STATUS_ZH = {
    "affirmed": "肯定",
    "negated": "否定",
    "uncertain": "不确定",
    "answered": "问答",
    "derived": "推断",
    "scanner": "识别器",
}


@dataclass(frozen=True, slots=True)
class Hit:
    """One piece of evidence for one fact."""

    fact: FactCode
    value: bool | None
    confidence: float
    sentence: int
    pattern: str
    status: Status
    quote: str


# -- context checks ---------------------------------------------------------------------------
def _is_question(view: View, lex: Lexicon, start: int, sent: int) -> bool:
    c_start, c_end = view.clause_bounds(start, sent)
    if lex.cues.question_clause.search(view.text, c_start, c_end):
        return True
    _, s_end = view.sentences[sent]
    if s_end - c_end > MAX_CONTEXT:
        return False
    tail = view.text[c_end:s_end].strip("\n")
    return (bool(tail) and tail[0] in "?？") or (not tail and c_end > 0 and view.text[c_end - 1] in "?？")


def _last_cue_end(regex: re.Pattern[str], text: str, lo: int, hi: int) -> int:
    """End of the last match of ``regex`` that starts in [lo, hi); -1 if none.

    Searches the whole text from ``lo`` (not a slice) so that look-aheads see what follows.
    """
    end = -1
    for m in regex.finditer(text, lo, min(len(text), hi + 8)):
        if m.start() >= hi:
            break
        end = m.end()
    return end


def _is_irrealis(view: View, lex: Lexicon, start: int, end: int, sent: int) -> bool:
    """A threat, condition, promise or fear: a cue in this clause, or a condition in the one before."""
    c_start, _ = view.clause_bounds(start, sent)
    p_start = view.previous_clause_start(c_start, sent)
    cue_end = -1
    if p_start < c_start:
        cue_end = _last_cue_end(lex.cues.irrealis_condition, view.text, p_start, c_start)
    cue_end = max(cue_end, _last_cue_end(lex.cues.irrealis, view.text, c_start, start))
    if cue_end < 0:
        return False
    if lex.cues.realis.search(view.text, cue_end, start):
        return False
    return not (_REALISED.search(view.text, start + 1, end) or _REALISED.match(view.text[end : end + 2]))


_REPORTED = re.compile(r"说(?:我|他|她|是|孩子)")


def _is_uncertain(view: View, lex: Lexicon, start: int, end: int, sent: int) -> bool:
    c_start, _ = view.clause_bounds(start, sent)
    _, c_end = view.clause_bounds(max(start, end - 1), sent)
    return bool(lex.cues.uncertainty.search(view.text, c_start, c_end))


def _is_negated(view: View, lex: Lexicon, start: int, sent: int) -> bool:
    cues = lex.cues
    c_start, _ = view.clause_bounds(start, sent)
    window_start = max(c_start, start - cues.negation_window)
    window = view.text[window_start:start]
    for m in reversed(list(cues.negation.finditer(window))):
        gap = window[m.end() :]
        if m.group(0) in cues.adjacent_only and gap:
            continue
        if gap and cues.negation_breakers.search(gap):
            continue
        return True
    return False


def _classify(
    view: View, lex: Lexicon, pattern: Pattern, start: int, end: int, sent: int, answer: bool | None
) -> tuple[Status, bool | None] | None:
    """The status and value of one match, or None when the match says nothing (question, threat…)."""
    guards = pattern.guards
    if answer is not None:  # a 问 answered by 答
        if not pattern.value:  # negative cues inside a question are artefacts of 有没有/是否
            return None
        if answer:
            return "answered", pattern.value
        return ("answered", not pattern.value) if pattern.negated == "flip" else None
    if "question" in guards and _is_question(view, lex, start, sent):
        return None
    if "irrealis" in guards and _is_irrealis(view, lex, start, end, sent):
        return None
    if "unrealised" in guards and (
        _REALISED.search(view.text, start + 2, end) or _REALISED.match(view.text[end : end + 1])
    ):
        return None
    if "voice" in guards and "你" in view.text[start:end]:
        return None
    if "reported" in guards:
        c_start, _ = view.clause_bounds(start, sent)
        if _REPORTED.search(view.text, c_start, start):
            return None
    if "uncertainty" in guards and _is_uncertain(view, lex, start, end, sent):
        return "uncertain", None
    if "negation" in guards and _is_negated(view, lex, start, sent):
        return ("negated", not pattern.value) if pattern.negated == "flip" else None
    return "affirmed", pattern.value


def _answers(view: View, lex: Lexicon) -> dict[int, bool]:
    """Interview layout: for each 问 sentence followed by a 答 sentence, whether the answer is yes."""
    out: dict[int, bool] = {}
    for i in range(len(view.sentences) - 1):
        q_start, q_end = view.sentences[i]
        question = view.text[q_start:q_end].strip("\n")
        if not question.startswith("问"):
            continue
        a_start, a_end = view.sentences[i + 1]
        answer = view.text[a_start:a_end].strip("\n")
        if lex.cues.answer_no.search(answer):
            out[i] = False
        elif lex.cues.answer_yes.search(answer):
            out[i] = True
    return out


# -- the pass over the text -------------------------------------------------------------------
def _apply_defeats(hits: list[Hit], defeats: list[tuple[FactCode, int]]) -> list[Hit]:
    """Drop true hits that a stronger, nearby statement contradicts (拒绝了也能借 → not forced)."""
    if not defeats:
        return hits
    beaten = {(f, s + d) for f, s in defeats for d in (-1, 0, 1)}
    return [h for h in hits if not (h.value is True and (h.fact, h.sentence) in beaten)]


def _match_hits(view: View, lex: Lexicon) -> tuple[list[Hit], dict[str, tuple[Any, int]]]:
    third_party = bool(lex.cues.third_party_writer.search(view.text))
    answers = _answers(view, lex)
    hits: list[Hit] = []
    affirmed: dict[FactCode, set[int]] = defaultdict(set)
    detail_sets: dict[str, tuple[Any, int]] = {}
    defeats: list[tuple[FactCode, int]] = []
    for pattern in lex.patterns:
        if pattern.third_party and not third_party:
            continue
        for m in pattern.regex.finditer(view.text):
            start, end = m.start(), m.end()
            if end <= start:
                continue
            sent = view.sentence_of(start)
            if pattern.context is not None and not (
                third_party or sent in affirmed[pattern.context] or sent - 1 in affirmed[pattern.context]
            ):
                continue
            judged = _classify(view, lex, pattern, start, end, sent, answers.get(sent))
            if judged is None:
                continue
            status, value = judged
            if pattern.count_min is not None or pattern.count_max_false is not None:
                n = parse_count(m.group("n"))
                if n is None or value is None:
                    continue
                if value and pattern.count_min is not None and n >= pattern.count_min:
                    value = True
                elif pattern.count_max_false is not None and n <= pattern.count_max_false:
                    value = False
                else:
                    continue
            hit = Hit(pattern.fact, value, pattern.confidence, sent, pattern.id, status, m.group(0))
            hits.append(hit)
            if value is True:
                affirmed[pattern.fact].add(sent)
            if value is not None and value == pattern.value:
                defeats += [(code, sent) for code in pattern.defeats]
                for code, implied in pattern.implies:
                    hits.append(
                        Hit(
                            code,
                            implied,
                            round(0.8 * pattern.confidence, 3),
                            sent,
                            pattern.id,
                            "derived",
                            m.group(0),
                        )
                    )
                    if implied is True:
                        affirmed[code].add(sent)
                for key, detail in pattern.details:
                    detail_sets.setdefault(key, (detail, sent))
            elif value is not None and pattern.details:
                for key, detail in pattern.details:
                    if isinstance(detail, bool):
                        detail_sets.setdefault(key, (not detail, sent))
    return _apply_defeats(hits, defeats), detail_sets


def _in_speech(view: View, lex: Lexicon, start: int, end: int, sent: int) -> bool:
    """The span is part of what the collector said or wrote (not an event the writer narrates)."""
    s_start, _ = view.sentences[sent]
    if not lex.cues.speech.search(view.text, max(s_start, start - MAX_CONTEXT), start):
        return False
    return not (_REALISED.search(view.text, start + 1, end) or _REALISED.match(view.text[end : end + 2]))


def _scanner() -> Any:
    """The message recognizers, if that package is installed and ready; else None."""
    try:
        module = importlib.import_module("txlguard.detect")
        return module.default_scanner()
    except Exception:  # not written yet, or broken: narratives still work on the lexicon alone
        return None


def _scanner_hits(view: View, lex: Lexicon) -> list[Hit]:
    scanner = _scanner()
    if scanner is None:
        return []
    try:
        from txlguard.detect.models import MessageInput
    except Exception:
        return []
    inputs: list[MessageInput] = []
    budget = SCAN_CHAR_LIMIT
    for i, (start, end) in enumerate(view.sentences):
        text = view.text[start:end].strip("\n")
        if not text:
            continue
        budget -= len(text)
        if budget < 0:
            break
        inputs.append(MessageInput(id=str(i), text=text, recipient="unknown"))
    if not inputs:
        return []
    try:
        results = list(scanner.scan_batch(inputs))
    except Exception:
        return []
    hits: list[Hit] = []
    for result in results:
        sent = int(result.id)
        s_start, _ = view.sentences[sent]
        seen: set[tuple[str, int, int]] = set()
        for det in [*result.detections, *getattr(result, "reported", [])]:
            code = _SCAN_LABEL_FACT.get(det.label)
            if code is None or det.voice not in _SCAN_VOICES or (det.label, det.start, det.end) in seen:
                continue
            seen.add((det.label, det.start, det.end))
            start = s_start + max(0, int(det.start))
            end = max(start + 1, s_start + int(det.end))
            if not _in_speech(view, lex, start, end, sent):
                continue
            if _is_question(view, lex, start, sent) or _is_uncertain(view, lex, start, end, sent):
                continue
            conf = round(0.9 * float(det.confidence), 3)
            hits.append(Hit(code, True, conf, sent, f"detect:{det.label}:{det.voice}", "scanner", det.quote))
    return hits


# -- facts from details and from each other -----------------------------------------------------
def _derived_hits(details: CaseDetails, detail_sentences: dict[str, int], lex: Lexicon) -> list[Hit]:
    rules = lex.details
    out: list[Hit] = []
    rate = details.annual_rate
    if rate is not None and rate > rules.illegal_rate_above:
        conf = 0.9 if rate > rules.clearly_illegal_rate_above else 0.75
        out.append(
            Hit(
                FactCode.ILLEGAL_DEBT,
                True,
                conf,
                detail_sentences["annual_rate"],
                "annual_rate",
                "derived",
                f"年化{rate:g}%",
            )
        )
    if details.upfront_deduction is True:
        out.append(
            Hit(
                FactCode.ILLEGAL_DEBT,
                True,
                0.85,
                detail_sentences.get("upfront_deduction", 0),
                "upfront_deduction",
                "derived",
                "砍头息",
            )
        )
    if details.lender_licensed is False:
        out.append(
            Hit(
                FactCode.ILLEGAL_DEBT,
                True,
                0.8,
                detail_sentences.get("lender_licensed", 0),
                "lender_unlicensed",
                "derived",
                "无资质",
            )
        )
    lawful_terms = details.lender_licensed is True or details.upfront_deduction is False
    if rate is not None and rate <= rules.illegal_rate_above and lawful_terms:
        out.append(
            Hit(
                FactCode.ILLEGAL_DEBT,
                False,
                0.65,
                detail_sentences["annual_rate"],
                "rate_within_cap",
                "derived",
                f"年化{rate:g}%",
            )
        )
    return out


def _value(hits: Sequence[Hit]) -> bool | None:
    if any(h.value is True for h in hits):
        return True
    if any(h.value is False for h in hits):
        return False
    return None


def _noisy_or(confidences: Iterable[float]) -> float:
    miss = 1.0
    for c in confidences:
        miss *= 1.0 - c
    return round(min(0.97, 1.0 - miss), 3)


def _cross_fact(by_fact: dict[FactCode, list[Hit]]) -> None:
    """Rules between facts that a single pattern cannot see."""
    contacted = by_fact[FactCode.CONTACTS_CONTACTED]
    disclosed = by_fact[FactCode.DEBT_DISCLOSED_TO_CONTACTS]
    if _value(contacted) is False and _value(disclosed) is None:
        first = next(h for h in contacted if h.value is False)
        conf = round(0.9 * _noisy_or(h.confidence for h in contacted if h.value is False), 3)
        disclosed.append(
            Hit(
                FactCode.DEBT_DISCLOSED_TO_CONTACTS,
                False,
                conf,
                first.sentence,
                "nobody_contacted",
                "derived",
                first.quote,
            )
        )


def _fact(code: FactCode, hits: list[Hit], view: View) -> Fact:
    value = _value(hits)
    notes: list[str] = []
    if value is None:
        confidence = 0.0
        winners = [h for h in hits if h.value is None]
        if winners:
            notes.append("叙述中对此不确定：" + "；".join(dict.fromkeys(h.quote for h in winners)))
        losers: list[Hit] = []
    else:
        winners = [h for h in hits if h.value is value]
        losers = [h for h in hits if h.value is (not value)]
        confidence = _noisy_or(h.confidence for h in winners)
        if losers:
            confidence = round(max(0.3, confidence * 0.75), 3)
            notes.append(
                "叙述中也有相反的说法（已保留为证据）：" + "；".join(dict.fromkeys(h.quote for h in losers))
            )
        derived = dict.fromkeys(h.pattern for h in winners if h.status == "derived")
        notes += [f"由{name}推断" for name in list(derived)[:3]]
    evidence: list[EvidenceSpan] = []
    seen: set[tuple[int, bool | None]] = set()
    for hit in [*winners, *losers]:
        key = (hit.sentence, hit.value)
        if key in seen:
            continue
        seen.add(key)
        start, end = view.sentence_span_original(hit.sentence)
        value_zh = {True: "是", False: "否", None: "未知"}[hit.value]
        evidence.append(
            EvidenceSpan(
                source="narrative",
                start=start,
                end=end,
                quote=view.original[start:end],
                note=f"{value_zh}｜{_STATUS_ZH[hit.status]}｜{hit.pattern}：{hit.quote}",
            )
        )
        if len(evidence) >= 8:
            break
    return Fact(
        code=code, value=value, source="narrative", confidence=confidence, evidence=evidence, notes=notes
    )


def extract_facts(narrative: str, *, use_scanner: bool = True) -> CaseFacts:
    """The ten TAXONOMY §3 facts (True / False / None) and the CaseDetails a narrative states.

    ``use_scanner=False`` skips the message recognizers (the lexicon alone decides).
    """
    lex = default_lexicon()
    view = build_view(narrative)
    if not view.text.strip():
        return CaseFacts(
            facts={c: Fact(code=c, value=None, source="narrative", confidence=0.0) for c in FactCode},
            details=CaseDetails(),
            notes=["叙述为空"],
        )
    hits, pattern_details = _match_hits(view, lex)
    if use_scanner:
        hits += _scanner_hits(view, lex)
    found = extract_details(view, lex.details)
    values = dict(found.values)
    sentences = dict(found.sentences)
    for key, (value, sent) in pattern_details.items():
        if key not in values:
            values[key] = value
            sentences[key] = sent
    details = CaseDetails.model_validate(values)
    hits += _derived_hits(details, sentences, lex)
    by_fact: dict[FactCode, list[Hit]] = {code: [] for code in FactCode}
    for hit in hits:
        by_fact[hit.fact].append(hit)
    _cross_fact(by_fact)
    facts = {code: _fact(code, by_fact[code], view) for code in FactCode}
    return CaseFacts(facts=facts, details=details, notes=list(found.notes))


def facts_as_values(case: CaseFacts) -> dict[str, bool | None]:
    """``{code: True | False | None}`` for all ten facts (the `assess --facts` shape)."""
    return {code.value: case.value(code) for code in FactCode}


__all__ = ["SCAN_CHAR_LIMIT", "Hit", "extract_facts", "facts_as_values"]
