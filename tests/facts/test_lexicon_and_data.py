"""The lexicon files load and stay consistent; the labelled narrative files follow the contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from txlguard.facts.lexicon import LexiconError, _expand, default_lexicon
from txlguard.taxonomy import FactCode

ROOT = Path(__file__).resolve().parents[2]
TUNING = ROOT / "tests" / "data" / "narratives_tuning.jsonl"
HOLDOUT = ROOT / "benchmarks" / "data" / "narratives_holdout.jsonl"


def test_every_fact_has_true_patterns_and_ids_are_unique() -> None:
    lex = default_lexicon()
    for code in FactCode:
        patterns = lex.for_fact(code)
        assert any(p.value for p in patterns), code
    ids = [(p.fact, p.id) for p in lex.patterns]
    assert len(ids) == len(set(ids))
    for p in lex.patterns:
        assert 0 < p.confidence <= 1
        assert "{" not in p.regex.pattern.replace("{0,", "").replace("{1,", "") or "}" in p.regex.pattern


def test_unknown_macro_is_an_error() -> None:
    with pytest.raises(LexiconError):
        _expand("{NOPE}", {}, "test")
    assert _expand("a {X} b", {"X": "x"}, "test") == "axb"


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize(("path", "minimum"), [(TUNING, 60), (HOLDOUT, 40)])
def test_labelled_files_follow_the_contract(path: Path, minimum: int) -> None:
    rows = _rows(path)
    assert len(rows) >= minimum
    codes = {c.value for c in FactCode}
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert isinstance(r["text"], str) and 50 <= len(r["text"]) <= 600, r["id"]
        facts = r["facts"]
        assert isinstance(facts, dict) and set(facts) == codes, r["id"]
        assert all(v in (True, False, None) for v in facts.values())
    covered = {c for r in rows for c, v in r["facts"].items() if v is True}
    assert covered == codes  # every fact occurs as true somewhere


def test_holdout_is_distinct_from_tuning() -> None:
    tuning = {r["text"] for r in _rows(TUNING)}
    holdout = {r["text"] for r in _rows(HOLDOUT)}
    assert not tuning & holdout
    assert not {r["id"] for r in _rows(TUNING)} & {r["id"] for r in _rows(HOLDOUT)}


def test_files_include_lawful_cases_and_traditional_characters() -> None:
    for path in (TUNING, HOLDOUT):
        rows = _rows(path)
        lawful = [r for r in rows if not any(r["facts"].values())]
        assert lawful, path
        assert any(any(ch in str(r["text"]) for ch in "們說錢讓還") for r in rows), path
