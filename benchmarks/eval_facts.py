"""Evaluate narrative fact extraction (``txlguard.facts.extract_facts``) on labelled narratives.

Each input line: ``{"id", "text", "facts": {code: true|false|null for all ten}, "details"?: {...}}``.

Every fact is a 3-class label (true / false / unknown). Reported per fact: precision, recall and
F1 of the *true* class (the class the reasoning step acts on) and 3-class accuracy; then the
macro-F1 over facts (true class; a fact with no true label and no true prediction in a file is
left out of the macro average and shown as n/a) and, for details stated in the labels, how many
were extracted exactly (numbers within 0.5, dates and names equal).

    python benchmarks/eval_facts.py                      # tuning + holdout files
    python benchmarks/eval_facts.py FILE... --no-scanner --errors
    python benchmarks/eval_facts.py benchmarks/data/narratives_holdout.jsonl --min-macro-f1 0.85

Exit code 1 if ``--min-macro-f1`` is given and a file scores below it; 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from txlguard.facts import extract_facts
from txlguard.taxonomy import FactCode

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = [
    ROOT / "tests" / "data" / "narratives_tuning.jsonl",
    ROOT / "benchmarks" / "data" / "narratives_holdout.jsonl",
]
CODES = [c.value for c in FactCode]
_SYMBOL = {True: "T", False: "F", None: "-"}


@dataclass
class FactScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    correct: int = 0
    total: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        if self.tp + self.fp + self.fn == 0:
            return None  # no true label and no true prediction: undefined
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def add(self, gold: bool | None, pred: bool | None) -> None:
        self.total += 1
        self.correct += gold is pred
        if pred is True and gold is True:
            self.tp += 1
        elif pred is True:
            self.fp += 1
        elif gold is True:
            self.fn += 1


@dataclass
class Report:
    path: str
    n: int = 0
    facts: dict[str, FactScore] = field(default_factory=lambda: {c: FactScore() for c in CODES})
    details: dict[str, list[int]] = field(default_factory=dict)  # field → [correct, total]
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def macro_f1(self) -> float:
        values = [s.f1 for s in self.facts.values() if s.f1 is not None]
        return sum(values) / len(values) if values else 0.0

    @property
    def accuracy(self) -> float:
        return sum(s.accuracy for s in self.facts.values()) / len(self.facts)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "narratives": self.n,
            "macro_f1_true": round(self.macro_f1, 4),
            "mean_accuracy_3class": round(self.accuracy, 4),
            "facts": {
                c: {
                    "precision": s.precision,
                    "recall": s.recall,
                    "f1_true": s.f1,
                    "accuracy_3class": round(s.accuracy, 4),
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                }
                for c, s in self.facts.items()
            },
            "details": {k: {"correct": v[0], "total": v[1]} for k, v in self.details.items()},
            "seconds": round(self.seconds, 3),
        }


def _same_detail(gold: Any, pred: Any) -> bool:
    if pred is None:
        return False
    if isinstance(gold, bool) or isinstance(pred, bool):
        return bool(gold is pred)
    if isinstance(gold, int | float) and isinstance(pred, int | float):
        return abs(float(gold) - float(pred)) <= 0.5
    return str(gold) == str(pred)


def load(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        facts = row.get("facts")
        if not isinstance(row.get("text"), str) or not isinstance(facts, dict) or set(facts) != set(CODES):
            raise ValueError(f"{path}:{number}: needs text and facts with exactly the ten TAXONOMY §3 codes")
        if any(v is not None and not isinstance(v, bool) for v in facts.values()):
            raise ValueError(f"{path}:{number}: fact values must be true, false or null")
        rows.append(row)
    return rows


def evaluate(path: Path, *, use_scanner: bool = True) -> Report:
    rows = load(path)
    report = Report(path=str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path), n=len(rows))
    started = time.perf_counter()
    for row in rows:
        case = extract_facts(row["text"], use_scanner=use_scanner)
        pred = {c: case.value(c) for c in CODES}
        for c in CODES:
            report.facts[c].add(row["facts"][c], pred[c])
        if any(pred[c] is not row["facts"][c] for c in CODES):
            marks = "".join(" " if pred[c] is row["facts"][c] else "^" for c in CODES)
            report.errors.append(
                f"{row.get('id', '?'):>6} pred {''.join(_SYMBOL[pred[c]] for c in CODES)}"
                f"  gold {''.join(_SYMBOL[row['facts'][c]] for c in CODES)}  {marks}"
            )
        stated = case.details.model_dump(mode="json")
        for key, gold in (row.get("details") or {}).items():
            score = report.details.setdefault(key, [0, 0])
            score[1] += 1
            score[0] += _same_detail(gold, stated.get(key))
    report.seconds = time.perf_counter() - started
    return report


def _fmt(value: float | None) -> str:
    return " n/a" if value is None else f"{value:.2f}"


def render(report: Report, show_errors: bool) -> str:
    lines = [f"== {report.path}  ({report.n} narratives, {report.seconds:.2f}s)"]
    lines.append(f"{'fact':28s} {'P':>5s} {'R':>5s} {'F1':>5s} {'acc3':>5s}   tp  fp  fn")
    for code, s in report.facts.items():
        lines.append(
            f"{code:28s} {_fmt(s.precision):>5s} {_fmt(s.recall):>5s} {_fmt(s.f1):>5s} "
            f"{s.accuracy:5.2f}  {s.tp:3d} {s.fp:3d} {s.fn:3d}"
        )
    lines.append(
        f"macro-F1 (true class): {report.macro_f1:.3f}   mean 3-class accuracy: {report.accuracy:.3f}"
    )
    if report.details:
        parts = [f"{k} {v[0]}/{v[1]}" for k, v in sorted(report.details.items())]
        lines.append("details exact: " + ", ".join(parts))
    if show_errors and report.errors:
        lines.append("order: " + " ".join(CODES))
        lines += report.errors
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="JSONL files (default: tuning and holdout)")
    parser.add_argument("--no-scanner", action="store_true", help="lexicon only, without txlguard.detect")
    parser.add_argument("--errors", action="store_true", help="list the narratives with a wrong fact")
    parser.add_argument("--json", action="store_true", help="print one JSON object per file")
    parser.add_argument("--min-macro-f1", type=float, default=None, help="exit 1 if a file scores below")
    args = parser.parse_args(argv)
    files = args.files or DEFAULT_FILES
    failed = False
    for path in files:
        try:
            report = evaluate(path, use_scanner=not args.no_scanner)
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(report.as_json(), ensure_ascii=False))
        else:
            print(render(report, args.errors))
        if args.min_macro_f1 is not None and report.macro_f1 < args.min_macro_f1:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
