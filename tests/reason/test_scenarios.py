"""Scenario tests a lawyer can read: a situation in YAML, the expected verdict and citations."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from txlguard.facts.structured import parse_fact_object
from txlguard.reason import assess

SCENARIO_DIR = Path(__file__).parent / "scenarios"


def _load() -> list[tuple[str, dict[str, Any]]]:
    items = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        for scenario in yaml.safe_load(path.read_text(encoding="utf-8")):
            items.append((f"{path.stem}:{scenario['name']}", scenario))
    return items


SCENARIOS = _load()


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 25
    verdicts = {s["expect"]["verdict"] for _, s in SCENARIOS}
    assert verdicts == {"unlawful", "likely_unlawful", "lawful", "undetermined"}


@pytest.mark.parametrize(("name", "scenario"), SCENARIOS, ids=[n for n, _ in SCENARIOS])
def test_scenario(name: str, scenario: dict[str, Any]) -> None:
    case = parse_fact_object({"facts": scenario.get("facts", {}), "details": scenario.get("details", {})})
    as_of = scenario.get("as_of")
    judgement = assess(case, as_of=date.fromisoformat(str(as_of)) if as_of else None)
    expect = scenario["expect"]
    assert judgement.verdict == expect["verdict"], judgement.verdict_zh

    cited = {p for f in judgement.findings for p in f.provisions}
    established = {f.rule for f in judgement.findings if f.status == "established"}
    possible = {f.rule for f in judgement.findings if f.status == "possible"}
    for pid in expect.get("cites", []):
        assert pid in cited, f"{pid} not cited; cited: {sorted(cited)}"
    for pid in expect.get("not_cites", []):
        assert pid not in cited, f"{pid} should not be cited"
    for rule in expect.get("established", []):
        assert rule in established, f"{rule} not established; established: {sorted(established)}"
    for rule in expect.get("possible", []):
        assert rule in possible, f"{rule} not possible; possible: {sorted(possible)}"
    for rule in expect.get("absent", []):
        assert rule not in established | possible, f"{rule} should not be a finding"
    asked = {q.key for q in judgement.questions}
    for key in expect.get("asks", []):
        assert key in asked, f"no question about {key}; asked: {sorted(asked)}"
    regimes = {f.regime for f in judgement.findings if f.status == "established"}
    for regime in expect.get("regimes", []):
        assert regime in regimes
    if "no_criminal" in expect:
        assert not any(f.regime == "criminal" for f in judgement.findings)
    # every finding carries citations and a trace
    for finding in judgement.findings:
        assert finding.provisions and finding.trace
