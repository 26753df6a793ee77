"""Score txlguard's policy labels (TAXONOMY §4) against the labelled passages.

Usage::

    python benchmarks/eval_policy.py [FILE] [--split tuning|heldout|all] [--errors] [--json]

FILE defaults to ``benchmarks/data/policy_passages.jsonl``: one passage a line,
``{"id", "split", "text", "labels"}`` (and an optional ``note``), with ``split`` "tuning" (the lexicons were written and
corrected against these) or "heldout" (never tuned on; scored to see how the rules generalise).
For each split it prints per-label support, precision, recall and F1 and the macro-F1 over the
six labels (a label with neither gold nor predicted passages is left out of the average).

Exit codes: 0 done; 2 the corpus is missing or malformed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from txlguard.taxonomy import PolicyLabel

POLICY_LABELS: tuple[str, ...] = tuple(label.value for label in PolicyLabel)
DEFAULT_CORPUS = Path(__file__).resolve().parent / "data" / "policy_passages.jsonl"


@dataclass(frozen=True)
class LabelScore:
    label: str
    support: int
    predicted: int
    tp: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Report:
    split: str
    passages: int
    labels: list[LabelScore]
    macro_f1: float
    exact_match: float


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def evaluate(split: str, gold: Sequence[set[str]], predicted: Sequence[set[str]]) -> Report:
    """Per-label P/R/F1 and macro-F1 of predicted label sets against gold ones (pure)."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    scores: list[LabelScore] = []
    for label in POLICY_LABELS:
        tp = sum(label in g and label in p for g, p in zip(gold, predicted, strict=True))
        support = sum(label in g for g in gold)
        n_pred = sum(label in p for p in predicted)
        precision, recall = _ratio(tp, n_pred), _ratio(tp, support)
        f1 = _ratio(2 * tp, support + n_pred)
        scores.append(LabelScore(label, support, n_pred, tp, precision, recall, f1))
    counted = [s.f1 for s in scores if s.support or s.predicted]
    macro = sum(counted) / len(counted) if counted else 0.0
    exact = _ratio(sum(g == p for g, p in zip(gold, predicted, strict=True)), len(gold))
    return Report(split, len(gold), scores, macro, exact)


def load_corpus(path: Path) -> list[dict[str, object]]:
    """The passages of a corpus, checked: ids unique, labels TAXONOMY §4 codes."""
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise ValueError(f"{path.name}:{number}: want an object with text")
        labels = row.get("labels")
        if not isinstance(labels, list) or any(lb not in POLICY_LABELS for lb in labels):
            raise ValueError(f"{path.name}:{number}: labels must be TAXONOMY §4 codes")
        if row.get("id") in seen:
            raise ValueError(f"{path.name}:{number}: duplicate id {row.get('id')}")
        seen.add(str(row.get("id")))
        rows.append(row)
    return rows


def score(
    rows: Sequence[dict[str, object]], split: str
) -> tuple[Report, list[tuple[str, set[str], set[str], str]]]:
    """Run the default policy scanner over the rows of one split ("all" for every row)."""
    from txlguard.detect.policy import PolicyInput, default_policy_scanner

    chosen = [r for r in rows if split == "all" or r.get("split") == split]
    results = default_policy_scanner().scan_batch(
        PolicyInput(id=str(r["id"]), text=str(r["text"])) for r in chosen
    )
    gold = [set(r["labels"]) for r in chosen]  # type: ignore[call-overload]
    predicted = [set(r.labels) for r in results]
    errors = [
        (str(r["id"]), g, p, str(r["text"]))
        for r, g, p in zip(chosen, gold, predicted, strict=True)
        if g != p
    ]
    return evaluate(split, gold, predicted), errors


def format_report(report: Report) -> str:
    lines = [
        f"== {report.split}: {report.passages} passages ==",
        f"{'label':32} {'supp':>4} {'pred':>4} {'P':>6} {'R':>6} {'F1':>6}",
    ]
    for s in report.labels:
        lines.append(
            f"{s.label:32} {s.support:4d} {s.predicted:4d} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}"
        )
    lines.append(f"macro-F1 {report.macro_f1:.3f}   exact match {report.exact_match:.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--split", choices=["tuning", "heldout", "all", "each"], default="each")
    parser.add_argument("--errors", action="store_true", help="list the passages scored wrong")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        rows = load_corpus(args.corpus)
    except (OSError, ValueError) as exc:
        print(f"eval_policy: {exc}", file=sys.stderr)
        return 2
    splits = ["tuning", "heldout"] if args.split == "each" else [args.split]
    reports = []
    for split in splits:
        report, errors = score(rows, split)
        reports.append(report)
        if not args.json:
            print(format_report(report))
            if args.errors:
                for pid, gold, pred, text in errors:
                    print(f"  {pid} gold={sorted(gold)} pred={sorted(pred)} {text}")
    if args.json:
        print(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
