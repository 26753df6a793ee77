"""The shared dev corpus and the tuning corpus: false alarms stay rare, labels are found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from txlguard.detect import MessageInput, Scanner

ROOT = Path(__file__).resolve().parents[2]
DEV = [
    ROOT.parent / "shared" / "data" / "dev" / "messages.jsonl",
    ROOT / "shared" / "data" / "dev" / "messages.jsonl",
]
TUNING = ROOT / "tests" / "data" / "messages_tuning.jsonl"
TUNING2 = ROOT / "tests" / "data" / "messages_tuning2.jsonl"


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _scan(scanner: Scanner, rows: list[dict[str, Any]]) -> list[tuple[set[str], set[str]]]:
    msgs = [MessageInput(id=r["id"], text=r["text"], recipient=r.get("recipient")) for r in rows]
    return [
        (set(r["labels"]), set(res.labels)) for r, res in zip(rows, scanner.scan_batch(msgs), strict=True)
    ]


def test_shared_dev_set(scanner: Scanner) -> None:
    path = next((p for p in DEV if p.exists()), None)
    if path is None:
        pytest.skip("shared/data/dev is not beside this checkout")
    pairs = _scan(scanner, _rows(path))
    assert all(gold == pred for gold, pred in pairs), [p for p in pairs if p[0] != p[1]]


def test_tuning_set_quality(scanner: Scanner) -> None:
    if not TUNING.exists():
        pytest.skip("no tuning corpus")
    pairs = _scan(scanner, _rows(TUNING))
    lawful = [pred for gold, pred in pairs if not gold]
    false_alarms = sum(bool(pred) for pred in lawful)
    assert false_alarms <= 0.02 * len(lawful) + 1
    tp = sum(len(gold & pred) for gold, pred in pairs)
    fp = sum(len(pred - gold) for gold, pred in pairs)
    fn = sum(len(gold - pred) for gold, pred in pairs)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.85 and recall >= 0.7, (precision, recall)


def test_second_tuning_set_quality(scanner: Scanner) -> None:
    """The second tuning corpus (written apart from the first): few false alarms, most labels."""
    pairs = _scan(scanner, _rows(TUNING2))
    lawful = [pred for gold, pred in pairs if not gold]
    assert len(pairs) >= 250 and len(lawful) >= 0.4 * len(pairs)
    assert sum(bool(pred) for pred in lawful) <= 0.02 * len(lawful) + 1
    tp = sum(len(gold & pred) for gold, pred in pairs)
    fp = sum(len(pred - gold) for gold, pred in pairs)
    fn = sum(len(gold - pred) for gold, pred in pairs)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.9 and recall >= 0.85, (precision, recall)
