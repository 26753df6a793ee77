"""benchmarks/eval_facts.py: the metrics it reports are the ones defined in its docstring."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from txlguard.taxonomy import FactCode

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_facts", ROOT / "benchmarks" / "eval_facts.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_facts"] = module
    spec.loader.exec_module(module)
    return module


ev = _load()


def _write(path: Path, rows: list[tuple[str, dict[str, bool | None]]]) -> Path:
    lines = []
    for i, (text, facts) in enumerate(rows):
        full = {c.value: None for c in FactCode} | facts
        lines.append(json.dumps({"id": f"x{i}", "text": text, "facts": full}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_scores_by_hand(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "a.jsonl",
        [
            ("催收骂我是骗子。", {"insults_or_defamation": True}),  # tp
            (
                "催收威胁要上门找我。",
                {"insults_or_defamation": True, "threats": True},
            ),  # insult fn, threat tp
            ("他们没有骂我。", {"insults_or_defamation": False}),  # correct false
        ],
    )
    report = ev.evaluate(path, use_scanner=False)
    insult = report.facts["insults_or_defamation"]
    assert (insult.tp, insult.fp, insult.fn) == (1, 0, 1)
    assert insult.f1 == pytest.approx(2 / 3)
    assert insult.accuracy == pytest.approx(2 / 3)
    assert report.facts["threats"].f1 == 1.0
    assert report.facts["impersonation"].f1 is None  # undefined: left out of the macro average
    assert report.macro_f1 == pytest.approx((2 / 3 + 1.0) / 2)


def test_main_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path / "g.jsonl", [("催收骂我是骗子。", {"insults_or_defamation": True})])
    assert ev.main([str(good), "--no-scanner", "--min-macro-f1", "0.5"]) == 0
    assert ev.main([str(good), "--no-scanner", "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(out)["macro_f1_true"] == 1.0
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"id": "1", "text": "x", "facts": {"threats": true}}\n', encoding="utf-8")
    assert ev.main([str(bad)]) == 2
    missed = _write(tmp_path / "m.jsonl", [("今天天气很好，我去散步了。", {"threats": True})])
    assert ev.main([str(missed), "--no-scanner", "--min-macro-f1", "0.5"]) == 1


def test_holdout_meets_the_target() -> None:
    report = ev.evaluate(ROOT / "benchmarks" / "data" / "narratives_holdout.jsonl", use_scanner=False)
    assert report.macro_f1 >= 0.85
