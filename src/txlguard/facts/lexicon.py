"""Load the narrative lexicons (``data/lexicon.yaml``, ``data/details.yaml``) into compiled patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from txlguard.taxonomy import FactCode

#: Default guards; ``voice`` drops a match that speaks to the borrower (你…): a collector's words
#: quoted in the narrative are threats or claims, not events the writer reports.
ALL_GUARDS: frozenset[str] = frozenset({"question", "irrealis", "uncertainty", "negation", "voice"})
#: ``unrealised`` drops a threat pattern whose verb has 了/过 (it happened: not a threat);
#: ``reported`` drops a match the collector said about the borrower (说我…).
_GUARD_NAMES: frozenset[str] = ALL_GUARDS | {"unrealised", "reported"}
_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


class LexiconError(ValueError):
    """A lexicon file is malformed (unknown fact, bad regex, unknown guard…)."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One cue for one fact."""

    id: str
    fact: FactCode
    regex: re.Pattern[str]
    value: bool
    confidence: float
    guards: frozenset[str]
    negated: Literal["flip", "drop"] = "flip"
    context: FactCode | None = None
    third_party: bool = False
    implies: tuple[tuple[FactCode, bool], ...] = ()
    defeats: tuple[FactCode, ...] = ()
    details: tuple[tuple[str, Any], ...] = ()
    count_min: int | None = None
    count_max_false: int | None = None


@dataclass(frozen=True, slots=True)
class Cues:
    """Context cues shared by all patterns."""

    irrealis: re.Pattern[str]
    irrealis_condition: re.Pattern[str]
    realis: re.Pattern[str]
    uncertainty: re.Pattern[str]
    negation: re.Pattern[str]
    negation_window: int
    negation_breakers: re.Pattern[str]
    adjacent_only: frozenset[str]
    question_clause: re.Pattern[str]
    speech: re.Pattern[str]
    third_party_writer: re.Pattern[str]
    answer_yes: re.Pattern[str]
    answer_no: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class RateRule:
    id: str
    regex: re.Pattern[str]
    per: Literal["year", "month", "day"]
    unit: Literal["percent", "fen", "li", "permille", "permyriad"]


@dataclass(frozen=True, slots=True)
class DetailRules:
    """Patterns for CaseDetails (``data/details.yaml``)."""

    rates: tuple[RateRule, ...]
    illegal_rate_above: float
    clearly_illegal_rate_above: float
    principal_received: tuple[re.Pattern[str], ...]
    contacts_count: re.Pattern[str]
    contacts_count_context: re.Pattern[str]
    date: re.Pattern[str]
    date_range_joiner: re.Pattern[str]
    date_start_after: re.Pattern[str]
    date_loan_after: re.Pattern[str]
    date_collection_words: re.Pattern[str]
    lender_name: tuple[re.Pattern[str], ...]
    lender_name_reject: re.Pattern[str]
    lender_name_needs: re.Pattern[str]
    licensed_true: re.Pattern[str]
    licensed_false: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Lexicon:
    patterns: tuple[Pattern, ...]
    cues: Cues
    details: DetailRules
    macros: dict[str, str] = field(default_factory=dict)

    def for_fact(self, code: FactCode) -> list[Pattern]:
        return [p for p in self.patterns if p.fact is code]


def _squeeze(text: str) -> str:
    """Drop the layout whitespace of folded YAML scalars (the matched text has no spaces)."""
    return re.sub(r"\s+", "", text)


def _expand(text: str, macros: dict[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise LexiconError(f"{where}: unknown macro {{{name}}}")
        return macros[name]

    return _MACRO.sub(sub, _squeeze(text))


def _compile(text: str, macros: dict[str, str], where: str) -> re.Pattern[str]:
    source = _expand(text, macros, where)
    try:
        return re.compile(source)
    except re.error as exc:
        raise LexiconError(f"{where}: bad regular expression: {exc}") from exc


def _read(name: str) -> dict[str, Any]:
    raw = resources.files("txlguard.facts").joinpath("data", name).read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    if not isinstance(data, dict):
        raise LexiconError(f"{name}: top level must be a mapping")
    return data


def _fact(name: str, where: str) -> FactCode:
    try:
        return FactCode(name)
    except ValueError as exc:
        raise LexiconError(f"{where}: {name!r} is not a TAXONOMY §3 fact code") from exc


def _pattern(code: FactCode, spec: dict[str, Any], macros: dict[str, str]) -> Pattern:
    pid = str(spec.get("id", ""))
    where = f"lexicon.yaml {code.value}/{pid or '?'}"
    if not pid or "re" not in spec or not isinstance(spec.get("value"), bool):
        raise LexiconError(f"{where}: every pattern needs id, re and a boolean value")
    guards = spec.get("guards")
    guard_set = frozenset(ALL_GUARDS if guards is None else (str(g) for g in guards))
    if not guard_set <= _GUARD_NAMES:
        raise LexiconError(f"{where}: unknown guard(s) {sorted(guard_set - _GUARD_NAMES)}")
    negated = spec.get("negated", "flip")
    if negated not in ("flip", "drop"):
        raise LexiconError(f"{where}: negated must be flip or drop")
    context = spec.get("context")
    implies = tuple((_fact(str(k), where), bool(v)) for k, v in (spec.get("implies") or {}).items())
    details = tuple((str(k), v) for k, v in (spec.get("details") or {}).items() if v is not None)
    confidence = float(spec.get("confidence", 0.8))
    if not 0.0 < confidence <= 1.0:
        raise LexiconError(f"{where}: confidence must be in (0, 1]")
    return Pattern(
        id=pid,
        fact=code,
        regex=_compile(str(spec["re"]), macros, where),
        value=spec["value"],
        confidence=confidence,
        guards=guard_set,
        negated=negated,
        context=_fact(str(context), where) if context else None,
        third_party=bool(spec.get("third_party", False)),
        implies=implies,
        defeats=tuple(_fact(str(f), where) for f in (spec.get("defeats") or [])),
        details=details,
        count_min=spec.get("count_min"),
        count_max_false=spec.get("count_max_false"),
    )


def _macros(raw: dict[str, Any]) -> dict[str, str]:
    macros: dict[str, str] = {}
    for name, value in (raw.get("macros") or {}).items():
        macros[str(name)] = _expand(str(value), macros, f"macro {name}")
    return macros


def _details(raw: dict[str, Any], macros: dict[str, str]) -> DetailRules:
    def c(key: str, text: str | None = None) -> re.Pattern[str]:
        return _compile(str(raw[key] if text is None else text), macros, f"details.yaml {key}")

    amount = _squeeze(str(raw["amount"]))
    local = {
        **macros,
        "AMOUNT": amount,
        "AMOUNT2": amount.replace("?P<a>", "?P<r>"),
    }
    rates = tuple(
        RateRule(
            id=str(r["id"]),
            regex=_compile(str(r["re"]), macros, f"details.yaml rates/{r['id']}"),
            per=r["per"],
            unit=r["unit"],
        )
        for r in raw["rates"]
    )
    return DetailRules(
        rates=rates,
        illegal_rate_above=float(raw["illegal_rate_above"]),
        clearly_illegal_rate_above=float(raw["clearly_illegal_rate_above"]),
        principal_received=tuple(
            _compile(str(p["re"]), local, f"details.yaml principal_received/{p['id']}")
            for p in raw["principal_received"]
        ),
        contacts_count=c("contacts_count"),
        contacts_count_context=c("contacts_count_context"),
        date=c("date"),
        date_range_joiner=c("date_range_joiner"),
        date_start_after=c("date_start_after"),
        date_loan_after=c("date_loan_after"),
        date_collection_words=c("date_collection_words"),
        lender_name=tuple(
            _compile(str(p["re"]), macros, f"details.yaml lender_name/{p['id']}") for p in raw["lender_name"]
        ),
        lender_name_reject=c("lender_name_reject"),
        lender_name_needs=c("lender_name_needs"),
        licensed_true=c("licensed_true"),
        licensed_false=c("licensed_false"),
    )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The packaged lexicons, compiled once."""
    raw = _read("lexicon.yaml")
    macros = _macros(raw)
    cues_raw = raw["cues"]

    def cue(key: str) -> re.Pattern[str]:
        return _compile(str(cues_raw[key]), macros, f"lexicon.yaml cues/{key}")

    cues = Cues(
        irrealis=cue("irrealis"),
        irrealis_condition=cue("irrealis_condition"),
        realis=cue("realis"),
        uncertainty=cue("uncertainty"),
        negation=cue("negation"),
        negation_window=int(cues_raw["negation_window"]),
        negation_breakers=cue("negation_breakers"),
        adjacent_only=frozenset(str(x) for x in cues_raw["adjacent_only"]),
        question_clause=cue("question_clause"),
        speech=cue("speech"),
        third_party_writer=cue("third_party_writer"),
        answer_yes=cue("answer_yes"),
        answer_no=cue("answer_no"),
    )
    patterns: list[Pattern] = []
    seen: set[tuple[str, str]] = set()
    for name, specs in (raw.get("facts") or {}).items():
        code = _fact(str(name), "lexicon.yaml facts")
        for spec in specs:
            pattern = _pattern(code, spec, macros)
            if (code.value, pattern.id) in seen:
                raise LexiconError(f"lexicon.yaml {code.value}/{pattern.id}: duplicate id")
            seen.add((code.value, pattern.id))
            patterns.append(pattern)
    details_raw = _read("details.yaml")
    return Lexicon(patterns=tuple(patterns), cues=cues, details=_details(details_raw, macros), macros=macros)
