"""Three-valued (Kleene) evaluation of rule conditions written as data.

A condition is one of:
  "fact_code"                          the fact is true
  {"not": C}  {"all": [C, ...]}  {"any": [C, ...]}
  {"detail": name, "is": value}        a structured detail equals a value
  {"detail": name, ">=": N | "param-id"}  (also ">", "<", "<=") against a number or a law-base parameter
  {"derived": name}                    a named legal concept computed in ``concepts.py``
Unknown (None) propagates: all() is False if any part is False, None if any part is None, else True.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from txlguard.reason.models import TraceStep

Truth = bool | None

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


def all3(values: Iterable[Truth]) -> Truth:
    seen_unknown = False
    for value in values:
        if value is False:
            return False
        if value is None:
            seen_unknown = True
    return None if seen_unknown else True


def any3(values: Iterable[Truth]) -> Truth:
    seen_unknown = False
    for value in values:
        if value is True:
            return True
        if value is None:
            seen_unknown = True
    return None if seen_unknown else False


def not3(value: Truth) -> Truth:
    return None if value is None else not value


@dataclass
class Evaluation:
    """The value of a condition plus every atom it looked at (for the trace and the questions)."""

    value: Truth
    steps: list[TraceStep] = field(default_factory=list)
    supporting: list[str] = field(default_factory=list)  # atoms true in the direction that supports the rule
    unknown: list[str] = field(default_factory=list)


class ConditionError(ValueError):
    """A rule's condition is malformed."""


class Evaluator:
    """Evaluates conditions against facts, details, parameters and derived concepts."""

    def __init__(
        self,
        facts: Mapping[str, Truth],
        details: Mapping[str, Any],
        parameter: Callable[[str], Any],
        derived: Mapping[str, Callable[[], tuple[Truth, str]]],
        fact_notes: Mapping[str, str] | None = None,
    ) -> None:
        self.facts = facts
        self.details = details
        self.parameter = parameter
        self.derived = derived
        self.fact_notes = fact_notes or {}

    def evaluate(self, condition: Any) -> Evaluation:
        result = Evaluation(value=None)
        result.value = self._eval(condition, result, positive=True)
        return result

    def _record(
        self, result: Evaluation, atom: str, key: str, value: Truth, because: str, positive: bool
    ) -> None:
        result.steps.append(TraceStep(atom=atom, value=value, because=because))
        if value is None:
            result.unknown.append(key)
        elif value is positive:
            result.supporting.append(atom)

    def _eval(self, cond: Any, result: Evaluation, positive: bool) -> Truth:
        if isinstance(cond, str):
            if cond not in self.facts:
                raise ConditionError(f"unknown fact code {cond!r}")
            value = self.facts[cond]
            self._record(result, f"fact:{cond}", cond, value, self.fact_notes.get(cond, ""), positive)
            return value
        if not isinstance(cond, Mapping) or len(cond) == 0:
            raise ConditionError(f"malformed condition {cond!r}")
        if "all" in cond:
            return all3([self._eval(c, result, positive) for c in cond["all"]])
        if "any" in cond:
            return any3([self._eval(c, result, positive) for c in cond["any"]])
        if "not" in cond:
            return not3(self._eval(cond["not"], result, not positive))
        if "derived" in cond:
            name = cond["derived"]
            if name not in self.derived:
                raise ConditionError(f"unknown derived concept {name!r}")
            value, because = self.derived[name]()
            self._record(result, f"derived:{name}", name, value, because, positive)
            return value
        if "detail" in cond:
            return self._detail(cond, result, positive)
        raise ConditionError(f"malformed condition {cond!r}")

    def _detail(self, cond: Mapping[str, Any], result: Evaluation, positive: bool) -> Truth:
        name = cond["detail"]
        actual = self.details.get(name)
        if "is" in cond:
            expected = cond["is"]
            value: Truth = None if actual is None else actual == expected
            self._record(result, f"detail:{name}={expected}", name, value, f"{name}={actual}", positive)
            return value
        ops = [op for op in _COMPARE if op in cond]
        if len(ops) != 1:
            raise ConditionError(f"detail condition needs one of is/>=/>/<=/<: {cond!r}")
        op = ops[0]
        bound = cond[op]
        atom = f"detail:{name}{op}{bound}"
        if actual is None:
            self._record(result, atom, name, None, f"{name} 未知", positive)
            return None
        try:
            limit = self.parameter(bound) if isinstance(bound, str) else bound
        except KeyError:
            # the numeric rule did not exist on the day of the conduct: the condition cannot hold
            self._record(result, atom, name, False, f"{bound} 在行为发生时尚无规定", positive)
            return False
        value = bool(_COMPARE[op](actual, limit))
        self._record(result, atom, name, value, f"{name}={actual}, {bound}={limit}", positive)
        return value
